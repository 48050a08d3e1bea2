"""Writes of the audit app's own settings: an org's activity stream (the entries themselves are
only written by `audit.recording`). Each is atomic and logged, like every other setting, with
the actor of the request or command (`audit.context`)."""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

from django.db import transaction

from orgs import crypto
from orgs.errors import ServiceError

from .models import ActivityChain, ActivityStream, StreamDestination

MIN_SECRET_LENGTH = 16


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _check_webhook(url: str) -> None:
    parts = urlsplit(url or "")
    if not parts.hostname:
        raise ServiceError("A webhook stream needs the webhook's URL.")
    if parts.scheme != "https" and not (parts.scheme == "http" and _is_loopback(parts.hostname)):
        raise ServiceError("The webhook URL must use https:// (http:// only to this host).")


@transaction.atomic
def activity_stream_save(
    *, actor, org, destination: str, url: str = "", secret: str = "", enabled: bool = True
) -> ActivityStream:
    """Create or change `org`'s activity stream (see `audit.streaming`).

    destination: "sink" | "webhook". url: the webhook's URL (https, or http to a loopback
    address). secret: the webhook's HMAC signing secret, at least 16 characters; blank keeps
    the stored one. A new stream starts after the org's newest entry (it streams new entries).
    Raises ServiceError."""
    if destination not in StreamDestination.values:
        raise ServiceError(f"Unknown stream destination {destination!r}.")
    stream = ActivityStream.objects.select_for_update().filter(org=org).first()
    if destination == StreamDestination.WEBHOOK:
        _check_webhook(url)
        if secret and len(secret) < MIN_SECRET_LENGTH:
            raise ServiceError(f"The signing secret needs {MIN_SECRET_LENGTH}+ characters.")
        secret = secret or (stream.secret() if stream else "")
        if not secret:
            raise ServiceError("A webhook stream needs a signing secret.")
    else:
        url, secret = "", ""
    if stream is None:
        head = ActivityChain.objects.filter(pk=org.pk).values_list("seq", flat=True).first()
        stream = ActivityStream(org=org, delivered_seq=head or 0)
    stream.destination = destination
    stream.url = url
    stream.secrets_encrypted = crypto.encrypt_json({"secret": secret} if secret else {})
    stream.enabled = enabled
    stream.save()
    return stream


@transaction.atomic
def activity_stream_remove(*, actor, stream: ActivityStream) -> None:
    """Stop and delete the org's activity stream (what was delivered stays delivered)."""
    stream.delete()
