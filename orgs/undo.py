"""Undo of a removal: after someone is removed from a team, a team loses its access to a
workspace or a member loses their direct access to one, the confirmation offers "Undo".

The offer is a signed token (django.core.signing, salted, compressed) carrying what was removed
and how it was — `kind`, the ids, the role and the flags — bound to the org and to the person
who removed it. It travels in the success message (`extra_tags`), which the page shows as a
toast with an Undo button for UNDO_SECONDS (static/js/app.js), or, without JavaScript, as a
message with an Undo button. Undoing (orgs.views.undo) puts the row back through the same
service that adds it: a new change with its own activity-log entry (the log stays
append-only), checked by the policy like any change.

Token payload: {"kind": one of KINDS, "org": org id, "by": user id, …the kind's fields}:
- TEAM_MEMBER: "team", "user", "until" (the membership's end, ISO 8601, or None)
- TEAM_ACCESS: "team", "workspace", "role", "flags" ({flag: bool}), "until"
- WORKSPACE_MEMBER: "workspace", "user", "role", "flags", "until" — the direct grant as it
  was before it was removed or lowered (undoing sets it back whether or not it is there now)
"""

import datetime

from django.contrib import messages
from django.core import signing

from .errors import ServiceError

SALT = "flowadmin.undo"
UNDO_SECONDS = 10  # how long the toast offers Undo (static/js/app.js UNDO_MS)
# How long the server still accepts it: a toast stays while hovered or focused, and a page
# without JavaScript keeps the message until the next page.
MAX_AGE_SECONDS = 120
TAG = "undo:"

TEAM_MEMBER = "team_member"
TEAM_ACCESS = "team_access"
WORKSPACE_MEMBER = "workspace_member"
KINDS = (TEAM_MEMBER, TEAM_ACCESS, WORKSPACE_MEMBER)


def ends(grant) -> str | None:
    """A grant's end (`until`, orgs.expiry) for a payload: ISO 8601, or None (no end)."""
    until = getattr(grant, "until", None)
    return until.isoformat() if until else None


def end_of(payload: dict) -> datetime.datetime | None:
    """The `until` of a payload, back as an aware datetime (or None)."""
    until = payload.get("until")
    return datetime.datetime.fromisoformat(until) if until else None


def grant_values(grant) -> dict:
    """The role, flags and end of a grant as it was (a WorkspaceMembership, a TeamAccess or a
    policy Source), to restore."""
    return {"role": grant.role, "flags": dict(grant.flags), "until": ends(grant)}


def offer(request, text: str, *, kind: str, **values) -> None:
    """Say `text` (a success message) with an Undo that restores what `values` describe."""
    if kind not in KINDS:
        raise ValueError(f"Unknown undo kind {kind!r}")
    payload = {"kind": kind, "org": request.org.pk, "by": request.user.pk, **values}
    token = signing.dumps(payload, salt=SALT, compress=True)
    messages.success(request, text, extra_tags=TAG + token)


def success(request, text: str, *, kind: str, restore: dict | None) -> None:
    """Say `text` (a success message): with an Undo that restores `restore` (the `kind`'s
    fields, as `offer` takes them) when something was removed or lowered; plainly when
    `restore` is None — nothing was (removed by someone else a moment ago, or lowered
    nothing)."""
    if restore is None:
        messages.success(request, text)
    else:
        offer(request, text, kind=kind, **restore)


def token_of(message) -> str:
    """The undo token a message carries, or ""."""
    tags = getattr(message, "extra_tags", "") or ""
    return tags[len(TAG) :] if tags.startswith(TAG) else ""


def read(token: str, *, org, actor) -> dict:
    """The payload of `token` if it is valid, recent, of `org` and made for `actor`; otherwise
    ServiceError with a sentence to show."""
    try:
        payload = signing.loads(token, salt=SALT, max_age=MAX_AGE_SECONDS)
    except signing.SignatureExpired:
        raise ServiceError(
            "Too late to undo that: make the change again instead.", code="expired"
        ) from None
    except signing.BadSignature:
        raise ServiceError("That undo is not valid.", code="invalid") from None
    if (
        not isinstance(payload, dict)
        or payload.get("kind") not in KINDS
        or payload.get("org") != org.pk
        or payload.get("by") != actor.pk
    ):
        raise ServiceError("That undo is not valid.", code="invalid")
    return payload
