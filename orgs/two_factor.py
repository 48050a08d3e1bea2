"""Two-factor authentication (django-allauth `mfa`: TOTP with recovery codes, WebAuthn) as
the org setting "Require two-factor authentication" sees it."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect

# allauth.mfa Authenticator types that count as a second factor (recovery codes alone don't).
SECOND_FACTORS = ("totp", "webauthn")
NEXT_SESSION_KEY = "two_factor_next"


def signed_in_through_sso(request) -> bool:
    """Whether this session began with a sign-in through an org's IdP (allauth's record)."""
    from allauth.account.authentication import get_authentication_records

    records = get_authentication_records(request, request.user)
    return any(r.get("method") == "socialaccount" for r in records)


def second_factor_exists(user_ref: str):
    """An Exists() expression: the user at OuterRef(user_ref) has a TOTP/WebAuthn
    authenticator (for annotating member lists in the same query)."""
    from allauth.mfa.models import Authenticator
    from django.db.models import Exists, OuterRef

    return Exists(Authenticator.objects.filter(user=OuterRef(user_ref), type__in=SECOND_FACTORS))


def has_second_factor(user) -> bool:
    from allauth.mfa.models import Authenticator

    return Authenticator.objects.filter(user=user, type__in=SECOND_FACTORS).exists()


def needs_enrolment(request, org) -> bool:
    """True when `org` requires 2FA and the request's user must enrol first: no TOTP/WebAuthn
    authenticator, and not signed in through SSO while settings.SSO_SATISFIES_TWO_FACTOR (the
    IdP answers for the second factor). No query unless the org requires 2FA."""
    if not org.require_two_factor:
        return False
    if settings.SSO_SATISFIES_TWO_FACTOR and signed_in_through_sso(request):
        return False
    return not has_second_factor(request.user)


def gate(request, org):
    """None when the request may go on into `org`; else the redirect to enrol (see
    needs_enrolment). Forgets the "continue where you were going" link once it is used."""
    if needs_enrolment(request, org):
        return enrolment_redirect(request, org)
    session = getattr(request, "session", None)  # absent for RequestFactory requests
    if session is not None and NEXT_SESSION_KEY in session:
        del session[NEXT_SESSION_KEY]
    return None


def enrolment_redirect(request, org):
    """Send the person to set up an authenticator app, then back to where they were going."""
    messages.warning(
        request, f"{org.name} requires two-factor authentication: set it up to continue."
    )
    request.session[NEXT_SESSION_KEY] = request.get_full_path()
    return redirect("mfa_activate_totp")
