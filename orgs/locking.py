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
(`BEGIN IMMEDIATE`), so the row locks are no-ops there.

`lock_org_and_rows` takes steps 1 and 2 in one statement, in the same order (the flag toggle's
path, README "One request end to end")."""

from django.db import connection
from django.db.models import QuerySet

from audit.recording import head_lock_sql, head_seq_sql, hold_head, lock_chain_head


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


def lock_org_and_rows(
    org_id: int, *, columns: str, tables: str, where: str, params=(), of: str
) -> list[tuple]:
    """Steps 1 and 2 in one statement: lock org_id's chain head, then the rows of
    `SELECT {columns} FROM {tables} WHERE {where}` (`params` fill its placeholders in that
    order), FOR NO KEY UPDATE OF `of` (the alias in `tables` of the table whose rows are
    changed; joined tables are read, not locked), in `of`'s primary-key order (its pk column
    must be `id`). Returns the rows as tuples of `columns`; the head is then held and its
    entries numbered from the head read here (audit.recording.hold_head). Must run inside
    `transaction.atomic`.

    The order is step 1's, whatever plan PostgreSQL picks: the head is locked in a
    MATERIALIZED common table expression that every row is joined to, so no row reaches the
    statement's row lock (LockRows, at the top of the plan) before the head's lock was taken.

    READ COMMITTED reads every table but the locked ones as of the statement's start, which
    may be before a writer that held the head committed. The statement also reads the head's
    number without a lock: when it differs from the locked head's, such a writer went
    between, and the rows are read again, now under the held head (one more statement, only
    then); so are they when nothing matched or the org has no head row yet (lock_org creates
    it). Either way what is returned was read after the head was locked."""
    select = f"SELECT {columns} FROM {tables} WHERE {where} ORDER BY {of}.id"
    lock = ""
    if connection.features.has_select_for_update:
        lock = " " + connection.ops.for_update_sql(of=(of,), no_key=True)
    materialized = " MATERIALIZED" if lock else ""
    at_once = (
        f"WITH chain_head AS{materialized} ({head_lock_sql()})"
        f" SELECT chain_head.seq, chain_head.head_hash, ({head_seq_sql()}), {columns}"
        f" FROM chain_head CROSS JOIN {tables} WHERE {where} ORDER BY {of}.id{lock}"
    )
    with connection.cursor() as cursor:
        cursor.execute(at_once, [org_id, org_id, *params])
        rows = cursor.fetchall()
        if rows and rows[0][0] == rows[0][2]:
            hold_head(org_id, rows[0][0], rows[0][1])
            return [row[3:] for row in rows]
        lock_org(org_id)
        cursor.execute(select + lock, list(params))
        return cursor.fetchall()
