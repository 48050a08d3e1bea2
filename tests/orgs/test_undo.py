"""Undo of a removal (orgs.undo, POST /orgs/<org>/undo/): only the person who removed, only
soon after, only in that org, only while the policy still lets them make the change; a
forged or altered token does nothing. The browser flows are in tests/e2e/test_undo.py."""

from datetime import timedelta

import pytest
from django.contrib.messages import get_messages
from django.utils import timezone

from audit.models import ActivityEntry
from orgs import undo
from orgs.models import Team, TeamMembership
from tests.factories import OrgMembershipFactory
from workspaces.models import TeamAccess, WorkspaceMembership

pytestmark = pytest.mark.django_db

UNDO = "/orgs/acme/undo/"


def remove_from_field_sales(client, demo):
    """The admin removes teamuser from Field Sales; returns the undo token offered."""
    client.force_login(demo["admin@acme.test"])
    team = Team.objects.get(org__slug="acme", name="Field Sales")
    user = demo["teamuser@acme.test"]
    response = client.post(f"/orgs/acme/teams/{team.pk}/members/{user.pk}/remove/")
    assert response.status_code == 302
    [message] = get_messages(response.wsgi_request)
    token = undo.token_of(message)
    assert token
    return team, token


def undo_with(client, token, next_url="/orgs/acme/teams/"):
    return client.post(UNDO, {"token": token, "next": next_url})


def test_undo_adds_the_member_back_as_a_new_logged_change(client, demo):
    team, token = remove_from_field_sales(client, demo)
    before = ActivityEntry.objects.count()
    response = undo_with(client, token)
    assert response.status_code == 302 and response.url == "/orgs/acme/teams/"
    assert TeamMembership.objects.filter(team=team).exists()
    entry = ActivityEntry.objects.order_by("pk").last()
    assert ActivityEntry.objects.count() == before + 1
    assert (entry.action, entry.entity_type, entry.actor_email) == (
        "created",
        "team_member",
        "admin@acme.test",
    )


def test_another_admin_cannot_use_the_token(client, demo, acme):
    team, token = remove_from_field_sales(client, demo)
    other = OrgMembershipFactory(org=acme, admin=True).user
    client.force_login(other)
    response = undo_with(client, token)
    assert "That undo is not valid." in [str(m) for m in get_messages(response.wsgi_request)]
    assert not TeamMembership.objects.filter(team=team).exists()


def test_too_late(client, demo, monkeypatch):
    team, token = remove_from_field_sales(client, demo)
    monkeypatch.setattr(undo, "MAX_AGE_SECONDS", -1)
    response = undo_with(client, token)
    said = [str(m) for m in get_messages(response.wsgi_request)]
    assert "Too late to undo that: make the change again instead." in said
    assert not TeamMembership.objects.filter(team=team).exists()


def test_an_altered_token_does_nothing(client, demo):
    team, token = remove_from_field_sales(client, demo)
    response = undo_with(client, token[:-2] + ("AA" if token[-2:] != "AA" else "BB"))
    assert "That undo is not valid." in [str(m) for m in get_messages(response.wsgi_request)]
    assert not TeamMembership.objects.filter(team=team).exists()


def test_a_token_of_another_org_is_not_valid_there(client, demo, globex):
    _team, token = remove_from_field_sales(client, demo)
    OrgMembershipFactory(org=globex, user=demo["admin@acme.test"], admin=True)
    response = client.post("/orgs/globex/undo/", {"token": token})
    assert "That undo is not valid." in [str(m) for m in get_messages(response.wsgi_request)]


def test_the_policy_decides_at_undo_time(client, demo):
    """A Workspace Admin removes a member, then is made a Viewer: the undo is refused (403)."""
    client.force_login(demo["wsadmin@acme.test"])
    viewer = WorkspaceMembership.objects.get(
        user__email="viewer@acme.test", workspace__slug="marketing"
    )
    response = client.post(f"/orgs/acme/w/marketing/manage/members/{viewer.pk}/remove/")
    [message] = get_messages(response.wsgi_request)
    WorkspaceMembership.objects.filter(
        user__email="wsadmin@acme.test", workspace__slug="marketing"
    ).update(role="viewer", flows_manager=False, brand_kits_manager=False, audience_viewer=False)
    response = undo_with(client, undo.token_of(message))
    assert response.status_code == 403
    assert not WorkspaceMembership.objects.filter(user__email="viewer@acme.test").exists()


def test_next_stays_on_this_site(client, demo):
    _team, token = remove_from_field_sales(client, demo)
    response = undo_with(client, token, next_url="https://evil.example/")
    assert response.url == "/"


def test_undo_needs_a_post(client, demo):
    client.force_login(demo["admin@acme.test"])
    assert client.get(UNDO).status_code == 405


def test_undo_restores_the_grants_end(client, demo):
    """An expiring team access comes back with the same end (orgs.expiry), flags included."""
    team = Team.objects.get(org__slug="acme", name="Field Sales")
    end = (timezone.now() + timedelta(days=30)).replace(microsecond=0)
    TeamAccess.objects.filter(team=team).update(until=end, audience_viewer=True)
    grant = TeamAccess.objects.get(team=team)
    client.force_login(demo["admin@acme.test"])
    url = f"/orgs/acme/teams/{team.pk}/access/{grant.workspace_id}/remove/"
    response = client.post(url, {"confirmed": "1"})
    [message] = [m for m in get_messages(response.wsgi_request) if undo.token_of(m)]
    undo_with(client, undo.token_of(message))
    again = TeamAccess.objects.get(team=team)
    assert (again.role, again.audience_viewer, again.until) == ("editor", True, end)


def test_undoing_a_team_access_removal_refuses_once_the_team_has_access_again(client, demo):
    """Refused by the service (team_access_set's refuse_existing, judged under its lock), and
    the access given meanwhile stays as it is."""
    client.force_login(demo["admin@acme.test"])
    team = Team.objects.get(org__slug="acme", name="Field Sales")
    access = TeamAccess.objects.filter(team=team).select_related("workspace").first()
    workspace = access.workspace
    response = client.post(f"/orgs/acme/teams/{team.pk}/access/{workspace.pk}/remove/")
    [message] = get_messages(response.wsgi_request)
    token = undo.token_of(message)
    TeamAccess.objects.create(team=team, workspace=workspace, role="viewer")  # given again
    response = undo_with(client, token)
    said = [str(m) for m in get_messages(response.wsgi_request)]
    assert f"{team.name} has access to {workspace.name} again already." in said
    assert TeamAccess.objects.get(team=team, workspace=workspace).role == "viewer"
