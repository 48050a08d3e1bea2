"""Reads of the activity log that pages share (the activity page, the console dashboard)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import connections, router

from workspaces.models import Workspace

from .filters import encode_cursor, like_pattern, like_sql, newest_entries
from .models import ActivityEntry

PAGE_SIZE = 50

# The columns a page shows (the hash chain and ip are for verify and the exports).
LIST_FIELDS = (
    "id",
    "created_at",
    "actor_email",
    "workspace_name",
    "action",
    "entity_type",
    "entity_id",
    "entity_label",
    "changes",
)


@dataclass
class ActivityPage:
    entries: list[ActivityEntry]
    older_cursor: str | None  # for the "older" link; None on the last page

    @property
    def has_older(self) -> bool:
        return self.older_cursor is not None


def activity_page(org, filters: dict, *, size: int = PAGE_SIZE) -> ActivityPage:
    """One page of the org's log, newest first, after the cursor in filters["before"] if any.
    Keyset pagination: one query of size + 1 rows whatever the log's length, no COUNT."""
    rows = newest_entries(org, filters, LIST_FIELDS, size + 1)
    entries, more = rows[:size], len(rows) > size
    return ActivityPage(entries, encode_cursor(entries[-1]) if more else None)


def recent_entries(org, limit: int = 10) -> list[ActivityEntry]:
    """The org's newest entries (for the console dashboard), one query."""
    return list(
        ActivityEntry.objects.filter(org=org)
        .only(*LIST_FIELDS)
        .order_by("-created_at", "-id")[:limit]
    )


# The workspace filter suggests at most this many names (a datalist of all 500 workspaces of a
# big org cost every full activity page a 500-row query and ~25 KB); the filter itself matches
# any part of a name, and the suggestions follow what is typed.
SUGGESTED_WORKSPACES = 20


def workspace_names(org, containing: str = "", *, limit: int = SUGGESTED_WORKSPACES) -> list[str]:
    """The workspace filter's suggestions: the first `limit` names, in name order, of the org's
    workspaces whose name contains `containing` (any case, as the ORM's `icontains`; "" for
    all). One query, a SELECT written once (the ORM's build cost more than the query), from the
    database the ORM reads workspaces from."""
    connection = connections[router.db_for_read(Workspace)]
    table = connection.ops.quote_name(Workspace._meta.db_table)
    condition, params = "", [org.pk]
    if containing:
        condition = f" AND {like_sql(connection, 'name')}"
        params.append(like_pattern(connection, containing))
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT name FROM {table} WHERE org_id = %s{condition} ORDER BY name LIMIT %s",
            [*params, limit],
        )
        return [name for (name,) in cursor.fetchall()]


@dataclass
class Integrity:
    """What the Integrity page shows for one org: its newest signed checkpoint (None before
    the first), the chain head, how many entries came after the checkpoint, the newest
    `verify_activity` result (None if it never ran) and checkpoint files that fail."""

    checkpoint: object
    head_seq: int
    since_checkpoint: int
    verification: object
    checkpoint_problems: list[str]


def integrity(org) -> Integrity:
    """Reads the org's checkpoints from every sink (directory, S3) and two rows."""
    from . import checkpoints
    from .models import ActivityChain, ActivityVerification

    loaded = checkpoints.load(org.pk)
    newest = loaded.newest(org.pk)
    head = ActivityChain.objects.filter(pk=org.pk).values_list("seq", flat=True).first() or 0
    return Integrity(
        checkpoint=newest,
        head_seq=head,
        since_checkpoint=max(head - (newest.seq if newest else 0), 0),
        verification=ActivityVerification.objects.filter(pk=org.pk).first(),
        checkpoint_problems=loaded.problems,
    )


def activity_stream(org):
    """The org's ActivityStream or None, with `backlog`: entries not delivered yet (1 query)."""
    from django.db.models import OuterRef, Subquery

    from .models import ActivityChain, ActivityStream

    head = ActivityChain.objects.filter(pk=OuterRef("org_id")).values("seq")[:1]
    stream = ActivityStream.objects.filter(org=org).annotate(head_seq=Subquery(head)).first()
    if stream is not None:
        stream.backlog = max((stream.head_seq or 0) - stream.delivered_seq, 0)
    return stream
