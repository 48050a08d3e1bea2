"""Checking the hash chains (SPEC §5): every entry's hash is the HMAC of its content under the
chain key it names, it follows the previous entry's hash, the numbers run 1, 2, 3… without a
gap, the chain head agrees with the last entry, and the signed checkpoints outside the database
(`audit.checkpoints`) still hold — so removing the newest entries, rewinding the head, deleting
an org's log or truncating the tables shows too.

Entries with the "legacy" key id (unkeyed SHA-256, written before keys) are accepted only at the
start of a chain and only as far as a signed checkpoint covers them: the first
`checkpoint_activity` after upgrading vouches for them (trust on first use); any other legacy
entry is a forgery by someone without the chain key."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from django.db.models import Max
from django.utils import timezone

from .checkpoints import Checkpoint
from .keys import LEGACY_KEY_ID, chain_keys
from .models import (
    HASHED_FIELDS,
    ActivityChain,
    ActivityEntry,
    ActivityVerification,
    UnknownKeyError,
    compute_hash,
)

CHUNK_SIZE = 2000


@dataclass
class Problem:
    org_id: int
    seq: int | None
    entry_id: int | None
    reason: str
    last_good: Checkpoint | None = None  # the newest checkpoint that still holds
    checked_checkpoints: bool = False

    def __str__(self):
        where = f"entry #{self.seq} (id {self.entry_id})" if self.entry_id else "the chain head"
        text = f"{where}: {self.reason}"
        if self.checked_checkpoints:
            text += "; " + (
                f"the last checkpoint that still holds is {self.last_good.describe()}"
                if self.last_good
                else "no checkpoint still holds"
            )
        return text


@dataclass
class ChainReport:
    org_id: int
    entries: int
    problem: Problem | None
    checkpoint: Checkpoint | None = None  # the newest checkpoint compared
    held: dict[int, bool] = field(default_factory=dict)  # checkpoint seq → still holds

    @property
    def ok(self) -> bool:
        return self.problem is None


def chain_org_ids(extra=()) -> list[int]:
    """Every org with a chain, including deleted orgs (their log stays), plus `extra` (e.g. the
    orgs that have checkpoints, whose log may be gone)."""
    ids = set(ActivityChain.objects.values_list("org_id", flat=True))
    ids.update(ActivityEntry.objects.order_by().values_list("org_id", flat=True).distinct())
    ids.update(extra)
    return sorted(ids)


def entry_rows(org_id: int, after: int = 0, upto: int | None = None) -> Iterator[dict]:
    """One org's entries after #after (up to #upto) in seq order, as dicts of the hashed
    fields plus id, hash and key_id, read in chunks (constant memory)."""
    rows = ActivityEntry.objects.filter(org_id=org_id, seq__gt=after)
    if upto is not None:
        rows = rows.filter(seq__lte=upto)
    rows = rows.order_by("seq").values("id", "hash", "key_id", *HASHED_FIELDS)
    yield from rows.iterator(chunk_size=CHUNK_SIZE)


def _entry_problem(row: dict, expected_seq: int, prev_hash: str, keys, legacy_ok: bool):
    if row["seq"] != expected_seq:
        if row["seq"] > expected_seq:
            missing = (
                f"#{expected_seq}"
                if row["seq"] == expected_seq + 1
                else f"#{expected_seq}–#{row['seq'] - 1}"
            )
            return f"entries {missing} before it are missing (deleted?)"
        return f"its number repeats #{row['seq']}"
    if row["prev_hash"] != prev_hash:
        return "it does not follow the previous entry (its link to it was changed)"
    if row["key_id"] == LEGACY_KEY_ID and not legacy_ok:
        return (
            "it claims the unkeyed legacy hash where no signed checkpoint covers it, "
            "or after keyed entries (forged)"
        )
    try:
        if compute_hash(row, keys) != row["hash"]:
            return "its content does not match its hash (the entry was changed)"
    except UnknownKeyError:
        return f"it names chain key {row['key_id']!r}, which is not configured"
    return None


def verify_chain(
    org_id: int,
    checkpoints: list[Checkpoint] = (),
    *,
    since: Checkpoint | None = None,
    trust_legacy: bool = False,
) -> ChainReport:
    """Walk one org's entries in order (constant memory), stop at the first bad one, then
    compare the head and the checkpoints (oldest first) with what was found.

    since: start after this checkpoint instead of at #1 (its hash is trusted: it is signed).
    trust_legacy: accept legacy entries at the start of a chain no checkpoint covers yet
    (only for signing an org's first checkpoint).
    Returns a ChainReport; `.problem` names the first thing wrong and the newest checkpoint
    that still holds."""
    keys = chain_keys()
    anchors = {c.seq: c for c in checkpoints}
    newest = checkpoints[-1] if checkpoints else None
    legacy_until = newest.seq if newest else (float("inf") if trust_legacy else 0)
    held: dict[int, bool] = {}
    head = ActivityChain.objects.filter(pk=org_id).first()
    expected_seq, prev_hash, count = 1, "", 0
    if since is not None:
        expected_seq, prev_hash, count = since.seq + 1, since.head_hash, since.seq
    legacy_ok = since is None

    def report(reason=None, row=None):
        problem = None
        if reason:
            seq = row["seq"] if row else None
            good = [c for c in checkpoints if held.get(c.seq) and (seq is None or c.seq < seq)]
            problem = Problem(
                org_id,
                seq,
                row["id"] if row else None,
                reason,
                last_good=good[-1] if good else None,
                checked_checkpoints=bool(checkpoints),
            )
        return ChainReport(org_id, count, problem, newest, held)

    for row in entry_rows(org_id, expected_seq - 1, head.seq if head else None):
        count += 1
        legacy_ok = legacy_ok and row["seq"] <= legacy_until
        if reason := _entry_problem(row, expected_seq, prev_hash, keys, legacy_ok):
            return report(reason, row)
        legacy_ok = legacy_ok and row["key_id"] == LEGACY_KEY_ID
        if row["seq"] in anchors:
            held[row["seq"]] = anchors[row["seq"]].head_hash == row["hash"]
        prev_hash, expected_seq = row["hash"], expected_seq + 1

    last_seq = expected_seq - 1
    if reason := _head_problem(org_id, head, count, last_seq, prev_hash):
        return report(reason)
    if newest is not None:
        if newest.seq > last_seq:
            first = last_seq + 1
            missing = f"#{first}" if newest.seq == first else f"#{first}–#{newest.seq}"
            return report(
                f"the log ends at #{last_seq} but {newest.describe()} signed "
                f"#{newest.seq}: entries {missing} were removed"
            )
        if not held.get(newest.seq, since is not None and since.seq == newest.seq):
            return report(
                f"entry #{newest.seq} is not the one {newest.describe()} signed "
                "(the log was rewritten)"
            )
    return report()


def _head_problem(org_id, head, count, last_seq, prev_hash) -> str | None:
    if head is None:
        return "it is missing" if count else None
    if head.seq != last_seq or head.head_hash != prev_hash:
        if head.seq != last_seq:
            return (
                f"it ends at #{head.seq} but the log ends at #{last_seq}: "
                "the newest entries were removed"
            )
        return "its hash does not match the last entry's (the newest entry was changed)"
    # Entries past the head: the head was moved back (concurrent writers move both together,
    # and the head is read after the newest entry here).
    tail = ActivityEntry.objects.filter(org_id=org_id).aggregate(m=Max("seq"))["m"] or 0
    now = ActivityChain.objects.filter(pk=org_id).values_list("seq", flat=True).first() or 0
    if tail > now:
        return f"it ends at #{now} but the log goes on to #{tail}: the head was rewound"
    return None


@dataclass
class Verification:
    """The result of checking every chain (or one org's) against the checkpoints."""

    reports: list[ChainReport]
    checkpoint_problems: list[str]  # checkpoint files that are unreadable or forged

    @property
    def ok(self) -> bool:
        return not self.checkpoint_problems and all(r.ok for r in self.reports)

    def as_dict(self, names: dict[int, str]) -> dict:
        """JSON-ready: {"ok", "checkpoint_problems": [str], "orgs": [{"org_id", "org" (slug
        or null once deleted), "entries", "ok", "problem" (str or null), "checkpoint" and
        "last_good_checkpoint" ({org_id, seq, head_hash, entries, created_at} or null)}]}."""

        def checkpoint(c):
            return None if c is None else {k: v for k, v in c.__dict__.items() if k != "signature"}

        return {
            "ok": self.ok,
            "checkpoint_problems": self.checkpoint_problems,
            "orgs": [
                {
                    "org_id": r.org_id,
                    "org": names.get(r.org_id),
                    "entries": r.entries,
                    "ok": r.ok,
                    "problem": str(r.problem) if r.problem else None,
                    "checkpoint": checkpoint(r.checkpoint),
                    "last_good_checkpoint": checkpoint(r.problem.last_good if r.problem else None),
                }
                for r in self.reports
            ],
        }


def remember(result: Verification) -> None:
    """Keep each org's result as its newest verification (shown on the Integrity page)."""
    now = timezone.now()
    for report in result.reports:
        ActivityVerification.objects.update_or_create(
            org_id=report.org_id,
            defaults={
                "verified_at": now,
                "ok": report.ok and not result.checkpoint_problems,
                "entries": report.entries,
                "checkpoint_seq": report.checkpoint.seq if report.checkpoint else None,
                "problem": str(report.problem or "; ".join(result.checkpoint_problems)),
            },
        )


def verify_all(org_id: int | None = None) -> Verification:
    """Verify one org's chain, or every org's — including orgs known only from checkpoints
    (deleted or truncated logs) — against the checkpoints in every sink."""
    from . import checkpoints

    loaded = checkpoints.load(org_id)
    org_ids = [org_id] if org_id is not None else chain_org_ids(loaded.by_org)
    reports = [verify_chain(i, loaded.by_org.get(i, [])) for i in org_ids]
    return Verification(reports, loaded.problems)
