"""django-allauth glue: one SSO app per org, built from orgs.SSOConfiguration; just-in-time
membership after a sign-in through an org's IdP (orgs.invitations.sso_join); the two-factor login
stage that lets an SSO sign-in count as the IdP's second factor; 2FA changes in the activity
log."""

from __future__ import annotations

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core.exceptions import ImmediateHttpResponse
from allauth.mfa import signals as mfa_signals
from allauth.mfa.adapter import DefaultMFAAdapter
from allauth.mfa.stages import AuthenticateStage
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from django.conf import settings
from django.dispatch import receiver
from django.shortcuts import render

from orgs import crypto, invitations, services
from orgs import sso as sso_reads
from orgs.errors import ServiceError


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request):
        """No self-service sign-up: accounts come from invitations and SSO sign-ins."""
        return False

    def get_login_stages(self):
        return [
            "flowadmin.sso_adapters.TwoFactorStage"
            if path == "allauth.mfa.stages.AuthenticateStage"
            else path
            for path in super().get_login_stages()
        ]


class MFAAdapter(DefaultMFAAdapter):
    """TOTP secrets (and recovery-code seeds) stored encrypted like integration secrets."""

    def encrypt(self, text: str) -> str:
        return crypto.encrypt_text(text)

    def decrypt(self, encrypted_text: str) -> str:
        return crypto.decrypt_text(encrypted_text)


class TwoFactorStage(AuthenticateStage):
    """allauth's "enter your code" stage, skipped for SSO sign-ins when
    settings.SSO_SATISFIES_TWO_FACTOR (the IdP answers for the second factor)."""

    def _should_handle(self, request) -> bool:
        if settings.SSO_SATISFIES_TWO_FACTOR and "sociallogin" in (self.login.signal_kwargs or {}):
            return False
        return super()._should_handle(request)


def _refusal(request, config, message: str, status: int = 403):
    return render(
        request,
        "registration/sso_refused.html",
        {"sso": config, "message": message},
        status=status,
    )


def _email(sociallogin) -> str:
    if sociallogin.user is not None and sociallogin.user.email:
        return sociallogin.user.email
    addresses = [a.email for a in sociallogin.email_addresses if a.email]
    return addresses[0] if addresses else ""


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    def list_apps(self, request, provider=None, client_id=None):
        """The orgs' SSO configurations as allauth apps (nothing in allauth's SocialApp table
        or settings)."""
        return sso_reads.social_apps(provider=provider, client_id=client_id)

    def populate_user(self, request, sociallogin, data):
        """The IdP's name claims (OIDC `name`, SAML first_name/last_name) as full_name."""
        user = super().populate_user(request, sociallogin, data)
        name = data.get("name") or " ".join(
            part for part in (data.get("first_name"), data.get("last_name")) if part
        )
        user.full_name = (name or "").strip()[:150]
        return user

    def is_open_for_signup(self, request, sociallogin):
        # Reached only after pre_social_login joined the person (it refuses everyone else).
        return True

    def pre_social_login(self, request, sociallogin):
        """Every sign-in through an org's IdP: refuse an email outside the domains its SSO
        covers (nothing is created), else match or create the account and join the org."""
        config = sso_reads.for_provider(sociallogin.account.provider)
        if config is None:
            raise ImmediateHttpResponse(
                _refusal(request, None, "This sign-in is not set up anymore.", 404)
            )
        person = sociallogin.user if sociallogin.is_existing else None
        try:
            user = invitations.sso_join(
                actor=person,
                sso=config,
                email=_email(sociallogin),
                full_name=sociallogin.user.full_name if sociallogin.user else "",
            )
        except ServiceError as refused:
            raise ImmediateHttpResponse(_refusal(request, config, refused.text)) from None
        if not sociallogin.is_existing:
            sociallogin.connect(request, user)

    def on_authentication_error(
        self, request, provider, error=None, exception=None, extra_context=None
    ):
        """A failed IdP round trip (bad signature, expired, replayed, wrong audience…): the
        refusal page, naming the IdP's org."""
        config = sso_reads.for_provider(getattr(provider, "app", None) and provider.app.provider_id)
        detail = (
            (extra_context or {}).get("saml_last_error_reason")
            or (str(exception) if exception else "")
            or error
            or "unknown error"
        )
        raise ImmediateHttpResponse(
            _refusal(
                request,
                config,
                f"The identity provider's answer was refused ({detail}). Nothing was changed; "
                "try again, or ask your administrator.",
            )
        )


# --- 2FA changes in the activity log ----------------------------------------------------------


@receiver(mfa_signals.authenticator_added)
def on_authenticator_added(sender, request, user, authenticator, **kwargs):
    services.two_factor_changed(actor=user, change=f"{authenticator.get_type_display()} added")


@receiver(mfa_signals.authenticator_removed)
def on_authenticator_removed(sender, request, user, authenticator, **kwargs):
    services.two_factor_changed(actor=user, change=f"{authenticator.get_type_display()} removed")


@receiver(mfa_signals.authenticator_reset)
def on_authenticator_reset(sender, request, user, authenticator, **kwargs):
    kind = authenticator.get_type_display()
    services.two_factor_changed(actor=user, change=f"{kind} regenerated")
