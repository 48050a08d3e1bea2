"""Streaming an org's new entries to an external sink (SPEC §5; the GitHub
Enterprise audit-log streaming anchor).

Delivery is at-least-once and in order: a batch is the entries after the stream's
`delivered_seq`, by seq, as JSON lines (the `export_activity --format jsonl` rows); only when the
sink acknowledges it does `delivered_seq` move, so a failed or interrupted delivery is sent
again from the same entry (a receiver deduplicates by `seq`). Entries are read once committed —
delivery runs outside the writer's transaction (`deliver_activity_streams`, on a schedule), so
a sink that is down never holds up or rolls back a change.

- Webhook: POST, `Content-Type: application/x-ndjson`, header
  `X-Flowadmin-Signature: sha256=<hex HMAC-SHA256 of the body under the stream's secret>`,
  `X-Flowadmin-Seq: <first>-<last>`; any 2xx acknowledges. HTTPS only (plain HTTP to a
  loopback address is allowed, for a receiver on the same host).
- Sink: a file `streams/org-<id>/<first seq>-<last seq>.jsonl` in every checkpoint sink
  (`audit.checkpoints.sinks()`: the directory and the S3 bucket when configured).

Failures are retried with exponential backoff (30 s, 1 min, 2 min … at most 1 hour), logged,
and shown on Settings → Integrations.
"""

from __future__ import annotations

import datetime
import hashlib
import hmac
import logging
import urllib.error
import urllib.request
from dataclasses import dataclass

from django.core.files.base import ContentFile
from django.db.models import Q
from django.utils import timezone

from .export import jsonl_lines
from .models import ActivityEntry, ActivityStream, StreamDestination

logger = logging.getLogger(__name__)

BATCH_SIZE = 500  # entries per delivery
TIMEOUT = 10  # seconds a webhook may take to answer
FIRST_RETRY = 30  # seconds; doubled after every failure in a row
MAX_RETRY = 3600
SIGNATURE_HEADER = "X-Flowadmin-Signature"


class DeliveryError(Exception):
    pass


def signature(secret: str, body: bytes) -> str:
    """The signature header's value: "sha256=" + hex HMAC-SHA256 of `body` under `secret`."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def retry_delay(failures: int) -> datetime.timedelta:
    """How long to wait after `failures` failed attempts in a row (≥ 1)."""
    return datetime.timedelta(seconds=min(FIRST_RETRY * 2 ** (failures - 1), MAX_RETRY))


def _post(stream: ActivityStream, body: bytes, first: int, last: int) -> None:
    request = urllib.request.Request(
        stream.url,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/x-ndjson",
            SIGNATURE_HEADER: signature(stream.secret(), body),
            "X-Flowadmin-Seq": f"{first}-{last}",
            "User-Agent": "flowadmin-activity-stream",
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT) as response:
            status = response.status
    except urllib.error.HTTPError as error:
        raise DeliveryError(f"the webhook answered HTTP {error.code}") from error
    except (urllib.error.URLError, OSError) as error:
        reason = getattr(error, "reason", error)
        raise DeliveryError(f"the webhook could not be reached ({reason})") from error
    if not 200 <= status < 300:
        raise DeliveryError(f"the webhook answered HTTP {status}")


def _write_to_sinks(stream: ActivityStream, body: bytes, first: int, last: int) -> None:
    from .checkpoints import sinks

    name = f"streams/org-{stream.org_id}/{first:012d}-{last:012d}.jsonl"
    for sink, storage in sinks():
        try:
            if storage.exists(name):  # a batch re-sent after a partial failure
                storage.delete(name)
            storage.save(name, ContentFile(body))
        except Exception as error:  # noqa: BLE001 — any storage error is a failed delivery
            raise DeliveryError(
                f"the {sink} sink failed ({type(error).__name__}: {error})"
            ) from error


@dataclass
class Delivery:
    org_id: int
    delivered: int  # entries acknowledged in this run
    error: str = ""


def deliver(stream: ActivityStream, *, batch_size: int = BATCH_SIZE) -> Delivery:
    """Send the stream's undelivered entries, a batch at a time, until it is caught up or a
    batch fails (then the failure is recorded with the time of the next attempt). Call it
    outside any transaction."""
    delivered = 0
    send = _post if stream.destination == StreamDestination.WEBHOOK else _write_to_sinks
    streams = ActivityStream.objects.filter(pk=stream.pk)
    while True:
        entries = ActivityEntry.objects.filter(org_id=stream.org_id, seq__gt=stream.delivered_seq)
        seqs = list(entries.order_by("seq").values_list("seq", flat=True)[:batch_size])
        if not seqs:
            return Delivery(stream.org_id, delivered)
        first, last = seqs[0], seqs[-1]
        batch = entries.filter(seq__lte=last).order_by("seq")
        body = "".join(jsonl_lines(batch)).encode()
        try:
            send(stream, body, first, last)
        except DeliveryError as error:
            failures = stream.failures + 1
            now = timezone.now()
            streams.update(
                failures=failures,
                last_error=str(error)[:500],
                last_error_at=now,
                next_attempt_at=now + retry_delay(failures),
            )
            stream.failures = failures
            logger.warning(
                "Activity stream of org %s: delivering #%s–#%s failed (%s attempt(s)): %s",
                stream.org_id,
                first,
                last,
                failures,
                error,
            )
            return Delivery(stream.org_id, delivered, str(error))
        streams.update(
            delivered_seq=last,
            failures=0,
            next_attempt_at=None,
            last_delivered_at=timezone.now(),
        )
        stream.delivered_seq, stream.failures = last, 0
        delivered += len(seqs)


def deliver_due(now: datetime.datetime | None = None) -> list[Delivery]:
    """Deliver every enabled stream whose retry time has come (or that has none)."""
    now = now or timezone.now()
    due = ActivityStream.objects.filter(enabled=True).filter(
        Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now)
    )
    return [deliver(stream) for stream in due.order_by("org_id")]
