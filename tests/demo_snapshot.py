"""The demo data of SPEC §7 for the tests: seeded once per test process, committed, and rolled
back to after every test.

`seed_demo` runs the real services, signals and activity-log chain (≈0.4 s on an idle machine);
the suite uses the demo data in well over a thousand tests. So:

- `seed_committed()` (the session fixture `_demo_database`) seeds it once per process, commits
  it, and keeps a snapshot: every row of the project's tables and the seeded media files.
- A test in a transaction (`db`) that asks for the demo finds it already there; its rollback
  undoes whatever it changed. Only the media files are copied (each test has its own
  MEDIA_ROOT).
- A test in a transaction that did not ask for the demo must not see it: `hide_demo()` deletes
  the rows inside that test's transaction, and the rollback brings them back. conftest runs
  those tests before the demo ones, so this happens only for a test started out of order.
- A transactional test (`transactional_db`, `live_server`, browser tests) empties the database
  when it ends. The first one of a process uses the committed demo; later ones get the snapshot
  restored (`restore_demo()`: one executemany per table, sequences reset). conftest runs the
  transactional tests after the others (`_run_order`); should a `db` test asking for the demo
  come after them, it commits the demo again first (`recommit()`, from conftest's
  `pytest_runtest_setup`), and the ones after it roll back to it. The rows are byte-for-byte
  those the real seed wrote, hash chain included.
"""

import shutil
from io import StringIO
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core.management import call_command
from django.core.management.color import no_style
from django.db import connection, transaction
from django.test import override_settings

from workspaces.services import org_tallies_recount

APP_LABELS = ("orgs", "workspaces", "audit", "axes")

_snapshot: dict | None = None
# True while the database holds the committed demo (from the seed until a flush empties it).
_committed = False
# True when the running test deleted the committed demo in its transaction (hide_demo).
_hidden = False


def _models():
    for label in APP_LABELS:
        yield from apps.get_app_config(label).get_models(include_auto_created=True)


def _adapted(rows: list[tuple]) -> list[tuple]:
    """The rows as the driver takes them back: PostgreSQL's JSON values wrapped as Jsonb
    (SQLite takes the stored text as it came)."""
    if connection.vendor != "postgresql":
        return rows
    from psycopg.types.json import Jsonb

    return [[Jsonb(v) if isinstance(v, dict | list) else v for v in row] for row in rows]


def _take(media: Path) -> dict:
    tables = {}
    with connection.cursor() as cursor:
        for model in _models():
            table = model._meta.db_table
            if table in COUNTED_BY_TRIGGERS:
                continue
            columns = [f.column for f in model._meta.local_concrete_fields]
            quoted = ", ".join(connection.ops.quote_name(c) for c in columns)
            cursor.execute(f"SELECT {quoted} FROM {connection.ops.quote_name(table)}")
            rows = cursor.fetchall()
            if rows:
                tables[table] = (quoted, len(columns), rows)
    return {"tables": tables, "media": media}


def seed_committed(workdir: Path) -> None:
    """Seed the demo for real, outside any test transaction (so it is committed), with its
    media files and activity checkpoints under `workdir`; keep the snapshot."""
    global _snapshot, _committed
    media = workdir / "media"
    with override_settings(MEDIA_ROOT=media, ACTIVITY_CHECKPOINT_DIR=workdir / "checkpoints"):
        call_command("seed_demo", stdout=StringIO())
    _snapshot = _take(media)
    _committed = True


def restore_demo() -> None:
    """Insert the snapshot's rows (in the current transaction, if any) and its media files."""
    _insert_rows()
    copy_media()


def recommit() -> None:
    """Insert the snapshot's rows into the empty database and commit them (no test
    transaction is open): the database holds the committed demo again."""
    global _committed
    _insert_rows()
    _committed = True


# Tables a trigger writes when rows of another are inserted (the known actors, from each
# activity entry's INSERT: audit migration 0007): their rows go in first, so that the trigger's
# upsert finds them with the values it would have set, instead of the snapshot's INSERT then
# colliding with the rows the trigger made.
TRIGGER_KEPT = ("audit_activityactor",)
# Running counts the triggers keep from other tables' rows (workspaces migration 0008): not
# taken, recounted once the rows are in (inserted in any order, a flow before its workspace,
# the triggers would count some rows and miss others).
COUNTED_BY_TRIGGERS = ("workspaces_orgtally", "workspaces_orgscanday")


def _insert_rows() -> None:
    tables = sorted(_snapshot["tables"].items(), key=lambda item: item[0] not in TRIGGER_KEPT)
    with transaction.atomic(), connection.cursor() as cursor:
        for table, (quoted, width, rows) in tables:
            marks = ", ".join(["%s"] * width)
            cursor.executemany(
                f"INSERT INTO {connection.ops.quote_name(table)} ({quoted}) VALUES ({marks})",
                _adapted(rows),
            )
        for sql in connection.ops.sequence_reset_sql(no_style(), list(_models())):
            cursor.execute(sql)
    org_tallies_recount()


def copy_media() -> None:
    if _snapshot["media"].exists():
        shutil.copytree(_snapshot["media"], settings.MEDIA_ROOT, dirs_exist_ok=True)


def use_demo() -> None:
    """Make the demo present for the test that starts now (its database access is open)."""
    if _committed and not _hidden:
        copy_media()
    else:
        restore_demo()


def hide_demo() -> None:
    """Delete the committed demo's rows inside the current test's transaction (its rollback
    brings them back). On PostgreSQL the activity log's append-only triggers and the deferred
    invariant triggers would refuse or queue checks, so the deletes run with triggers off
    (`session_replication_role = replica`, superuser only, as the suite runs)."""
    global _hidden
    _hidden = True
    on_postgres = connection.vendor == "postgresql"
    with connection.cursor() as cursor:
        if on_postgres:
            cursor.execute("SET LOCAL session_replication_role = replica")
        try:
            for model in _models():
                cursor.execute(f"DELETE FROM {connection.ops.quote_name(model._meta.db_table)}")
        finally:
            if on_postgres:
                cursor.execute("SET LOCAL session_replication_role = origin")


def taken() -> bool:
    """The demo was seeded in this process (there is a snapshot to restore)."""
    return _snapshot is not None


def committed() -> bool:
    return _committed


def emptied() -> None:
    """The database was flushed (by a transactional test, at its end or its start)."""
    global _committed
    _committed = False


def test_ended(*, transactional: bool) -> None:
    """A test ended: a transactional one's flush emptied the database; a rolled-back one's
    rollback brought back what it hid."""
    global _hidden
    _hidden = False
    if transactional:
        emptied()


def unseed() -> None:
    """Empty the database at the end of the session (so a --reuse-db run starts empty)."""
    if _committed:
        call_command("flush", interactive=False, verbosity=0)
        emptied()
