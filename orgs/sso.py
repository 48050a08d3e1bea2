"""Single sign-on reads: which org's SSO covers an email address, the django-allauth app an
org's SSO configuration becomes, and what the SSO settings page reports.

An org's SSO covers the email addresses whose domain (the part after "@") is one of the
verified domains attached to its SSOConfiguration. Writes (configuration, just-in-time
membership) are in orgs.services.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

from django.conf import settings
from django.db.models import Count, Max
from django.urls import reverse

from .models import DomainStatus, OrgMembership, SSOConfiguration, SSOProtocol

OIDC = "openid_connect"  # allauth's provider ids
SAML = "saml"


def email_domain(email: str) -> str:
    """ "Ada@Example.COM " → "example.com"; "" when there is no "@"."""
    _, at, domain = (email or "").strip().lower().rpartition("@")
    return domain.rstrip(".") if at else ""


def covering(email: str) -> SSOConfiguration | None:
    """The SSO configuration (with its org) covering `email`'s domain, or None. One query."""
    domain = email_domain(email)
    if not domain:
        return None
    return (
        SSOConfiguration.objects.select_related("org")
        .filter(domains__hostname=domain, domains__status=DomainStatus.VERIFIED)
        .first()
    )


def covers(sso: SSOConfiguration, email: str) -> bool:
    domain = email_domain(email)
    return (
        bool(domain) and sso.domains.filter(hostname=domain, status=DomainStatus.VERIFIED).exists()
    )


def for_provider(provider_id: str) -> SSOConfiguration | None:
    """The configuration behind an allauth app's provider id (the org slug)."""
    return SSOConfiguration.objects.select_related("org").filter(org__slug=provider_id).first()


def login_url(sso: SSOConfiguration) -> str:
    """Where "Continue with <org>'s SSO" goes: allauth's login view for the org's app
    (a POST starts the flow; see templates/registration/_sso_button.html)."""
    if sso.protocol == SSOProtocol.SAML:
        return reverse("saml_login", kwargs={"organization_slug": sso.provider_id})
    return reverse("openid_connect_login", kwargs={"provider_id": sso.provider_id})


def redirect_uri(sso: SSOConfiguration) -> str:
    """The path the IdP sends people back to: OIDC redirect URI or SAML ACS URL."""
    if sso.protocol == SSOProtocol.SAML:
        return reverse("saml_acs", kwargs={"organization_slug": sso.provider_id})
    return reverse("openid_connect_callback", kwargs={"provider_id": sso.provider_id})


def sp_metadata_path(sso: SSOConfiguration) -> str | None:
    """SAML only: the path of this site's SP metadata for the org (also the SP entity id when
    client_id is blank)."""
    if sso.protocol != SSOProtocol.SAML:
        return None
    return reverse("saml_metadata", kwargs={"organization_slug": sso.provider_id})


def absolute(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def is_loopback(url: str) -> bool:
    return (urlsplit(url).hostname or "") in {"127.0.0.1", "localhost", "::1"}


def social_app(sso: SSOConfiguration):
    """The unsaved allauth SocialApp for an org's configuration (built per request, never
    stored: the secrets stay encrypted in SSOConfiguration)."""
    from allauth.socialaccount.models import SocialApp

    secrets = sso.secrets()
    if sso.protocol == SSOProtocol.OIDC:
        return SocialApp(
            provider=OIDC,
            provider_id=sso.provider_id,
            name=sso.org.name,
            client_id=sso.client_id,
            secret=secrets.get("client_secret", ""),
            settings={"server_url": sso.metadata_url},
        )
    if secrets.get("x509cert"):
        # No metadata to fetch (e.g. Google Workspace): the URL is the IdP's SSO endpoint and
        # its signing certificate was given.
        idp = {
            "entity_id": sso.entity_id,
            "sso_url": sso.metadata_url,
            "x509cert": secrets["x509cert"],
        }
    else:
        idp = {"entity_id": sso.entity_id, "metadata_url": sso.metadata_url}
    return SocialApp(
        provider=SAML,
        provider_id=sso.provider_id,
        name=sso.org.name,
        client_id=sso.provider_id,
        settings={
            "idp": idp,
            "sp": {"entity_id": sso.client_id or absolute(sp_metadata_path(sso))},
            "attribute_mapping": {
                "uid": "uid",
                "email": "email",
                "first_name": "first_name",
                "last_name": "last_name",
            },
            "advanced": {
                "want_assertion_signed": True,
                "want_message_signed": False,
                "reject_idp_initiated_sso": True,
                "allow_single_label_domains": True,
            },
        },
    )


def social_apps(*, provider: str | None = None, client_id: str | None = None) -> list:
    """allauth apps for every org SSO configuration matching allauth's lookup: `provider` is
    "openid_connect", "saml" or an org slug (provider id); `client_id` as stored."""
    configs = SSOConfiguration.objects.select_related("org").order_by("pk")
    if provider == OIDC:
        configs = configs.filter(protocol=SSOProtocol.OIDC)
    elif provider == SAML:
        configs = configs.filter(protocol=SSOProtocol.SAML)
    elif provider:
        configs = configs.filter(org__slug=provider)
    apps = [social_app(sso) for sso in configs]
    if client_id:
        apps = [app for app in apps if app.client_id == client_id]
    return apps


@dataclass(frozen=True)
class SSOState:
    """What the SSO settings page reports: members who signed in through this IdP, when the
    last did, and the URLs to give to the IdP (absolute, from settings.SITE_URL)."""

    members_signed_in: int
    last_sign_in: datetime | None
    redirect_uri: str
    sp_metadata_url: str | None
    login_path: str


def state(sso: SSOConfiguration) -> SSOState:
    """One query: the org's members' allauth accounts of this provider (count, latest)."""
    from allauth.socialaccount.models import SocialAccount

    summary = SocialAccount.objects.filter(
        provider=sso.provider_id,
        user__in=OrgMembership.objects.filter(org=sso.org_id).values("user"),
    ).aggregate(last=Max("last_login"), members=Count("user", distinct=True))
    metadata = sp_metadata_path(sso)
    return SSOState(
        members_signed_in=summary["members"],
        last_sign_in=summary["last"],
        redirect_uri=absolute(redirect_uri(sso)),
        sp_metadata_url=absolute(metadata) if metadata else None,
        login_path=login_url(sso),
    )


def allow_idp_form_action(response, config):
    """Return `response` with the org's IdP origins added to its CSP form-action: "Continue
    with SSO" POSTs to this site, which redirects to the IdP, and browsers apply form-action to
    the redirects that follow a form submission (CSP Level 3, "form-action"). config: an
    SSOConfiguration or None (the response is returned unchanged)."""
    if config is not None and (origins := config.idp_origins()):
        response._csp_update = {"form-action": origins}
    return response
