"""Sign-in through an org's SAML 2.0 IdP (pysaml2's IdP on loopback, assertions signed with
xmlsec1): a good assertion signs in (JIT for newcomers); a bad signature, an expired or replayed
assertion, another audience, an email outside the covered domains are each refused with a
clear page and nothing created."""

import pytest
from allauth.socialaccount.models import SocialAccount

from audit.models import ActivityEntry
from orgs.models import OrgMembership, User

pytestmark = pytest.mark.django_db


def counts():
    """Accounts, IdP links, memberships and activity entries: what a refused sign-in must
    leave as it was."""
    return (
        User.objects.count(),
        SocialAccount.objects.count(),
        OrgMembership.objects.count(),
        ActivityEntry.objects.count(),
    )


def test_member_signs_in_with_a_signed_assertion(saml_sign_in, client, demo):
    _, response = saml_sign_in("Editor@acme.test")
    assert response.status_code == 302, response.content.decode()[:1500]
    assert int(client.session["_auth_user_id"]) == demo["editor@acme.test"].pk


def test_newcomer_joins_just_in_time(saml_sign_in, client, acme_saml):
    _, response = saml_sign_in("newbie@acme.test")
    assert response.status_code == 302
    person = User.objects.get(email="newbie@acme.test")
    assert OrgMembership.objects.get(org=acme_saml.org, user=person).role == "user"


@pytest.mark.parametrize(
    "mode,reason",
    [
        ("tamper", "Signature validation failed"),
        ("expired", "expired"),
        ("audience", "audience"),
    ],
)
def test_bad_assertions_are_refused_and_nothing_created(saml_sign_in, client, demo, mode, reason):
    before = counts()
    _, response = saml_sign_in("newbie@acme.test", mode=mode)
    page = response.content.decode()
    assert response.status_code == 403, page[:1500]
    assert "Sign-in refused" in page
    assert reason.lower() in page.lower()
    assert counts() == before
    assert "_auth_user_id" not in client.session


def test_a_replayed_assertion_is_refused(saml_sign_in, client, demo):
    sent, response = saml_sign_in("newbie@acme.test")
    assert response.status_code == 302
    client.post("/accounts/logout/")
    before = counts()
    _, replayed = saml_sign_in("newbie@acme.test", replay=sent)
    assert replayed.status_code in (400, 403), replayed.content.decode()[:1500]
    assert "Sign-in refused" in replayed.content.decode()
    assert counts() == before
    assert "_auth_user_id" not in client.session


def test_email_outside_the_covered_domains_is_refused(saml_sign_in, client, demo):
    before = counts()
    _, response = saml_sign_in("stranger@elsewhere.test")
    assert response.status_code == 403
    assert "is not in a domain that Acme" in response.content.decode()
    assert counts() == before
    assert "_auth_user_id" not in client.session


def test_an_idp_without_metadata_url_uses_its_sso_url_and_certificate(
    saml_sign_in, saml_idp, acme_saml, client, demo
):
    """Google Workspace style: no metadata URL; the SSO URL and the certificate are given."""
    from orgs import services

    services.sso_configure(
        actor=None,
        org=acme_saml.org,
        protocol="saml",
        entity_id=saml_idp.entity_id,
        metadata_url=f"{saml_idp.base}/sso/redirect",
        hostnames=["acme.test"],
        idp_certificate=(saml_idp.directory / "idp.crt").read_text(),
    )
    _, response = saml_sign_in("editor@acme.test")
    assert response.status_code == 302, response.content.decode()[:1500]
    assert int(client.session["_auth_user_id"]) == demo["editor@acme.test"].pk


def test_settings_page_gives_the_sp_metadata_and_acs_urls(client, demo, acme_saml):
    client.defaults["HTTP_HOST"] = "testserver"
    client.force_login(demo["admin@acme.test"])
    page = client.get("/orgs/acme/settings/sso/").content.decode()
    assert "http://127.0.0.1:8000/accounts/saml/acme/metadata/" in page
    assert "http://127.0.0.1:8000/accounts/saml/acme/acs/" in page
    metadata = client.get("/accounts/saml/acme/metadata/")
    assert metadata.status_code == 200
    assert b"AssertionConsumerService" in metadata.content
