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
impossible even without the lock (SQLite).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field
from itertools import groupby, islice

from django.db import transaction
from django.utils import timezone

from . import context
from .keys import signing_key_id
from .models import Action, ActivityActor, ActivityChain, ActivityEntry, ActivityWorkspaceName


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
    return it. Services take it first (orgs.locking.lock_org); `_write` takes it again (a
    no-op when already held) to number its entries."""
    heads = ActivityChain.objects.select_for_update().order_by()
    head = heads.filter(pk=org_id).first()
    if head is None:
        ActivityChain.objects.bulk_create([ActivityChain(org_id=org_id)], ignore_conflicts=True)
        head = heads.get(pk=org_id)
    return head


def _register_actors(org_id: int, emails: Iterable[str]) -> None:
    """Add the emails to the org's known actors (the email filter's lookup table). Once the
    transaction commits, the rest of the request or command skips this insert."""
    keys = {email: ("audit.actor", org_id, email) for email in set(emails)}
    new = [email for email, key in keys.items() if not context.peek(key, False)]
    if new:
        ActivityActor.objects.bulk_create(
            [ActivityActor(org_id=org_id, email=email) for email in new], ignore_conflicts=True
        )

        def remember():
            for email in new:
                context.remember(keys[email], True)

        transaction.on_commit(remember)


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
    filter's lookup table), like _register_actors."""
    keys = {pair: ("audit.workspace_name", org_id, *pair) for pair in names}
    new = [pair for pair, key in keys.items() if not context.peek(key, False)]
    if new:
        ActivityWorkspaceName.objects.bulk_create(
            [ActivityWorkspaceName(org_id=org_id, workspace_id=ws, name=name) for ws, name in new],
            ignore_conflicts=True,
        )

        def remember():
            for pair in new:
                context.remember(keys[pair], True)

        transaction.on_commit(remember)


def _write(org_id: int, drafts: list[Draft], *, batch_size: int = 1000) -> list[ActivityEntry]:
    """Append `drafts` to org_id's chain, in order, inside the current transaction."""
    actor, key_id = context.actor_snapshot(), signing_key_id()
    with transaction.atomic(savepoint=False):
        head = lock_chain_head(org_id)
        entries, seq, prev = [], head.seq, head.head_hash
        for draft in drafts:
            seq += 1
            entry = _entry(draft, seq, prev, actor, key_id)
            prev = entry.hash
            entries.append(entry)
        if len(entries) == 1:
            entries[0].save()
        else:
            ActivityEntry.objects.bulk_create(entries, batch_size=batch_size)
        ActivityChain.objects.filter(pk=org_id).update(seq=seq, head_hash=prev)
        _register_actors(org_id, (entry.actor_email for entry in entries))
        _register_workspace_names(org_id, _names_of_workspaces(entries))
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
