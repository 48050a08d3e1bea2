"""Two-factor authentication (django-allauth mfa): enrolment from the account page, sign-in
with a TOTP code, the org setting "Require two-factor authentication", the Users page column
and filter, and the activity log."""

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import SECRET_SESSION_KEY

from audit.models import ActivityEntry
from orgs import services

from .totp import totp

pytestmark = pytest.mark.django_db

WORKSPACE = "/orgs/acme/w/marketing/flows/"


def password_login(client, email):
    response = client.post("/accounts/login/", {"username": email, "password": "flowadmin-demo"})
    assert response.status_code == 302
    return response


def enrol(client):
    """Open the enrolment page, read the secret it shows, confirm with a computed code."""
    page = client.get("/accounts/2fa/totp/activate/")
    assert page.status_code == 200
    secret = client.session[SECRET_SESSION_KEY]
    assert secret in page.content.decode()
    response = client.post("/accounts/2fa/totp/activate/", {"code": totp(secret)})
    assert response.status_code == 302, response.content.decode()[:2000]
    return secret


def test_account_page_is_linked_from_every_page(client, demo):
    password_login(client, "editor@acme.test")
    assert 'href="/accounts/2fa/"' in client.get("/").content.decode()
    assert client.get("/accounts/2fa/").status_code == 200


def test_enrolment_and_sign_in_with_a_totp_code(
    client, demo, acme, django_capture_on_commit_callbacks
):
    password_login(client, "editor@acme.test")
    # allauth sends its "authenticator added" signal once the enrolment has committed.
    with django_capture_on_commit_callbacks(execute=True):
        secret = enrol(client)
    user = demo["editor@acme.test"]
    assert Authenticator.objects.filter(user=user, type="totp").exists()
    entry = ActivityEntry.objects.filter(org_id=acme.pk, entity_type="two_factor").latest("seq")
    assert entry.actor_email == "editor@acme.test"
    client.post("/accounts/logout/")

    response = password_login(client, "editor@acme.test")
    assert response["Location"] == "/accounts/2fa/authenticate/"
    assert "_auth_user_id" not in client.session
    wrong = client.post("/accounts/2fa/authenticate/", {"code": "000000"})
    assert wrong.status_code == 200 and "_auth_user_id" not in client.session
    response = client.post("/accounts/2fa/authenticate/", {"code": totp(secret, at=None)})
    assert response.status_code == 302
    assert int(client.session["_auth_user_id"]) == user.pk


def test_removal_is_logged(client, demo, acme, django_capture_on_commit_callbacks):
    password_login(client, "editor@acme.test")
    enrol(client)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/accounts/2fa/totp/deactivate/")
    assert response.status_code == 302
    assert not Authenticator.objects.filter(user=demo["editor@acme.test"], type="totp").exists()
    changes = [
        e.changes["two-factor authentication"][1]
        for e in ActivityEntry.objects.filter(org_id=acme.pk, entity_type="two_factor")
    ]
    assert "TOTP Authenticator removed" in changes


def test_require_two_factor_setting_is_logged(client, demo, acme):
    client.force_login(demo["admin@acme.test"])
    response = client.post(
        "/orgs/acme/settings/", {"description": acme.description, "require_two_factor": "on"}
    )
    assert response.status_code == 302
    acme.refresh_from_db()
    assert acme.require_two_factor
    entry = ActivityEntry.objects.filter(org_id=acme.pk, entity_type="org").latest("seq")
    assert entry.changes["require_two_factor"] == [False, True]
    assert entry.actor_email == "admin@acme.test"


def test_members_without_2fa_enrol_before_reaching_a_requiring_org(client, demo, acme):
    services.org_set_require_two_factor(actor=None, org=acme, required=True)
    password_login(client, "editor@acme.test")
    response = client.get(WORKSPACE)
    assert response.status_code == 302
    assert response["Location"] == "/accounts/2fa/totp/activate/"
    assert client.get("/orgs/acme/").status_code == 302
    enrol(client)
    assert client.get(WORKSPACE).status_code == 200


def test_other_orgs_and_non_members_are_not_redirected(client, demo, acme, globex):
    services.org_set_require_two_factor(actor=None, org=acme, required=True)
    password_login(client, "admin@globex.test")
    assert client.get("/orgs/globex/").status_code == 200
    assert client.get("/orgs/acme/").status_code == 404


@pytest.mark.parametrize("sso_counts", [True, False])
def test_sso_sign_in_counts_as_the_idps_second_factor_when_configured(
    settings, sso_sign_in, client, acme_sso, sso_counts
):
    settings.SSO_SATISFIES_TWO_FACTOR = sso_counts
    services.org_set_require_two_factor(actor=None, org=acme_sso.org, required=True)
    assert sso_sign_in("admin@acme.test").status_code == 302
    response = client.get("/orgs/acme/")
    assert response.status_code == (200 if sso_counts else 302)


def test_users_page_shows_and_filters_2fa(client, demo, acme):
    Authenticator.objects.create(user=demo["viewer@acme.test"], type="totp", data={})
    client.force_login(demo["admin@acme.test"])
    page = client.get("/orgs/acme/users/").content.decode()
    assert '<th scope="col">2FA</th>' in page
    with_2fa = client.get("/orgs/acme/users/?two_factor=on").content.decode()
    assert "viewer@acme.test" in with_2fa and "editor@acme.test" not in with_2fa
    without = client.get("/orgs/acme/users/?two_factor=off").content.decode()
    assert "viewer@acme.test" not in without and "editor@acme.test" in without


def test_a_recovery_code_signs_in_once(client, demo):
    password_login(client, "editor@acme.test")
    enrol(client)
    user = demo["editor@acme.test"]
    codes = Authenticator.objects.get(user=user, type="recovery_codes").wrap()
    code = codes.get_unused_codes()[0]
    client.post("/accounts/logout/")

    password_login(client, "editor@acme.test")
    assert client.post("/accounts/2fa/authenticate/", {"code": code}).status_code == 302
    assert int(client.session["_auth_user_id"]) == user.pk
    client.post("/accounts/logout/")

    password_login(client, "editor@acme.test")
    reused = client.post("/accounts/2fa/authenticate/", {"code": code})
    assert reused.status_code == 200
    assert "_auth_user_id" not in client.session
