"""The one lock order of every write (README "Concurrency"). A service that changes an org's
data, inside its transaction:

1. `lock_org(org)` — the org's activity-chain head row (audit.ActivityChain). Every logged
   write takes it anyway to number its entry; taking it *first* serialises the writes of one
   org, so nothing else a writer holds can be waited for by another writer of that org. The
   head read here numbers the transaction's entries (audit.recording does not read it again).
2. `lock_rows(queryset)` / `lock_row(queryset)` — the service's own rows, re-read under lock:
   `SELECT … FOR NO KEY UPDATE OF <table>` in primary-key order, with no join (no Meta.ordering,
   no `.first()`): only the rows being changed are locked, never a workspace, org or user row
   that a concurrent INSERT's foreign key check needs (FOR KEY SHARE, at COMMIT).
3. the writes, and their activity entries (the chain head is already held).

Every wait is bounded by the database's lock timeout (settings.DATABASE_LOCK_TIMEOUT); a wait
that runs out raises OperationalError, which flowadmin.middleware answers with a 503 "busy,
try again" page. On SQLite the whole database is written by one transaction at a time
(`BEGIN IMMEDIATE`), so the row locks are no-ops there."""

from django.db.models import QuerySet

from audit.recording import lock_chain_head


def lock_org(org) -> None:
    """Step 1: lock the org's chain head (`org`: an Organization or its id) until the
    transaction ends. Must run inside `transaction.atomic`."""
    lock_chain_head(org if isinstance(org, int) else org.pk)


def lock_rows(queryset: QuerySet, *, delete: bool = False) -> list:
    """Step 2: the rows of `queryset`, locked (FOR NO KEY UPDATE of its own table only) in
    primary-key order, re-read so their values are the committed ones. A row deleted by a
    transaction we waited for is simply not returned. `delete=True` locks FOR UPDATE, the
    strength a DELETE needs: it also waits for (and then blocks) concurrent INSERTs whose
    foreign keys point at the rows."""
    locked = queryset.select_for_update(of=("self",), no_key=not delete)
    return list(locked.order_by("pk"))


def lock_row(queryset: QuerySet, *, delete: bool = False):
    """The one row of `queryset` (filter it by a unique key), locked as in `lock_rows`, or None
    when there is none (any more)."""
    rows = lock_rows(queryset, delete=delete)
    if len(rows) > 1:
        raise queryset.model.MultipleObjectsReturned(f"{len(rows)} rows to lock, expected one.")
    return rows[0] if rows else None
