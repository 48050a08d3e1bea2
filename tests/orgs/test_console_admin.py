"""The Django admin site lets an operator set SSO, see integrations (secrets masked) and
domains."""

import pytest

from orgs import services
from orgs.models import SSOConfiguration
from tests.factories import DomainFactory

pytestmark = pytest.mark.django_db

ADD_SSO = "/admin/orgs/ssoconfiguration/add/"
SECRET = "pat-na1-0123456789-very-secret"


def sso_form(org, domains=(), **overrides):
    return {
        "org": org.pk,
        "protocol": "saml",
        "entity_id": "https://idp.acme.example/entity",
        "metadata_url": "https://idp.acme.example/metadata.xml",
        "domains": [d.pk for d in domains],
        **overrides,
    }


def test_operator_sets_sso_in_the_admin_site(client, demo, acme):
    domain = DomainFactory(org=acme, verified=True)
    client.force_login(demo["ops@flowadmin.test"])
    response = client.post(ADD_SSO, sso_form(acme, [domain], enforced="on"))
    assert response.status_code == 302
    sso = SSOConfiguration.objects.get(org=acme)
    assert sso.enforced
    assert list(sso.domains.all()) == [domain]


@pytest.mark.parametrize(
    "case,message",
    [
        ("other_org_domain", "is not a domain of Acme"),
        ("pending_domain", "Select a valid choice"),
        ("http_url", "must be an https:// URL"),
    ],
)
def test_admin_refuses_bad_sso(client, demo, acme, globex, case, message):
    client.force_login(demo["ops@flowadmin.test"])
    data = sso_form(acme)
    if case == "other_org_domain":
        data["domains"] = [DomainFactory(org=globex, verified=True).pk]
    elif case == "pending_domain":
        data["domains"] = [DomainFactory(org=acme).pk]
    else:
        data["metadata_url"] = "http://idp.acme.example/metadata.xml"
    response = client.post(ADD_SSO, data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not SSOConfiguration.objects.exists()


def test_admin_stores_the_oidc_client_secret_encrypted_and_never_shows_it(client, demo, acme):
    domain = DomainFactory(org=acme, verified=True)
    client.force_login(demo["ops@flowadmin.test"])
    data = sso_form(acme, [domain], protocol="oidc", client_id="flowadmin")
    data["client_secret"] = SECRET
    assert client.post(ADD_SSO, data).status_code == 302
    sso = SSOConfiguration.objects.get(org=acme)
    assert sso.secrets() == {"client_secret": SECRET}
    assert SECRET not in sso.secrets_encrypted
    html = client.get(f"/admin/orgs/ssoconfiguration/{sso.pk}/change/").content.decode()
    assert SECRET not in html
    assert sso.secrets_encrypted not in html


def test_admin_shows_integration_secrets_masked_only(client, demo, acme):
    installation = services.integration_install(
        actor=None,
        org=acme,
        app_key="hubspot",
        values={"portal_id": "1", "access_token": SECRET},
    )
    client.force_login(demo["ops@flowadmin.test"])
    page = client.get(f"/admin/orgs/integrationinstallation/{installation.pk}/change/")
    html = page.content.decode()
    assert "access_token: ••••••••cret" in html
    assert SECRET not in html
    assert installation.secrets_encrypted not in html


def test_admin_domain_hostname_is_validated(client, demo, acme):
    client.force_login(demo["ops@flowadmin.test"])
    response = client.post(
        "/admin/orgs/domain/add/",
        {"org": acme.pk, "hostname": "http://bad", "status": "pending"},
    )
    assert response.status_code == 200
    assert "without http://" in response.content.decode()
