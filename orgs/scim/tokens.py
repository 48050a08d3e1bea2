"""Creating and revoking SCIM tokens: the services behind Settings → SCIM and
`manage.py scim_token`. A token is 32 random bytes (url-safe base64, prefixed `scim_`); only its
SHA-256 is stored, so it can be shown once only."""

import secrets

from django.db import transaction
from django.utils import timezone

from ..errors import ServiceError
from ..models import ScimToken
from .protocol import hash_token

PREFIX = "scim_"


@transaction.atomic
def token_create(*, actor, org, name: str) -> tuple[ScimToken, str]:
    """A new token for `org` named `name` (unique among the org's active tokens). Returns
    (the ScimToken, the token text — not stored, show it once)."""
    name = (name or "").strip()
    if not name:
        raise ServiceError("Give the token a name, e.g. the identity provider using it.")
    if len(name) > 60:
        raise ServiceError("A token name has at most 60 characters.")
    if ScimToken.objects.filter(org=org, name__iexact=name, revoked_at__isnull=True).exists():
        raise ServiceError(
            f"{org.name} already has a SCIM token called {name!r}.", code="duplicate"
        )
    text = PREFIX + secrets.token_urlsafe(32)
    token = ScimToken.objects.create(
        org=org,
        name=name,
        token_hash=hash_token(text),
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    return token, text


@transaction.atomic
def token_revoke(*, actor, token: ScimToken) -> ScimToken:
    """Revoke `token` now: it stops working on its next request."""
    token = ScimToken.objects.select_for_update().get(pk=token.pk)
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
    return token


def active_token(org, name: str) -> ScimToken:
    """The org's active token called `name` (case-insensitive), or ServiceError."""
    token = ScimToken.objects.filter(org=org, name__iexact=name.strip(), revoked_at__isnull=True)
    found = token.first()
    if found is None:
        raise ServiceError(f"{org.name} has no active SCIM token called {name!r}.")
    return found
