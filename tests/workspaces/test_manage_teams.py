"""Manage → Teams: the org's teams with access, role and flags in place, add, remove."""

import html

import pytest

from orgs import permissions
from orgs.models import User
from tests.factories import TeamAccessFactory, TeamFactory, TeamMembershipFactory
from workspaces.models import TeamAccess

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}
TEAMS = "/orgs/acme/w/marketing/manage/teams/"


def test_teams_page_lists_teams_with_access_role_and_member_count(
    as_user, demo, marketing, field_sales
):
    TeamAccessFactory(team=field_sales, workspace=marketing, role="editor")
    html = as_user("wsadmin@acme.test").get(TEAMS).content.decode()
    assert "Field Sales" in html
    assert "1 member" in html
    assert '<option value="editor" selected>' in html


def test_teams_page_empty_state(as_user, demo):
    html = as_user("wsadmin@acme.test").get(TEAMS).content.decode()
    assert "No team has access to Marketing yet." in html


def test_teams_of_other_workspaces_are_not_listed(as_user, demo):
    html = as_user("wsadmin@acme.test").get(TEAMS).content.decode()
    assert '<tr id="team-' not in html  # Field Sales has access to sales only


def test_add_offers_only_teams_without_access(as_user, demo, marketing, field_sales):
    TeamFactory(org=marketing.org, name="Designers")
    TeamAccessFactory(team=field_sales, workspace=marketing)
    html = as_user("wsadmin@acme.test").get(TEAMS).content.decode()
    add_form = html.split('id="team-add-title"')[1]
    assert "Designers" in add_form
    assert "Field Sales" not in add_form


def test_add_a_team_with_a_role_gives_its_members_access(as_user, demo, marketing, field_sales):
    response = as_user("wsadmin@acme.test").post(
        TEAMS + "add/", {"team": field_sales.pk, "role": "editor"}
    )
    assert response.status_code == 302
    access = TeamAccess.objects.get(team=field_sales, workspace=marketing)
    assert access.flags == permissions.flag_defaults("editor")
    teamuser = User.objects.get(email="teamuser@acme.test")
    assert teamuser.has_perm("ws.manage_flows", marketing)


def test_add_a_team_of_another_org_is_refused(as_user, demo, marketing, globex):
    other = TeamFactory(org=globex, name="Globex Team")
    response = as_user("wsadmin@acme.test").post(
        TEAMS + "add/", {"team": other.pk, "role": "admin"}
    )
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
    assert not TeamAccess.objects.filter(team=other).exists()


def test_add_a_team_that_already_has_access_is_refused(as_user, demo, marketing, field_sales):
    TeamAccessFactory(team=field_sales, workspace=marketing, role="viewer")
    response = as_user("wsadmin@acme.test").post(
        TEAMS + "add/", {"team": field_sales.pk, "role": "admin"}
    )
    assert response.status_code == 400
    assert TeamAccess.objects.get(team=field_sales, workspace=marketing).role == "viewer"


def test_add_with_an_invalid_role_is_refused(as_user, demo, marketing, field_sales):
    response = as_user("wsadmin@acme.test").post(
        TEAMS + "add/", {"team": field_sales.pk, "role": "owner"}
    )
    assert response.status_code == 400
    assert not TeamAccess.objects.filter(team=field_sales, workspace=marketing).exists()


@pytest.mark.parametrize(
    "old,new",
    [("viewer", "editor"), ("editor", "admin"), ("admin", "viewer"), ("editor", "viewer")],
)
def test_team_role_change_applies_the_new_roles_defaults(
    as_user, demo, marketing, field_sales, old, new
):
    access = TeamAccessFactory(team=field_sales, workspace=marketing, role=old)
    if old != "admin":
        access.audience_viewer = True
        access.save()
    posted = {
        "role": new,
        "flows_manager": "on",
        "brand_kits_manager": "on",
        "audience_viewer": "on",
        "confirmed": "1",  # most of these lower access: confirmed
    }
    response = as_user("wsadmin@acme.test").post(TEAMS + f"{access.pk}/", posted, headers=HTMX)
    assert response.status_code == 200
    access.refresh_from_db()
    assert access.role == new
    assert access.flags == permissions.flag_defaults(new)


def test_team_flag_toggle_in_place(as_user, demo, marketing, field_sales):
    access = TeamAccessFactory(team=field_sales, workspace=marketing, role="viewer")
    response = as_user("wsadmin@acme.test").post(
        TEAMS + f"{access.pk}/", {"role": "viewer", "brand_kits_manager": "on"}, headers=HTMX
    )
    html = response.content.decode()
    assert html.strip().startswith(f'<tr id="team-{access.pk}"')
    assert "Permissions saved." in html
    access.refresh_from_db()
    assert access.brand_kits_manager
    assert User.objects.get(email="teamuser@acme.test").has_perm("ws.manage_brand_kits", marketing)


def test_team_change_without_htmx_redirects(as_user, demo, marketing, field_sales):
    access = TeamAccessFactory(team=field_sales, workspace=marketing, role="viewer")
    response = as_user("wsadmin@acme.test").post(TEAMS + f"{access.pk}/", {"role": "editor"})
    assert response.status_code == 302
    assert response["Location"] == TEAMS


def test_team_change_with_invalid_role(as_user, demo, marketing, field_sales):
    access = TeamAccessFactory(team=field_sales, workspace=marketing, role="viewer")
    client = as_user("wsadmin@acme.test")
    htmx = client.post(TEAMS + f"{access.pk}/", {"role": "owner"}, headers=HTMX)
    plain = client.post(TEAMS + f"{access.pk}/", {"role": "owner"})
    assert htmx.status_code == 200
    assert "Select a valid choice" in htmx.content.decode()
    assert plain.status_code == 400
    assert "Select a valid choice" in plain.content.decode()
    access.refresh_from_db()
    assert access.role == "viewer"


def test_team_access_of_another_workspace_is_a_404(as_user, demo, workspaces, field_sales):
    sales_access = TeamAccess.objects.get(team=field_sales, workspace=workspaces["sales"])
    client = as_user("wsadmin@acme.test")
    assert client.post(TEAMS + f"{sales_access.pk}/", {"role": "admin"}).status_code == 404
    assert client.get(TEAMS + f"{sales_access.pk}/remove/").status_code == 404
    assert client.post(TEAMS + f"{sales_access.pk}/remove/").status_code == 404
    sales_access.refresh_from_db()
    assert sales_access.role == "editor"


def test_remove_asks_for_confirmation_then_removes(as_user, demo, marketing, field_sales):
    access = TeamAccessFactory(team=field_sales, workspace=marketing)
    client = as_user("wsadmin@acme.test")
    confirm = html.unescape(client.get(TEAMS + f"{access.pk}/remove/").content.decode())
    assert "Remove Field Sales's access to Marketing?" in confirm
    assert TeamAccess.objects.filter(pk=access.pk).exists()
    assert client.post(TEAMS + f"{access.pk}/remove/").status_code == 302
    assert not TeamAccess.objects.filter(pk=access.pk).exists()


def test_workspace_admin_through_a_team_lowering_it_is_sent_home(as_user, demo, marketing):
    team = TeamFactory(org=marketing.org, name="Admins")
    TeamMembershipFactory(team=team, user=demo["outsider@acme.test"])
    access = TeamAccessFactory(team=team, workspace=marketing, role="admin")
    response = as_user("outsider@acme.test").post(
        TEAMS + f"{access.pk}/", {"role": "viewer", "confirmed": "1"}, headers=HTMX
    )
    assert response["HX-Redirect"] == "/"
