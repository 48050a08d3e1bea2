"""Sign-in through an org's OpenID Connect IdP (a real oidc-provider on loopback): login by
email domain, enforcement on every password path, just-in-time membership, the settings page."""

import pytest
from allauth.socialaccount.models import SocialAccount

from audit.models import ActivityEntry
from orgs import invitations
from orgs.models import Invitation, OrgMembership, User
from workspaces.models import Workspace, WorkspaceMembership

pytestmark = pytest.mark.django_db


def session_user_id(client):
    return client.session.get("_auth_user_id")


# --- the login page --------------------------------------------------------------------------


def test_login_asks_for_the_email_first(client, demo):
    html = client.get("/accounts/login/").content.decode()
    assert 'name="username"' in html
    assert 'name="password"' not in html


def test_covered_domain_is_offered_the_sso_and_a_password(client, acme_sso):
    response = client.post("/accounts/login/", {"username": "Editor@Acme.test"})
    html = response.content.decode()
    assert "Continue with Acme&#x27;s SSO" in html or "Continue with Acme's SSO" in html
    assert 'action="/accounts/oidc/acme/login/"' in html
    assert 'name="password"' in html


def test_uncovered_domain_gets_the_password_field_only(client, acme_sso):
    html = client.post("/accounts/login/", {"username": "admin@globex.test"}).content.decode()
    assert 'name="password"' in html
    assert "SSO" not in html.split("<h1>")[1].split("</form>")[0]


@pytest.mark.sso_enforced
def test_enforced_sso_shows_no_password_field(client, acme_sso):
    html = client.post("/accounts/login/", {"username": "editor@acme.test"}).content.decode()
    assert 'name="password"' not in html
    assert 'action="/accounts/oidc/acme/login/"' in html


@pytest.mark.sso_enforced
def test_enforced_sso_refuses_a_correct_password(client, acme_sso):
    response = client.post(
        "/accounts/login/", {"username": "EDITOR@acme.test", "password": "flowadmin-demo"}
    )
    assert response.status_code == 403
    assert "Acme requires signing in through its identity provider" in response.content.decode()
    assert session_user_id(client) is None


def test_not_enforced_password_login_still_works(client, acme_sso):
    response = client.post(
        "/accounts/login/", {"username": "editor@acme.test", "password": "flowadmin-demo"}
    )
    assert response.status_code == 302
    assert session_user_id(client) is not None


@pytest.mark.sso_enforced
def test_enforced_sso_refuses_a_password_reset(client, acme_sso, mailoutbox):
    response = client.post("/accounts/password_reset/", {"email": "viewer@acme.test"})
    assert response.status_code == 200
    assert "requires signing in through its identity provider" in response.content.decode()
    assert "Continue with Acme" in response.content.decode()
    assert mailoutbox == []


@pytest.mark.sso_enforced
def test_enforced_sso_refuses_a_password_account_from_an_invitation(client, acme_sso, demo):
    issued = invitations.invitation_create(
        actor=demo["admin@acme.test"], org=acme_sso.org, email="fresh@acme.test"
    )
    page = client.get(f"/invitations/{issued.token}/")
    assert "Continue with Acme" in page.content.decode()
    assert 'name="password1"' not in page.content.decode()
    response = client.post(
        f"/invitations/{issued.token}/",
        {"full_name": "Fresh", "password1": "a-long-pass-123", "password2": "a-long-pass-123"},
    )
    assert response.status_code == 403
    assert not User.objects.filter(email="fresh@acme.test").exists()


@pytest.mark.sso_enforced
def test_operators_keep_a_logged_break_glass_path_in_admin(client, acme_sso, demo):
    admin = demo["admin@acme.test"]
    admin.is_staff = True
    admin.is_superuser = True
    admin.save()
    response = client.post(
        "/admin/login/?next=/admin/",
        {"username": "admin@acme.test", "password": "flowadmin-demo", "next": "/admin/"},
    )
    assert response.status_code == 302
    entry = ActivityEntry.objects.filter(org_id=acme_sso.org_id, entity_type="sso").latest("seq")
    assert entry.actor_email == "admin@acme.test"
    assert "break-glass admin sign-in" in entry.changes


# --- signing in through the IdP ---------------------------------------------------------------


