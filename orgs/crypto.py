"""Encryption at rest for stored secrets (Fernet: AES-128-CBC + HMAC-SHA256).

Keys: `settings.FIELD_ENCRYPTION_KEYS`, a list of Fernet keys (urlsafe base64 of 32 bytes),
newest first. The first encrypts; every key decrypts (cryptography's MultiFernet). The key
derived from SECRET_KEY — the only key before FIELD_ENCRYPTION_KEYS existed, and the default in
development and tests — is always tried last, so secrets written under it stay readable until
`manage.py rotate_field_encryption` re-encrypts them under the newest key.

Users: integration secrets, SSO client secrets / IdP certificates, activity stream webhook
secrets (JSON), and allauth's TOTP secrets and recovery-code seeds (text, flowadmin.sso_adapters).
"""

import base64
import hashlib
import json

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

UNREADABLE = "Stored secrets cannot be decrypted with the configured FIELD_ENCRYPTION_KEYS."


class SecretsUnreadable(ValueError):
    """No configured key decrypts a stored token (a key was dropped too early, or SECRET_KEY
    changed before a rotation). Requests that meet it get a 503 page saying so
    (flowadmin.middleware.UnreadableSecretsMiddleware), never a 500."""


def derived_key() -> bytes:
    """The Fernet key derived from SECRET_KEY (the pre-FIELD_ENCRYPTION_KEYS key)."""
    digest = hashlib.sha256(("flowadmin-secrets:" + settings.SECRET_KEY).encode()).digest()
    return base64.urlsafe_b64encode(digest)


def keys() -> list[Fernet]:
    """The Fernets in use, newest first: FIELD_ENCRYPTION_KEYS, then the SECRET_KEY-derived key.
    Raises ImproperlyConfigured naming the position of a malformed key."""
    fernets = []
    for position, key in enumerate(settings.FIELD_ENCRYPTION_KEYS, start=1):
        try:
            fernets.append(Fernet(key.strip()))
        except (ValueError, TypeError) as error:
            raise ImproperlyConfigured(
                f"FIELD_ENCRYPTION_KEYS key #{position} is not a Fernet key "
                "(urlsafe base64 of 32 bytes)."
            ) from error
    return [*fernets, Fernet(derived_key())]


def _fernet() -> MultiFernet:
    return MultiFernet(keys())


def encrypt_json(values: dict) -> str:
    if not values:
        return ""
    return _fernet().encrypt(json.dumps(values, sort_keys=True).encode()).decode()


def decrypt_json(token: str) -> dict:
    """Raises SecretsUnreadable when no configured key decrypts `token`."""
    if not token:
        return {}
    return json.loads(decrypt_text(token))


def encrypt_text(text: str) -> str:
    return _fernet().encrypt(text.encode()).decode()


def decrypt_text(token: str) -> str:
    """Raises SecretsUnreadable when no configured key decrypts `token`."""
    try:
        return _fernet().decrypt(token.encode()).decode()
    except InvalidToken as error:
        raise SecretsUnreadable(UNREADABLE) from error


def rotate(token: str) -> str:
    """`token` re-encrypted under the newest key ("" stays ""). Raises SecretsUnreadable."""
    if not token:
        return ""
    try:
        return _fernet().rotate(token.encode()).decode()
    except InvalidToken as error:
        raise SecretsUnreadable(UNREADABLE) from error


def mask(secret: str) -> str:
    """What the console shows of a stored secret: never more than its last 4 characters."""
    if not secret:
        return ""
    return "•" * 8 + (secret[-4:] if len(secret) >= 12 else "")
