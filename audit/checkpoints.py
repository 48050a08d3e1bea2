"""Signed checkpoints of each org's chain head, stored outside the database (SPEC §5).

A checkpoint is (org id, seq, head hash, entry count, time) signed with the Ed25519 key of
`audit.keys` — the design of certificate transparency's signed tree heads and CloudTrail's
digest files. Each is one JSON file, `org-<id>/<seq, 12 digits>-<time>.json`, written to every
sink: the directory `ACTIVITY_CHECKPOINT_DIR` and, when `ACTIVITY_S3_BUCKET` is set, that
S3-compatible bucket (django-storages, alias "activity_s3"). Reading takes the union of the
sinks, so deleting a file from one sink is not enough to hide a rewind.

`write_checkpoints()` checks the entries written since an org's newest checkpoint before it
signs a new one, so a checkpoint never vouches for a chain that is already broken.
"""

from __future__ import annotations

import base64
import datetime
import json
import logging
from dataclasses import asdict, dataclass, replace

from cryptography.exceptions import InvalidSignature
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage, Storage, storages
from django.utils import timezone

from . import keys
from .models import ActivityChain, ActivityEntry

logger = logging.getLogger(__name__)

SIGNED_FIELDS = ("org_id", "seq", "head_hash", "entries", "created_at")


@dataclass(frozen=True)
class Checkpoint:
    org_id: int
    seq: int
    head_hash: str
    entries: int
    created_at: str  # ISO 8601, UTC
    signature: str = ""  # base64 Ed25519 signature over message()

    @property
    def name(self) -> str:
        stamp = self.created_at.replace("-", "").replace(":", "").replace("+0000", "Z")
        return f"org-{self.org_id}/{self.seq:012d}-{stamp}.json"

    @property
    def time(self) -> datetime.datetime:
        return datetime.datetime.fromisoformat(self.created_at)

    def message(self) -> bytes:
        values = [[name, getattr(self, name)] for name in SIGNED_FIELDS]
        return json.dumps(values, separators=(",", ":")).encode()

    def signed(self) -> Checkpoint:
        signature = keys.signing_key().sign(self.message())
        return replace(self, signature=base64.b64encode(signature).decode())

    def is_authentic(self) -> bool:
        """True when the signature verifies under `audit.keys.verify_key()` (public key)."""
        try:
            keys.verify_key().verify(base64.b64decode(self.signature), self.message())
        except (InvalidSignature, ValueError):
            return False
        return True

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=1)

    @classmethod
    def from_json(cls, text: str | bytes) -> Checkpoint:
        """Raises ValueError when the text is not a checkpoint."""
        try:
            values = json.loads(text)
            return cls(**{name: values[name] for name in (*SIGNED_FIELDS, "signature")})
        except (KeyError, TypeError, json.JSONDecodeError) as error:
            raise ValueError(f"not a checkpoint: {error}") from error

    def describe(self) -> str:
        return f"the checkpoint of {self.created_at} at #{self.seq}"


@dataclass
class Loaded:
    """Checkpoints read from the sinks: {org id: [checkpoints, oldest first]} and the files
    that failed (unreadable, or a signature that does not verify), as sentences."""

    by_org: dict[int, list[Checkpoint]]
    problems: list[str]

    def newest(self, org_id: int) -> Checkpoint | None:
        found = self.by_org.get(org_id)
        return found[-1] if found else None


def sinks() -> list[tuple[str, Storage]]:
    """[(sink name, storage)]: the checkpoint directory, then the S3 bucket when configured."""
    found = [("directory", FileSystemStorage(location=settings.ACTIVITY_CHECKPOINT_DIR))]
    if "activity_s3" in settings.STORAGES:
        found.append(("s3", storages["activity_s3"]))
    return found


def _org_dirs(storage: Storage, org_id: int | None) -> list[str]:
    if org_id is not None:
        return [f"org-{org_id}"]
    try:
        dirs, _ = storage.listdir("")
    except FileNotFoundError:
        return []
    return [d for d in dirs if d.startswith("org-") and d[4:].isdigit()]


def load(org_id: int | None = None) -> Loaded:
    """Every checkpoint in every sink (one org's, or all), signatures checked."""
    by_name: dict[str, Checkpoint] = {}
    problems = []
    for sink, storage in sinks():
        for folder in _org_dirs(storage, org_id):
            try:
                _, files = storage.listdir(folder)
            except FileNotFoundError:
                continue
            for file in files:
                name = f"{folder}/{file}"
                if name in by_name or not file.endswith(".json"):
                    continue
                try:
                    with storage.open(name) as handle:
                        checkpoint = Checkpoint.from_json(handle.read())
                except (OSError, ValueError) as error:
                    problems.append(f"{sink} checkpoint {name} cannot be read ({error}).")
                    continue
                if not checkpoint.is_authentic() or checkpoint.name != name:
                    problems.append(
                        f"{sink} checkpoint {name} has a signature that does not verify "
                        "(forged or altered)."
                    )
                    continue
                by_name[name] = checkpoint
    by_org: dict[int, list[Checkpoint]] = {}
    for checkpoint in sorted(by_name.values(), key=lambda c: (c.org_id, c.seq, c.created_at)):
        by_org.setdefault(checkpoint.org_id, []).append(checkpoint)
    return Loaded(by_org, problems)


def _save(checkpoint: Checkpoint) -> list[str]:
    """Write to every sink; returns the sinks that failed (logged)."""
    failed = []
    for sink, storage in sinks():
        try:
            storage.save(checkpoint.name, ContentFile(checkpoint.to_json().encode()))
        except Exception:  # noqa: BLE001 — any storage error: logged, reported, others go on
            logger.exception("Writing activity checkpoint %s to %s failed", checkpoint.name, sink)
            failed.append(sink)
    return failed


@dataclass
class Written:
    org_id: int
    checkpoint: Checkpoint | None  # None: not written (see reason)
    reason: str = ""
    refused: bool = False  # the chain since the newest checkpoint does not verify
    failed_sinks: tuple[str, ...] = ()


def write_checkpoints(org_ids: list[int] | None = None) -> list[Written]:
    """Sign and store a checkpoint of each org's chain head (every org with a chain, or
    `org_ids`). An org whose head has not moved since its newest checkpoint is skipped; one
    whose entries since that checkpoint do not verify gets none (reason says why)."""
    from .integrity import verify_chain

    heads = ActivityChain.objects.order_by("org_id")
    if org_ids is not None:
        heads = heads.filter(org_id__in=org_ids)
    loaded = load() if org_ids is None or len(org_ids) > 1 else load(org_ids[0])
    results = []
    for head in heads:
        newest = loaded.newest(head.org_id)
        if newest is not None and newest.seq == head.seq and newest.head_hash == head.head_hash:
            results.append(Written(head.org_id, None, "unchanged since the newest checkpoint"))
            continue
        report = verify_chain(
            head.org_id, loaded.by_org.get(head.org_id, []), since=newest, trust_legacy=True
        )
        if not report.ok:
            results.append(
                Written(head.org_id, None, f"not signed: {report.problem}", refused=True)
            )
            continue
        checkpoint = Checkpoint(
            org_id=head.org_id,
            seq=head.seq,
            head_hash=head.head_hash,
            entries=ActivityEntry.objects.filter(org_id=head.org_id, seq__lte=head.seq).count(),
            created_at=timezone.now().astimezone(datetime.UTC).isoformat(),
        ).signed()
        results.append(Written(head.org_id, checkpoint, failed_sinks=tuple(_save(checkpoint))))
    return results
