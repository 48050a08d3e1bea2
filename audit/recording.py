"""Writing the activity log: the only code that creates entries.

- `record(...)`: one entry now, in the caller's transaction (the signal receivers use it; call
  it yourself for what is not a model change, e.g. an export).
- `bulk_record(drafts)`: many prepared entries at once (seeding, `--scale`, benchmarks).
- `record_instances(objs, action=...)`: entries for model instances written in bulk
  (`bulk_create`, `bulk_update`, `QuerySet.update/delete` send no signals: call this next to them).

Each org's entries form a chain: entry n stores the hash of entry n-1 and a hash over its own
content (an HMAC under the newest chain key, `audit.keys`). Writers lock the org's chain head
(`ActivityChain`, SELECT … FOR UPDATE on PostgreSQL) until their transaction ends, so entries of
one org are numbered one writer at a time; the unique (org, seq) constraint makes a fork
impossible even without the lock (SQLite). The head a transaction locked is remembered
(`_held_head`) so its entries cost their INSERT and the head's UPDATE, which only moves a head
that still is where it was read.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field
from itertools import groupby, islice

from django.db import connection, transaction
from django.utils import timezone

from . import context
from .keys import signing_key_id
from .models import Action, ActivityChain, ActivityEntry, ActivityWorkspaceName


@dataclass
class Draft:
    """An entry to write. `actor` is (user id, email, ip); None means the current actor. The
    email is stored in lower case, as the current actor's is."""

    org_id: int
    action: str
    entity_type: str
    entity_id: str = ""
    entity_label: str = ""
    workspace_id: int | None = None
    workspace_name: str = ""
    changes: dict = field(default_factory=dict)
    created_at: datetime.datetime | None = None
    actor: tuple[int | None, str, str] | None = None


def _entry(draft: Draft, seq: int, prev_hash: str, actor, key_id: str) -> ActivityEntry:
    from .tracking import scrub, to_json_value

    user_id, email, ip = draft.actor or actor
    entry = ActivityEntry(
        org_id=draft.org_id,
        seq=seq,
        created_at=draft.created_at or timezone.now(),
        workspace_id=draft.workspace_id,
        workspace_name=(draft.workspace_name or "")[:120],
        actor_id=user_id,
        actor_email=(email or "system").strip().lower()[:254],
        ip=(ip or "")[:45],
        action=draft.action,
        entity_type=draft.entity_type,
        entity_id=str(draft.entity_id or "")[:64],
        entity_label=str(draft.entity_label or "")[:255],
        changes=scrub(to_json_value(draft.changes or {})),
        prev_hash=prev_hash,
        key_id=key_id,
    )
    entry.hash = entry.compute_hash()
    return entry


def lock_chain_head(org_id: int) -> ActivityChain:
    """Lock org_id's chain head row until the transaction ends (created on first use), and
    return it. Services take it first (orgs.locking.lock_org); `_write` then numbers its
    entries from the head read here (`_held_head`) instead of reading it again."""
    heads = ActivityChain.objects.select_for_update().order_by()
    head = heads.filter(pk=org_id).first()
    if head is None:
        ActivityChain.objects.bulk_create([ActivityChain(org_id=org_id)], ignore_conflicts=True)
        head = heads.get(pk=org_id)
    _hold(org_id, head.seq, head.head_hash)
    return head


def head_lock_sql() -> str:
    """SQL (one parameter: the org id) selecting the org's chain head as (seq, head_hash),
    locked as lock_chain_head locks it (FOR UPDATE where the database has row locks), for a
    statement that locks the head and reads what it guards at once (orgs.locking
    .lock_org_and_rows). Hand what it read to `hold_head`."""
    sql = f"SELECT seq, head_hash FROM {_table(ActivityChain)} WHERE org_id = %s"
    if connection.features.has_select_for_update:
        sql += " FOR UPDATE"
    return sql


def head_seq_sql() -> str:
    """SQL (one parameter: the org id) reading the org's chain head number as the statement's
    snapshot has it, without a lock: beside `head_lock_sql` in one statement it tells whether
    an entry was written between the snapshot and the lock (the numbers differ)."""
    return f"SELECT seq FROM {_table(ActivityChain)} WHERE org_id = %s"


def hold_head(org_id: int, seq: int, head_hash: str) -> None:
    """Remember that this transaction holds org_id's chain head, locked by `head_lock_sql`
    and read as (seq, head_hash): its entries are then numbered from it (no second read)."""
    _hold(org_id, seq, head_hash)


