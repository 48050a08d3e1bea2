"""Sessions opened before an org turns SSO enforcement or "Require two-factor authentication"
on are held to the new rule: enforcing SSO ends the sessions of the people it covers that did
not sign in through the IdP (and the org's pages turn away any it could not reach); requiring
2FA sends members without it to enrol at their next request, behind a fresh password."""

import pytest
from django.test import Client

from audit.models import ActivityEntry
from orgs import services

from .test_two_factor import WORKSPACE, enrol, password_login

pytestmark = pytest.mark.django_db

ENDED = "sessions ended (not signed in through SSO)"


def enforce(sso, actor):
    """Turn enforcement on for `sso` as an operator would (the admin site and `set_sso` call
    the same service), keeping everything else."""
    return services.sso_configure(
        actor=actor,
        org=sso.org,
        protocol=sso.protocol,
        entity_id=sso.entity_id,
        metadata_url=sso.metadata_url,
        client_id=sso.client_id,
        hostnames=[d.hostname for d in sso.domains.all()],
        enforced=True,
    )


def signed_in(client) -> bool:
    return "_auth_user_id" in client.session


def test_enforcing_sso_ends_the_covered_password_sessions_and_logs_it(
    sso_sign_in, client, acme_sso, demo
):
    editor, outsider = Client(), Client()
    password_login(editor, "editor@acme.test")
    password_login(outsider, "admin@globex.test")
    assert sso_sign_in("admin@acme.test").status_code == 302
    assert editor.get(WORKSPACE).status_code == 200

    enforce(acme_sso, actor=demo["ops@flowadmin.test"])

    assert not signed_in(editor)  # ended in the session store, before any request
    assert editor.get("/")["Location"].startswith("/accounts/login/")
    assert signed_in(client) and client.get("/orgs/acme/").status_code == 200
    assert signed_in(outsider) and outsider.get("/orgs/globex/").status_code == 200
    entry = ActivityEntry.objects.filter(org_id=acme_sso.org_id, entity_type="sso").latest("seq")
    assert entry.changes == {ENDED: [None, 1]}
    assert entry.actor_email == "ops@flowadmin.test"


def test_saving_an_unenforced_configuration_ends_no_session(acme_sso, demo):
    editor = Client()
    password_login(editor, "editor@acme.test")
    services.sso_configure(
        actor=demo["ops@flowadmin.test"],
        org=acme_sso.org,
        protocol=acme_sso.protocol,
        entity_id=acme_sso.entity_id,
        metadata_url=acme_sso.metadata_url,
        hostnames=["acme.test"],
        enforced=False,
    )
    assert editor.get(WORKSPACE).status_code == 200
    assert not ActivityEntry.objects.filter(changes__has_key=ENDED).exists()


def test_a_session_enforcement_could_not_reach_is_turned_away_at_the_org(client, acme_sso, demo):
    """A session no one recorded (opened before sessions were tracked) is refused at the org's
    pages: signed out, and sent to the login page for that email, which offers the SSO."""
    client.force_login(demo["editor@acme.test"])
    enforce(acme_sso, actor=demo["ops@flowadmin.test"])
    response = client.get(WORKSPACE)
    assert response.status_code == 302
    assert response["Location"] == (
        "/accounts/login/?email=editor%40acme.test&next=/orgs/acme/w/marketing/flows/"
    )
    assert not signed_in(client)
    page = client.get(response["Location"]).content.decode()
    assert "Acme now requires signing in through its identity provider" in page
    assert 'action="/accounts/oidc/acme/login/"' in page


@pytest.mark.sso_enforced
def test_a_break_glass_admin_session_does_not_open_the_console(client, acme_sso, demo):
    admin = demo["admin@acme.test"]
    admin.is_staff = admin.is_superuser = True
    admin.save()
    client.post(
        "/admin/login/?next=/admin/",
        {"username": "admin@acme.test", "password": "flowadmin-demo", "next": "/admin/"},
    )
    assert client.get("/admin/").status_code == 200
    assert client.get("/orgs/acme/")["Location"].startswith("/accounts/login/?email=admin")
    assert not signed_in(client)


def test_requiring_2fa_sends_sessions_from_before_to_enrol_behind_a_fresh_password(
    client, acme, demo, settings
):
    password_login(client, "editor@acme.test")
    assert client.get(WORKSPACE).status_code == 200

    services.org_set_require_two_factor(actor=demo["admin@acme.test"], org=acme, required=True)

    response = client.get(WORKSPACE)
    assert response["Location"] == "/accounts/2fa/totp/activate/"
    assert client.get("/orgs/acme/")["Location"] == "/accounts/2fa/totp/activate/"
    # The sign-in is older than allauth's reauthentication window: the password again first.
    settings.ACCOUNT_REAUTHENTICATION_TIMEOUT = 0
    asked = client.get("/accounts/2fa/totp/activate/")["Location"]
    assert asked.startswith("/accounts/reauthenticate/")
    assert 'name="password"' in client.get(asked).content.decode()
    settings.ACCOUNT_REAUTHENTICATION_TIMEOUT = 300
    again = client.post(asked, {"password": "flowadmin-demo"})
    assert again["Location"] == "/accounts/2fa/totp/activate/"
    enrol(client)
    assert client.get(WORKSPACE).status_code == 200
    entry = ActivityEntry.objects.filter(org_id=acme.pk, entity_type="two_factor").earliest("seq")
    members = acme.memberships.count()
    assert entry.changes == {"members to enrol at their next request": [None, members]}
    assert entry.actor_email == "admin@acme.test"
