"""Checking the hash chains (SPEC §5): every entry's hash matches its content, follows the
previous entry's hash, the numbers run 1, 2, 3… without a gap, and the chain head agrees
with the last entry (so removing the newest entries shows too)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from .models import HASHED_FIELDS, ActivityChain, ActivityEntry, compute_hash

CHUNK_SIZE = 2000


@dataclass
class Problem:
    org_id: int
    seq: int | None
    entry_id: int | None
    reason: str

    def __str__(self):
        where = f"entry #{self.seq} (id {self.entry_id})" if self.entry_id else "the chain head"
        return f"{where}: {self.reason}"


@dataclass
class ChainReport:
    org_id: int
    entries: int
    problem: Problem | None

    @property
    def ok(self) -> bool:
        return self.problem is None


def chain_org_ids() -> list[int]:
    """Every org with a chain, including deleted orgs (their log stays)."""
    ids = set(ActivityChain.objects.values_list("org_id", flat=True))
    ids.update(ActivityEntry.objects.order_by().values_list("org_id", flat=True).distinct())
    return sorted(ids)


def _walk(org_id: int) -> Iterator[dict]:
    rows = (
        ActivityEntry.objects.filter(org_id=org_id)
        .order_by("seq")
        .values("id", "hash", *HASHED_FIELDS)
    )
    yield from rows.iterator(chunk_size=CHUNK_SIZE)


def verify_chain(org_id: int) -> ChainReport:
    """Walk one org's entries in order (constant memory) and stop at the first bad one."""
    expected_seq, prev_hash, count = 1, "", 0
    for row in _walk(org_id):
        count += 1

        def bad(reason, row=row, count=count):
            return ChainReport(org_id, count, Problem(org_id, row["seq"], row["id"], reason))

        if row["seq"] != expected_seq:
            if row["seq"] > expected_seq:
                missing = (
                    f"#{expected_seq}"
                    if row["seq"] == expected_seq + 1
                    else f"#{expected_seq}–#{row['seq'] - 1}"
                )
                return bad(f"entries {missing} before it are missing (deleted?)")
            return bad(f"its number repeats #{row['seq']}")
        if row["prev_hash"] != prev_hash:
            return bad("it does not follow the previous entry (its link to it was changed)")
        if compute_hash(row) != row["hash"]:
            return bad("its content does not match its hash (the entry was changed)")
        prev_hash, expected_seq = row["hash"], expected_seq + 1

    head = ActivityChain.objects.filter(pk=org_id).first()
    last_seq = expected_seq - 1
    if head is None:
        if count:
            return ChainReport(org_id, count, Problem(org_id, None, None, "it is missing"))
    elif head.seq != last_seq or head.head_hash != prev_hash:
        reason = (
            f"it ends at #{head.seq} but the log ends at #{last_seq}: "
            "the newest entries were removed"
            if head.seq != last_seq
            else "its hash does not match the last entry's (the newest entry was changed)"
        )
        return ChainReport(org_id, count, Problem(org_id, None, None, reason))
    return ChainReport(org_id, count, None)
