"""The activity log's keys, all kept outside the database (SPEC §5).

- Chain keys (`ACTIVITY_CHAIN_KEYS`): HMAC-SHA256 keys with ids, "id:base64key,id:base64key…".
  The first one signs new entries; the others still verify the entries they signed (rotation:
  put the new key first, keep the old ones after it). Entries store the id of their key.
- The checkpoint signing key (`ACTIVITY_SIGNING_KEY`): an Ed25519 private key, base64 of its
  32 raw bytes. `ACTIVITY_VERIFY_KEY` (base64 of the 32-byte public key) verifies checkpoints
  without it; when unset it is derived from the signing key.

Development and test settings derive both from SECRET_KEY when unset; production settings
require them from the environment (`manage.py activity_keys` generates a set).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import secrets
from functools import cache

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

# Entries written before the chain was keyed: their hash is SHA-256 without a key.
LEGACY_KEY_ID = "legacy"


def _derived(purpose: str) -> bytes:
    return hashlib.sha256(f"flowadmin-activity-{purpose}:{settings.SECRET_KEY}".encode()).digest()


def _b64(text: str, what: str) -> bytes:
    try:
        return base64.b64decode(text.strip(), validate=True)
    except (binascii.Error, ValueError) as error:
        raise ImproperlyConfigured(f"{what} is not valid base64.") from error


@cache
def _chain_keys(spec: str) -> tuple[tuple[str, bytes], ...]:
    keys = []
    for item in filter(None, (part.strip() for part in spec.split(","))):
        key_id, sep, text = item.partition(":")
        if not sep or not key_id or key_id == LEGACY_KEY_ID:
            raise ImproperlyConfigured(
                f"ACTIVITY_CHAIN_KEYS: {item[:12]!r}… is not 'id:base64key' "
                f"(ids other than {LEGACY_KEY_ID!r})."
            )
        key = _b64(text, f"ACTIVITY_CHAIN_KEYS key {key_id!r}")
        if len(key) < 32:
            raise ImproperlyConfigured(f"ACTIVITY_CHAIN_KEYS key {key_id!r} is under 32 bytes.")
        keys.append((key_id, key))
    if not keys:
        raise ImproperlyConfigured("ACTIVITY_CHAIN_KEYS has no key.")
    return tuple(keys)


def chain_keys() -> dict[str, bytes]:
    """{key id: HMAC key} of every configured chain key, the signing one first."""
    spec = settings.ACTIVITY_CHAIN_KEYS
    if not spec:
        return {"dev": _derived("chain")}
    return dict(_chain_keys(spec))


def signing_key_id() -> str:
    """The id of the key that signs new entries (the first configured)."""
    return next(iter(chain_keys()))


def signing_key() -> Ed25519PrivateKey:
    text = settings.ACTIVITY_SIGNING_KEY
    raw = _b64(text, "ACTIVITY_SIGNING_KEY") if text else _derived("checkpoint")
    if len(raw) != 32:
        raise ImproperlyConfigured("ACTIVITY_SIGNING_KEY must be 32 bytes (base64).")
    return Ed25519PrivateKey.from_private_bytes(raw)


def verify_key() -> Ed25519PublicKey:
    text = settings.ACTIVITY_VERIFY_KEY
    if not text:
        return signing_key().public_key()
    raw = _b64(text, "ACTIVITY_VERIFY_KEY")
    if len(raw) != 32:
        raise ImproperlyConfigured("ACTIVITY_VERIFY_KEY must be 32 bytes (base64).")
    return Ed25519PublicKey.from_public_bytes(raw)


def _raw(key) -> bytes:
    if isinstance(key, Ed25519PrivateKey):
        return key.private_bytes(
            serialization.Encoding.Raw,
            serialization.PrivateFormat.Raw,
            serialization.NoEncryption(),
        )
    return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def new_key_set(key_id: str = "k1") -> dict[str, str]:
    """Fresh keys as environment variables: {"ACTIVITY_CHAIN_KEYS": …, "ACTIVITY_SIGNING_KEY":
    …, "ACTIVITY_VERIFY_KEY": …}, every value base64."""
    private = Ed25519PrivateKey.generate()
    return {
        "ACTIVITY_CHAIN_KEYS": f"{key_id}:{base64.b64encode(secrets.token_bytes(32)).decode()}",
        "ACTIVITY_SIGNING_KEY": base64.b64encode(_raw(private)).decode(),
        "ACTIVITY_VERIFY_KEY": base64.b64encode(_raw(private.public_key())).decode(),
    }