# --- the head this transaction holds ----------------------------------------------------
# The head a writer locked (or last moved) is remembered on the connection with a marker: a
# no-op on_commit callback. Django drops the callbacks of a transaction when it commits or
# rolls back, and those of a savepoint when that savepoint is rolled back, so the marker is
# still registered exactly while the lock and the remembered values are this transaction's.


def _hold(org_id: int, seq: int, head_hash: str) -> None:
    def marker():
        pass

    transaction.on_commit(marker)
    held = transaction.get_connection().__dict__.setdefault("audit_held_heads", {})
    held[org_id] = (seq, head_hash, marker)


def _held_head(org_id: int) -> tuple[int, str] | None:
    """(seq, head hash) of org_id's chain head when this transaction holds its lock and
    nothing since undid what it wrote (a rolled-back savepoint), else None (read it again)."""
    connection = transaction.get_connection()
    seq, head_hash, marker = connection.__dict__.get("audit_held_heads", {}).get(
        org_id, (0, "", None)
    )
    if marker is None or not any(item[1] is marker for item in reversed(connection.run_on_commit)):
        return None
    return seq, head_hash


def forget_held_heads() -> None:
    """Read every chain head again at the next write (after editing the log behind the app's
    back, as the tampering tests do)."""
    transaction.get_connection().__dict__.pop("audit_held_heads", None)


# At most this many distinct workspace names are looked up in the head's UPDATE; a larger batch
# (seeding) inserts them all, ignoring those already known. (Actor emails and their newest
# entry's time are kept by a trigger on the entries' INSERT: migration 0007.)
LOOKUP_CHECK_LIMIT = 50


