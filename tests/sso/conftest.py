"""A real OpenID Provider (npm oidc-provider) on loopback, and the acme org's SSO pointed at it."""

import re
from urllib.parse import urljoin, urlsplit

import pytest
import requests

from orgs import services
from orgs.management import local_idp
from orgs.models import Domain, DomainStatus
from tests.conftest import require_service

# People the IdP knows (its login is the email; any password).
IDP_ACCOUNTS = [
    {"sub": "idp-admin", "email": "admin@acme.test", "name": "Ada Admin"},
    {"sub": "idp-viewer", "email": "Viewer@ACME.test", "name": "Vera Viewer"},
    {"sub": "idp-newbie", "email": "newbie@acme.test", "name": "Nina Newbie"},
    {"sub": "idp-invited", "email": "invited@acme.test", "name": "Ivy Invited"},
    {"sub": "idp-stranger", "email": "stranger@elsewhere.test", "name": "Sam Stranger"},
]
ORGS = ("acme", "globex")


@pytest.fixture(scope="session")
def oidc_idp(live_server):
    why = local_idp.unavailable()
    require_service("the local OIDC provider", why is None, why or "")
    callbacks = [
        f"{base}/accounts/oidc/{org}/login/callback/"
        for base in ("http://testserver", live_server.url)
        for org in ORGS
    ]
    idp = local_idp.LocalOIDCProvider(redirect_uris=callbacks, accounts=IDP_ACCOUNTS).start()
    yield idp
    idp.stop()


def configure_acme(acme, request, **config):
    """acme's SSO covering its verified domain acme.test; enforced when the test is marked
    `sso_enforced`."""
    Domain.objects.update_or_create(
        hostname="acme.test", defaults={"org": acme, "status": DomainStatus.VERIFIED}
    )
    enforced = request.node.get_closest_marker("sso_enforced") is not None
    return services.sso_configure(
        actor=None, org=acme, hostnames=["acme.test"], enforced=enforced, **config
    )


@pytest.fixture
def acme_sso(acme, oidc_idp, request):
    """acme's OIDC SSO against the local OpenID Provider."""
    return configure_acme(
        acme,
        request,
        protocol="oidc",
        entity_id=oidc_idp.issuer,
        metadata_url=oidc_idp.discovery_url,
        client_id=local_idp.CLIENT_ID,
        client_secret=oidc_idp.client_secret,
    )


def idp_round_trip(start_url: str, email: str, stop_at: str) -> str:
    """Follow the IdP from its authorization URL, sign in as `email` on its login page, and
    return the first redirect back to `stop_at` (our callback, with code and state)."""
    session = requests.Session()
    url, response = start_url, None
    for _ in range(10):
        response = session.get(url, allow_redirects=False, timeout=10)
        while response.status_code in (302, 303):
            url = urljoin(url, response.headers["Location"])
            if url.startswith(stop_at):
                return url
            response = session.get(url, allow_redirects=False, timeout=10)
        action = re.search(r'<form[^>]*action="([^"]+)"', response.text)
        assert action, f"no login form at {url}: {response.status_code} {response.text[:300]}"
        response = session.post(
            urljoin(url, action.group(1)),
            data={"prompt": "login", "login": email, "password": "any"},
            allow_redirects=False,
            timeout=10,
        )
        url = urljoin(url, response.headers["Location"])
        if url.startswith(stop_at):
            return url
    raise AssertionError(f"the IdP never sent {email} back to {stop_at}")


@pytest.fixture
def sso_sign_in(client):
    """Sign in through the org's IdP with the Django test client; returns the response to the
    callback (a redirect when signed in, the refusal page otherwise)."""

    def sign_in(email, org="acme"):
        start = client.post(f"/accounts/oidc/{org}/login/")
        assert start.status_code == 302, start.content[:500]
        back = idp_round_trip(start["Location"], email, stop_at="http://testserver/")
        parts = urlsplit(back)
        return client.get(f"{parts.path}?{parts.query}")

    return sign_in


# --- SAML -------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def saml_idp(tmp_path_factory):
    from tests.idp import saml_idp as local_saml

    why = local_saml.unavailable()
    require_service("the local SAML IdP", why is None, why or "")
    idp = local_saml.LocalSAMLIdP(tmp_path_factory.mktemp("saml-idp")).start()
    yield idp
    idp.stop()


@pytest.fixture
def acme_saml(acme, saml_idp, request):
    """acme's SAML SSO against the local pysaml2 IdP."""
    saml_idp.mode = None
    return configure_acme(
        acme,
        request,
        protocol="saml",
        entity_id=saml_idp.entity_id,
        metadata_url=saml_idp.metadata_url,
    )


@pytest.fixture
def saml_sign_in(client, saml_idp, acme_saml):
    """Sign in through acme's SAML IdP as `email`; returns (the ACS POST data, the response
    to the last step: a redirect when signed in, the refusal page otherwise)."""

    client.defaults["HTTP_HOST"] = "testserver"  # python3-saml reads the Host header

    def sign_in(email, mode=None, replay=None):
        saml_idp.user, saml_idp.mode = email, mode
        if replay is None:
            start = client.post("/accounts/saml/acme/login/")
            assert start.status_code == 302, start.content[:500]
            page = requests.get(start["Location"], timeout=10).text
            fields = dict(re.findall(r'name="(SAMLResponse|RelayState)" value="([^"]*)"', page))
            action = urlsplit(re.search(r'action="([^"]+)"', page).group(1))
        else:
            fields, action = replay
        response = client.post(action.path, fields)
        while response.status_code == 302 and "/acs/finish/" in response["Location"]:
            response = client.get(response["Location"])
        return (fields, action), response

    return sign_in
