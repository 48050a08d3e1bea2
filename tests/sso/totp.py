"""RFC 6238 time-based one-time passwords, computed by the tests as an authenticator app
would (SHA-1, 6 digits, 30-second steps: django-allauth's defaults)."""

import base64
import hashlib
import hmac
import struct
import time


def totp(secret_base32: str, at: float | None = None) -> str:
    key = base64.b32decode(secret_base32 + "=" * (-len(secret_base32) % 8))
    counter = int((time.time() if at is None else at) // 30)
    digest = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    value = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return f"{value % 1_000_000:06d}"