def _table(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _count_known(table: str, org_id: int, columns: tuple[str, ...], values) -> tuple[str, list]:
    """SQL counting how many of `values` (tuples of `columns`) org_id's lookup `table` has."""
    if not values:
        return "0", []
    match = " OR ".join(["(" + " AND ".join(f"{c} = %s" for c in columns) + ")"] * len(values))
    return (
        f"(SELECT COUNT(*) FROM {table} WHERE org_id = %s AND ({match}))",
        [org_id, *(value for row in values for value in row)],
    )


def _move_head(org_id: int, held: tuple[int, str], entries, names) -> int:
    """Move org_id's chain head from `held` to the last of `entries` (written just before: on
    PostgreSQL a trigger refuses a head that is not an entry) and, in the same statement, count
    how many of `names` the org's workspace-name table already has."""
    known_names, name_params = _count_known(
        _table(ActivityWorkspaceName), org_id, ("workspace_id", "name"), names
    )
    sql = (
        f"UPDATE {_table(ActivityChain)} SET seq = %s, head_hash = %s"
        " WHERE org_id = %s AND seq = %s AND head_hash = %s"
        f" RETURNING {known_names}"
    )
    last = entries[-1]
    params = [last.seq, last.hash, org_id, *held, *name_params]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    if not rows:  # the head moved under our lock: never, unless the database was changed
        raise RuntimeError(f"The activity chain head of org {org_id} moved while locked.")
    return rows[0][0]


def _names_of_workspaces(entries) -> set[tuple[int, str]]:
    """(workspace id, name) pairs an entry shows: its workspace, or the workspace it is about."""
    names = set()
    for entry in entries:
        if entry.workspace_id and entry.workspace_name:
            names.add((entry.workspace_id, entry.workspace_name))
        if entry.entity_type == "workspace" and entry.entity_id.isdigit() and entry.entity_label:
            names.add((int(entry.entity_id), entry.entity_label[:120]))
    return names


def _register_workspace_names(org_id: int, names: set[tuple[int, str]]) -> None:
    """Add (workspace id, name) pairs to the org's known workspace names (the workspace
    filter's lookup table)."""
    ActivityWorkspaceName.objects.bulk_create(
        [ActivityWorkspaceName(org_id=org_id, workspace_id=ws, name=name) for ws, name in names],
        ignore_conflicts=True,
    )


def _write(org_id: int, drafts: list[Draft], *, batch_size: int = 1000) -> list[ActivityEntry]:
    """Append `drafts` to org_id's chain, in order, inside the current transaction.

    Statements: the head's lock (none when the service already took it: lock_org), the
    entries' INSERT (whose trigger keeps the org's actors and their newest entry's time), the
    head's UPDATE (which also tells whether the workspace names are known), and an INSERT into
    the workspace-name table only for a name it has not seen."""
    actor, key_id = context.actor_snapshot(), signing_key_id()
    with transaction.atomic(savepoint=False):
        held = _held_head(org_id)
        if held is None:
            head = lock_chain_head(org_id)
            held = (head.seq, head.head_hash)
        entries, (seq, prev) = [], held
        for draft in drafts:
            seq += 1
            entry = _entry(draft, seq, prev, actor, key_id)
            prev = entry.hash
            entries.append(entry)
        if len(entries) == 1:
            entries[0].save()
        else:
            ActivityEntry.objects.bulk_create(entries, batch_size=batch_size)
        names = _names_of_workspaces(entries)
        check = len(names) <= LOOKUP_CHECK_LIMIT
        known = _move_head(org_id, held, entries, names if check else ())
        _hold(org_id, seq, prev)
        if not check or known < len(names):
            _register_workspace_names(org_id, names)
    return entries


def _org_id(org) -> int:
    return org if isinstance(org, int) else org.pk


def record(
    *,
    action: str,
    org,
    entity_type: str,
    entity_id="",
    entity_label: str = "",
    workspace=None,
    changes: dict | None = None,
) -> ActivityEntry:
    """Write one entry for the current actor (`audit.context`), in the current transaction.

    org: an Organization or its id. workspace: a Workspace (its name is copied) or None.
    action: "created" | "updated" | "deleted" | "exported". entity_type: a slug such as
    "audience_export" (see audit.models.ENTITY_TYPES). changes: {field: [old, new]} — never
    pass secrets. Example, after an audience export:

        record(action="exported", org=ws.org, workspace=ws, entity_type="audience_export",
               entity_label=f"Audience of {ws.name}", changes={"rows": [None, 120]})
    """
    if action not in Action.values:
        raise ValueError(f"Unknown activity action {action!r}.")
    if workspace is not None and workspace.org_id != _org_id(org):
        raise ValueError(f"Workspace {workspace.name!r} is not in that org.")
    draft = Draft(
        org_id=_org_id(org),
        action=action,
        entity_type=entity_type,
        entity_id=str(entity_id),
        entity_label=entity_label,
        workspace_id=workspace.pk if workspace is not None else None,
        workspace_name=workspace.name if workspace is not None else "",
        changes=changes or {},
    )
    return _write(draft.org_id, [draft])[0]


def bulk_record(drafts: Iterable[Draft], *, chunk_size: int = 5000) -> int:
    """Write many entries (any orgs) in order, `chunk_size` at a time; returns how many.

    Entries of one org keep the order they are given in; each org's chain head is locked once
    per chunk, in org id order (no deadlock between two bulk writers)."""
    drafts = iter(drafts)
    written = 0
    with transaction.atomic(savepoint=False):
        while chunk := list(islice(drafts, chunk_size)):
            by_org = sorted(enumerate(chunk), key=lambda item: (item[1].org_id, item[0]))
            for org_id, items in groupby(by_org, key=lambda item: item[1].org_id):
                written += len(_write(org_id, [draft for _, draft in items]))
    return written


def record_instances(instances: Iterable, *, action: str = Action.CREATED) -> int:
    """Entries for tracked model instances changed in bulk (no signals were sent for them).

    created/deleted: their field values. updated: the difference between each instance and
    the values it was loaded with (load, change, `bulk_update`, then call this)."""
    from .tracking import tracker_for

    drafts = []
    for instance in instances:
        tracker = tracker_for(instance)
        if tracker is None:
            raise TypeError(f"{type(instance).__name__} is not tracked by the activity log.")
        if action == Action.UPDATED:
            changes = tracker.diff(instance, getattr(instance, "_audit_old", {}))
            if not changes:
                continue
            instance._audit_old = tracker.snapshot(instance)
        elif action in (Action.CREATED, Action.DELETED):
            changes = tracker.values(instance, created=action == Action.CREATED)
        else:
            raise ValueError(f"record_instances records created, updated or deleted, not {action}.")
        drafts.append(draft_for(tracker, instance, action, changes))
    return bulk_record(drafts)


def draft_for(tracker, instance, action: str, changes: dict) -> Draft:
    subject = tracker.describe(instance)
    if subject.org_id is None:
        raise ValueError(f"Cannot tell which org's log {tracker.entity_type} {instance.pk} is in.")
    return Draft(
        org_id=subject.org_id,
        action=action,
        entity_type=tracker.entity_type,
        entity_id=subject.entity_id,
        entity_label=subject.entity_label,
        workspace_id=subject.workspace_id,
        workspace_name=subject.workspace_name,
        changes=changes,
    )
