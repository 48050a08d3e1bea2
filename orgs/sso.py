"""Single sign-on reads: which org's SSO covers an email address, the django-allauth app an
org's SSO configuration becomes, and what the SSO settings page reports.

An org's SSO covers the email addresses whose domain (the part after "@") is one of the
verified domains attached to its SSOConfiguration. Writes (configuration, just-in-time
membership) are in orgs.services.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from urllib.parse import quote, urlsplit

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


# --- sessions that an enforced SSO no longer admits ---------------------------------------------


def signed_in_through(records: list[dict], sso: SSOConfiguration) -> bool:
    """Whether allauth's authentication records of a session (list of {"method", "provider",
    "at", …}) include a sign-in through `sso`'s IdP."""
    return any(
        r.get("method") == "socialaccount" and r.get("provider") == sso.provider_id for r in records
    )


def session_records(session) -> list[dict]:
    """allauth's authentication records kept in a session (a SessionBase), [] if none."""
    from allauth.account.authentication import AUTHENTICATION_METHODS_SESSION_KEY

    records = session.get(AUTHENTICATION_METHODS_SESSION_KEY)
    return records if isinstance(records, list) else []


def sessions_not_through(sso: SSOConfiguration) -> list:
    """The open sessions (allauth.usersessions UserSession, user loaded) of every account whose
    email a verified domain of `sso` covers, that did not sign in through `sso`'s IdP: what
    enforcing `sso` must end. One query for the sessions, then one session-store read each."""
    from importlib import import_module

    from allauth.usersessions.models import UserSession
    from django.db.models import Q

    hostnames = sso.domains.filter(status=DomainStatus.VERIFIED).values_list("hostname", flat=True)
    covered = Q()
    for hostname in hostnames:
        covered |= Q(user__email__iendswith=f"@{hostname}")
    if not covered:
        return []
    store = import_module(settings.SESSION_ENGINE).SessionStore
    return [
        session
        for session in UserSession.objects.filter(covered).select_related("user").order_by("pk")
        if not signed_in_through(session_records(store(session.session_key)), sso)
    ]


def session_gate(request, org):
    """None when the request's session may enter `org`; else the session is ended and the
    answer is the redirect to the login page for the person's email, which offers the org's
    SSO. A session is refused when `org` enforces SSO, the person's email is in a domain it
    covers, and the session did not sign in through the org's IdP (a password session from
    before enforcement, or an operator's break-glass sign-in to /admin/). No query unless the
    org enforces SSO and the session has no sign-in through it (`org.sso` selected with the
    org)."""
    from django.contrib import messages
    from django.contrib.auth import logout
    from django.contrib.auth.views import redirect_to_login

    try:
        config = org.sso
    except SSOConfiguration.DoesNotExist:
        return None
    session = getattr(request, "session", None)
    if not config.enforced or session is None:
        return None
    if signed_in_through(session_records(session), config):
        return None
    email = request.user.email
    if not covers(config, email):
        return None
    path = request.get_full_path()
    logout(request)
    messages.warning(
        request,
        f"{org.name} now requires signing in through its identity provider: "
        f"use “Continue with {org.name}'s SSO”.",
    )
    return redirect_to_login(path, f"{reverse('login')}?email={quote(email)}")


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