def test_member_signs_in_through_the_idp_matched_case_insensitively(sso_sign_in, client, demo):
    users_before = User.objects.count()
    response = sso_sign_in("Viewer@ACME.test")
    assert response.status_code == 302, response.content[:400]
    assert int(session_user_id(client)) == demo["viewer@acme.test"].pk
    assert User.objects.count() == users_before
    assert SocialAccount.objects.get(provider="acme").user == demo["viewer@acme.test"]


@pytest.fixture
def sso_sign_in(acme_sso, sso_sign_in):
    return sso_sign_in


@pytest.mark.sso_enforced
def test_new_person_of_a_covered_domain_joins_as_user(sso_sign_in, client, acme_sso):
    response = sso_sign_in("newbie@acme.test")
    assert response.status_code == 302
    person = User.objects.get(email="newbie@acme.test")
    assert person.full_name == "Nina Newbie"
    assert not person.has_usable_password()
    membership = OrgMembership.objects.get(org=acme_sso.org, user=person)
    assert membership.role == "user"
    assert not WorkspaceMembership.objects.filter(user=person).exists()
    entries = ActivityEntry.objects.filter(org_id=acme_sso.org_id, actor_email="newbie@acme.test")
    assert {e.entity_type for e in entries} >= {"org_member", "sso_join"}
    join = entries.get(entity_type="sso_join")
    assert join.changes["source"] == [None, "sso"]


def test_a_pending_invitation_says_more_than_user(sso_sign_in, acme_sso, demo):
    marketing = Workspace.objects.get(org=acme_sso.org, slug="marketing")
    invitations.invitation_create(
        actor=demo["admin@acme.test"],
        org=acme_sso.org,
        email="invited@acme.test",
        role="admin",
        workspace_roles=[(marketing, "editor")],
    )
    assert sso_sign_in("invited@acme.test").status_code == 302
    person = User.objects.get(email="invited@acme.test")
    assert OrgMembership.objects.get(org=acme_sso.org, user=person).role == "admin"
    assert WorkspaceMembership.objects.get(user=person, workspace=marketing).role == "editor"
    assert Invitation.objects.get(email="invited@acme.test").status == "accepted"


def test_email_outside_the_covered_domains_is_refused_and_nothing_created(
    sso_sign_in, client, acme_sso
):
    def counts():
        return User.objects.count(), SocialAccount.objects.count(), ActivityEntry.objects.count()

    before = counts()
    response = sso_sign_in("stranger@elsewhere.test")
    assert response.status_code == 403
    assert "is not in a domain that Acme&#x27;s SSO covers" in response.content.decode()
    assert counts() == before
    assert session_user_id(client) is None


def test_settings_page_shows_the_real_state(sso_sign_in, client, acme_sso, demo):
    sso_sign_in("admin@acme.test")
    html = client.get("/orgs/acme/settings/sso/").content.decode()
    assert "http://127.0.0.1:8000/accounts/oidc/acme/login/callback/" in html
    assert "Members who signed in through it" in html
    assert ">1<" in html
    assert "never" not in html.split("Last successful SSO sign-in")[1][:200]
    assert acme_sso.secrets()["client_secret"] not in html


def test_sso_demo_starts_the_idp_and_points_acme_at_it(acme, monkeypatch, capsys):
    """`make sso-demo`: the command starts the IdP, configures acme, then serves (runserver is
    replaced here by a check that the IdP answers)."""
    import requests
    from django.core.management import call_command

    from orgs.management import local_idp
    from orgs.management.commands import sso_demo
    from tests.conftest import require_service

    why = local_idp.unavailable()
    require_service("the local OIDC provider", why is None, why or "")
    seen = {}

    def serve(name, addr, **options):
        acme.refresh_from_db()
        seen["issuer"] = requests.get(acme.sso.metadata_url, timeout=5).json()["issuer"]

    monkeypatch.setattr(sso_demo, "call_command", serve)
    call_command("sso_demo", "--idp-port", str(local_idp.free_port()))
    assert seen["issuer"] == acme.sso.entity_id
    assert [d.hostname for d in acme.sso.domains.all()] == ["acme.test"]
    assert "Continue with Acme's SSO" in capsys.readouterr().out
