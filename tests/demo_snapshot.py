"""Seed the demo data once per test process, then restore it for every test from a snapshot.

`seed_demo` runs the real services, signals and activity-log chain (≈0.4 s); the suite uses the
demo data in over a thousand tests. The first `demo` fixture of a process seeds for real and
copies every row of the project's tables (and the seeded media files); later ones insert the
same rows with one executemany per table, inside the test's transaction, and reset PostgreSQL
sequences. The rows are byte-for-byte those the real seed wrote, hash chain included.
"""

import shutil
from io import StringIO
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core.management import call_command
from django.core.management.color import no_style
from django.db import connection, transaction

APP_LABELS = ("orgs", "workspaces", "audit", "axes")

_snapshot: dict | None = None


def _models():
    for label in APP_LABELS:
        yield from apps.get_app_config(label).get_models(include_auto_created=True)


def _adapt(value):
    if connection.vendor == "postgresql" and isinstance(value, dict | list):
        from psycopg.types.json import Jsonb

        return Jsonb(value)
    return value


def _take(media_copy: Path) -> dict:
    tables = {}
    with connection.cursor() as cursor:
        for model in _models():
            table = model._meta.db_table
            columns = [f.column for f in model._meta.local_concrete_fields]
            quoted = ", ".join(connection.ops.quote_name(c) for c in columns)
            cursor.execute(f"SELECT {quoted} FROM {connection.ops.quote_name(table)}")
            rows = cursor.fetchall()
            if rows:
                tables[table] = (quoted, len(columns), rows)
    media = Path(settings.MEDIA_ROOT)
    if media.exists():
        shutil.copytree(media, media_copy, dirs_exist_ok=True)
    return {"tables": tables, "media": media_copy}


def _restore(snapshot: dict) -> None:
    with transaction.atomic(), connection.cursor() as cursor:
        for table, (quoted, width, rows) in snapshot["tables"].items():
            marks = ", ".join(["%s"] * width)
            cursor.executemany(
                f"INSERT INTO {connection.ops.quote_name(table)} ({quoted}) VALUES ({marks})",
                [[_adapt(v) for v in row] for row in rows],
            )
        for sql in connection.ops.sequence_reset_sql(no_style(), list(_models())):
            cursor.execute(sql)
    if snapshot["media"].exists():
        shutil.copytree(snapshot["media"], settings.MEDIA_ROOT, dirs_exist_ok=True)


def load_demo(media_copy: Path) -> None:
    global _snapshot
    if _snapshot is None:
        call_command("seed_demo", stdout=StringIO())
        _snapshot = _take(media_copy)
    else:
        _restore(_snapshot)
