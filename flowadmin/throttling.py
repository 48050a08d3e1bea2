"""Throttling keyed the way sign-in compares emails.

Login ignores the email's case (orgs.models.UserManager), so the throttle must too: django-axes
keys its lock on `axes_username` — the email stripped and lower-cased, cut to 254 characters —
whatever view calls authenticate() (the email-first login, /admin/login/, django-allauth):
`Outsider@acme.test` and `OUTSIDER@ACME.TEST` count against, and are locked with,
`outsider@acme.test`. Password-reset emails are limited per normalised address
(django-ratelimit, settings.PASSWORD_RESET_RATE) so the form cannot be used to flood a mailbox;
the page answers the same either way.
"""

from __future__ import annotations

from django.conf import settings
from django_ratelimit.core import is_ratelimited

# Credential names a login view may pass to authenticate(): Django's forms, allauth.
USERNAME_KEYS = ("username", "email", "login")
MAX_EMAIL = 254


def normalize(value) -> str:
    """An email as sign-in compares it: stripped, lower-case, at most 254 characters."""
    return str(value or "").strip().lower()[:MAX_EMAIL]


def axes_username(request, credentials) -> str:
    """AXES_USERNAME_CALLABLE: the normalised email of a sign-in attempt."""
    source = credentials or {}
    if not any(source.get(key) for key in USERNAME_KEYS) and request is not None:
        source = getattr(request, "POST", {}) or {}
    return normalize(next((source.get(key) for key in USERNAME_KEYS if source.get(key)), ""))


def reset_email_allowed(request, email: str) -> bool:
    """Counts one password-reset email to `email`; False once the address has had
    settings.PASSWORD_RESET_RATE (e.g. "3/h") of them."""
    address = normalize(email)
    return not is_ratelimited(
        request,
        group="password-reset",
        key=lambda group, request: address,
        rate=settings.PASSWORD_RESET_RATE,
        increment=True,
    )
