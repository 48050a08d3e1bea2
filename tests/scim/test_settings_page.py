"""Settings → SCIM without a browser: who may see it, the token shown once, revoking."""

import pytest

from orgs.models import ScimToken
from orgs.scim.protocol import hash_token
from tests.factories import OrgMembershipFactory

pytestmark = pytest.mark.django_db

URL = "/orgs/initech/settings/scim/"


@pytest.fixture
def admin_client(client, org):
    client.force_login(org.memberships.get(role="admin").user)
    return client


def test_only_org_admins(client, org):
    client.force_login(OrgMembershipFactory(org=org, role="user").user)
    assert client.get(URL).status_code == 403
    assert client.post(URL, {"name": "x"}).status_code == 403
    assert not ScimToken.objects.exists()


def test_create_shows_the_token_once(admin_client, org):
    response = admin_client.post(URL, {"name": "Okta"})
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    text = response.context["token_text"]
    assert text in response.content.decode()
    token = ScimToken.objects.get(org=org)
    assert token.token_hash == hash_token(text) and token.created_by.email == "boss@initech.com"
    page = admin_client.get(URL).content.decode()
    assert text not in page and "Okta" in page and "Never" in page


def test_duplicate_name_is_a_form_error(admin_client, org):
    admin_client.post(URL, {"name": "Okta"})
    response = admin_client.post(URL, {"name": "okta"})
    assert "already has a SCIM token" in response.content.decode()
    assert ScimToken.objects.count() == 1


def test_revoke(admin_client, org, token_text):
    token = ScimToken.objects.get(org=org)
    revoke = f"{URL}{token.pk}/revoke/"
    assert "Revoke the SCIM token Okta?" in admin_client.get(revoke).content.decode()
    assert admin_client.post(revoke).status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert admin_client.post(revoke).status_code == 404
