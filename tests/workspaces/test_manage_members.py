"""Manage → Members: who has access and from where, role and flags in place, add, remove."""

import re

import pytest

from orgs import permissions
from orgs.models import OrgMembership, User
from tests.factories import (
    OrgMembershipFactory,
    TeamAccessFactory,
    TeamMembershipFactory,
    UserFactory,
    WorkspaceMembershipFactory,
    leave_org_behind_the_models_back,
)
from workspaces.models import WorkspaceMembership

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}
MEMBERS = "/orgs/acme/w/marketing/manage/members/"


def membership(email, ws_slug="marketing"):
    return WorkspaceMembership.objects.get(user__email=email, workspace__slug=ws_slug)


def row_of(html, user):
    """The member's table row in a Members page."""
    return html.split(f'id="member-{user.pk}"')[1].split("</tr>")[0]


def fresh(email):
    """A new user object: its access is loaded from the database again."""
    return User.objects.get(email=email)


# --- the list ------------------------------------------------------------------------------


def test_members_lists_direct_members_with_their_role(as_user, demo):
    html = as_user("wsadmin@acme.test").get(MEMBERS).content.decode()
    for email in ["editor@acme.test", "viewer@acme.test", "audience@acme.test"]:
        assert email in html
    assert "outsider@acme.test" not in html


def test_members_lists_people_through_teams_with_the_team_name(as_user, demo, marketing):
    TeamAccessFactory(team=demo["teamuser@acme.test"].teams.get(), workspace=marketing)
    html = as_user("wsadmin@acme.test").get(MEMBERS).content.decode()
    row = row_of(html, demo["teamuser@acme.test"])
    assert "Team Field Sales" in row
    assert "Remove" not in row  # managed on the team


def test_team_link_shown_to_org_admins_only(as_user, demo, marketing, field_sales):
    TeamAccessFactory(team=field_sales, workspace=marketing)
    link = f'href="/orgs/acme/teams/{field_sales.pk}/"'
    assert link in as_user("admin@acme.test").get(MEMBERS).content.decode()
    assert link not in as_user("wsadmin@acme.test").get(MEMBERS).content.decode()


def test_org_admins_are_listed_as_such(as_user, demo):
    html = as_user("wsadmin@acme.test").get(MEMBERS).content.decode()
    row = row_of(html, demo["admin@acme.test"])
    assert "Org Admin" in row
    assert "<select" not in row  # no org role control here


def test_effective_role_through_a_team_is_shown_beside_the_direct_one(
    as_user, demo, marketing, field_sales
):
    TeamAccessFactory(team=field_sales, workspace=marketing, role="editor")
    TeamMembershipFactory(team=field_sales, user=demo["viewer@acme.test"])
    html = as_user("wsadmin@acme.test").get(MEMBERS).content.decode()
    row = row_of(html, demo["viewer@acme.test"])
    assert "Effective role: <strong>Editor</strong> through team Field Sales" in row
    assert "Flows Manager is on through team Field Sales" in row


def test_members_of_another_org_in_a_team_are_not_listed(as_user, demo, marketing, field_sales):
    stranger = UserFactory(email="stranger@example.test")
    TeamMembershipFactory(team=field_sales, user=stranger)
    TeamAccessFactory(team=field_sales, workspace=marketing)
    # Not an acme member (any more): a stale team membership, made behind the models' back.
    leave_org_behind_the_models_back(stranger)
    html = as_user("wsadmin@acme.test").get(MEMBERS).content.decode()
    assert "stranger@example.test" not in html


def test_members_search_filters_the_list(as_user, demo):
    html = as_user("wsadmin@acme.test").get(MEMBERS + "?q=aud").content.decode()
    assert "audience@acme.test" in html
    assert "editor@acme.test" not in html


def test_members_search_with_htmx_returns_the_list_only(as_user, demo):
    response = as_user("wsadmin@acme.test").get(MEMBERS + "?q=aud", headers=HTMX)
    html = response.content.decode()
    assert html.strip().startswith('<div id="member-list">')
    assert "<html" not in html


def test_members_search_without_match_shows_empty_state(as_user, demo):
    html = as_user("wsadmin@acme.test").get(MEMBERS + "?q=nobody-here").content.decode()
    assert "Nobody with access matches" in html


def test_members_paginate(as_user, demo, marketing, acme):
    for i in range(55):
        user = UserFactory(email=f"bulk{i:02d}@acme.test")
        OrgMembershipFactory(org=acme, user=user)
        WorkspaceMembershipFactory(workspace=marketing, user=user)
    client = as_user("wsadmin@acme.test")
    first = client.get(MEMBERS).content.decode()
    last = client.get(MEMBERS + "?page=3").content.decode()
    last_row = f'id="member-{demo["wsadmin@acme.test"].pk}"'  # "wsadmin" sorts last
    assert "Page 1 of 3" in first and first.count('<tr id="member-') == 25
    assert last_row in last
    assert last_row not in first


def test_members_pages_keep_the_filters(as_user, demo, marketing, acme):
    """The page links keep every filter of the list (the search and "Access ending"), not the
    search alone."""
    from datetime import timedelta

    from django.utils import timezone

    soon = timezone.now() + timedelta(days=5)
    for i in range(30):
        user = UserFactory(email=f"bulk{i:02d}@acme.test")
        OrgMembershipFactory(org=acme, user=user)
        WorkspaceMembershipFactory(workspace=marketing, user=user, until=soon)
    client = as_user("wsadmin@acme.test")
    first = client.get(MEMBERS + "?q=bulk&expiring=30").content.decode()
    assert "Page 1 of 2" in first
    assert 'rel="next" href="?q=bulk&amp;expiring=30&amp;page=2"' in first
    second = client.get(MEMBERS + "?q=bulk&expiring=30&page=2").content.decode()
    assert second.count('<tr id="member-') == 5
    assert 'rel="prev" href="?q=bulk&amp;expiring=30&amp;page=1"' in second


# --- role and flags in place ---------------------------------------------------------------


def test_toggling_a_flag_in_place_returns_the_row(as_user, demo):
    m = membership("viewer@acme.test")
    response = as_user("wsadmin@acme.test").post(
        MEMBERS + f"{m.pk}/", {"role": "viewer", "audience_viewer": "on"}, headers=HTMX
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert html.strip().startswith(f'<tr id="member-{m.user_id}"')
    assert "Permissions saved." in html
    m.refresh_from_db()
    assert m.flags == {"flows_manager": False, "brand_kits_manager": False, "audience_viewer": True}


def test_granting_audience_viewer_changes_access_at_once(as_user, demo, marketing):
    m = membership("viewer@acme.test")
    assert not fresh("viewer@acme.test").has_perm("ws.view_audience", marketing)
    as_user("wsadmin@acme.test").post(
        MEMBERS + f"{m.pk}/", {"role": "viewer", "audience_viewer": "on"}, headers=HTMX
    )
    assert fresh("viewer@acme.test").has_perm("ws.view_audience", marketing)


def test_unchecked_flags_are_turned_off(as_user, demo):
    m = membership("editor@acme.test")
    data = {"role": "editor", "confirmed": "1"}  # a lowering asks first
    as_user("wsadmin@acme.test").post(MEMBERS + f"{m.pk}/", data, headers=HTMX)
    m.refresh_from_db()
    assert m.flags == {
        "flows_manager": False,
        "brand_kits_manager": False,
        "audience_viewer": False,
    }


ROLE_CHANGES = [
    (a, b) for a in ["admin", "editor", "viewer"] for b in ["admin", "editor", "viewer"]
]


@pytest.mark.parametrize("old,new", [(a, b) for a, b in ROLE_CHANGES if a != b])
def test_every_role_change_applies_the_new_roles_flag_defaults(as_user, demo, marketing, old, new):
    user = UserFactory()
    OrgMembershipFactory(org=marketing.org, user=user)
    m = WorkspaceMembershipFactory(workspace=marketing, user=user, role=old)
    if old != "admin":  # toggle the flags away from the defaults first
        m.flows_manager, m.audience_viewer = not m.flows_manager, not m.audience_viewer
        m.save()
    # The row's flags posted as the form showed them: none changed, so the new role's defaults
    # apply (a flag ticked in the same submit is kept: one rule for every grant editor, see
    # test_users_pages.py::test_changing_role_and_a_flag_together_keeps_the_changed_flag).
    posted = {"role": new, **{flag: "on" for flag, on in m.flags.items() if on}}
    posted["confirmed"] = "1"  # most of these lower access: confirmed
    as_user("wsadmin@acme.test").post(MEMBERS + f"{m.pk}/", posted, headers=HTMX)
    m.refresh_from_db()
    assert m.role == new
    assert m.flags == permissions.flag_defaults(new)


def test_role_change_says_defaults_apply(as_user, demo):
    m = membership("viewer@acme.test")
    html = (
        as_user("wsadmin@acme.test")
        .post(MEMBERS + f"{m.pk}/", {"role": "editor"}, headers=HTMX)
        .content.decode()
    )
    assert "Role set to Editor: its default permissions apply." in html


def test_admin_flags_stay_on_when_posted_off(as_user, demo, marketing):
    user = UserFactory()
    OrgMembershipFactory(org=marketing.org, user=user)
    m = WorkspaceMembershipFactory(workspace=marketing, user=user, role="admin")
    as_user("wsadmin@acme.test").post(MEMBERS + f"{m.pk}/", {"role": "admin"}, headers=HTMX)
    m.refresh_from_db()
    assert m.flags == permissions.flag_defaults("admin")


def test_admin_flags_are_rendered_locked(as_user, demo):
    m = membership("wsadmin@acme.test")
    html = as_user("wsadmin@acme.test").get(MEMBERS).content.decode()
    row = html.split(f'id="member-{m.user_id}"')[1].split("</tr>")[0]
    assert len(re.findall(r'<input type="checkbox"[^>]* disabled [^>]*checked>', row)) == 3
    assert "Admins always have every permission." in row


def test_role_change_without_htmx_redirects_with_a_message(as_user, demo):
    m = membership("viewer@acme.test")
    client = as_user("wsadmin@acme.test")
    response = client.post(MEMBERS + f"{m.pk}/", {"role": "editor"})
    assert response.status_code == 302
    assert response["Location"] == MEMBERS
    assert "Role set to Editor" in client.get(MEMBERS).content.decode()


def test_invalid_role_with_htmx_shows_the_error_in_the_row(as_user, demo):
    m = membership("viewer@acme.test")
    response = as_user("wsadmin@acme.test").post(
        MEMBERS + f"{m.pk}/", {"role": "owner"}, headers=HTMX
    )
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    m.refresh_from_db()
    assert m.role == "viewer"


def test_invalid_role_without_htmx_shows_the_page_with_the_error(as_user, demo):
    m = membership("viewer@acme.test")
    response = as_user("wsadmin@acme.test").post(MEMBERS + f"{m.pk}/", {"role": "owner"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "Select a valid choice" in html
    assert 'id="member-list"' in html
    m.refresh_from_db()
    assert m.role == "viewer"


def test_membership_of_another_workspace_is_a_404(as_user, demo, workspaces, acme):
    other = WorkspaceMembershipFactory(
        workspace=workspaces["sales"], user=OrgMembershipFactory(org=acme).user
    )
    client = as_user("wsadmin@acme.test")
    assert client.post(MEMBERS + f"{other.pk}/", {"role": "admin"}).status_code == 404
    assert client.get(MEMBERS + f"{other.pk}/remove/").status_code == 404
    assert client.post(MEMBERS + f"{other.pk}/remove/").status_code == 404
    other.refresh_from_db()
    assert other.role == "viewer"


def test_membership_of_another_org_is_a_404_even_for_the_org_admin(as_user, demo, globex):
    other = WorkspaceMembershipFactory(
        workspace=globex.workspaces.get(), user=demo["admin@globex.test"]
    )
    client = as_user("admin@acme.test")
    assert client.post(MEMBERS + f"{other.pk}/", {"role": "viewer"}).status_code == 404
    assert client.post(MEMBERS + f"{other.pk}/remove/").status_code == 404
    assert WorkspaceMembership.objects.get(pk=other.pk).role == "viewer"


def test_workspace_admin_cannot_change_org_roles(as_user, demo, acme):
    m = membership("viewer@acme.test")
    as_user("wsadmin@acme.test").post(
        MEMBERS + f"{m.pk}/", {"role": "admin", "org_role": "admin"}, headers=HTMX
    )
    assert m.__class__.objects.get(pk=m.pk).role == "admin"  # the workspace role, yes
    assert OrgMembership.objects.get(org=acme, user=m.user).role == "user"  # the org role, no
    assert not fresh("viewer@acme.test").has_perm("org.view_console", acme)


def test_workspace_admin_demoting_themselves_is_sent_home(as_user, demo, marketing):
    m = membership("wsadmin@acme.test")
    client = as_user("wsadmin@acme.test")
    response = client.post(MEMBERS + f"{m.pk}/", {"role": "viewer", "confirmed": "1"})
    assert response["Location"] == "/"
    assert "no longer a Workspace Admin" in client.get("/").content.decode()
    assert client.get(MEMBERS).status_code == 403


def test_lowering_your_own_workspace_role_asks_first(as_user, demo, marketing):
    m = membership("wsadmin@acme.test")
    client = as_user("wsadmin@acme.test")
    response = client.post(MEMBERS + f"{m.pk}/", {"role": "viewer"})
    assert response.status_code == 200
    assert "Lower your own role in Marketing to Viewer?" in response.content.decode()
    assert membership("wsadmin@acme.test").role == "admin"


# --- add -----------------------------------------------------------------------------------


def test_candidates_are_org_members_not_yet_direct_members(as_user, demo):
    html = as_user("wsadmin@acme.test").get(MEMBERS + "add/", headers=HTMX).content.decode()
    assert "outsider@acme.test" in html
    assert "teamuser@acme.test" in html
    assert "viewer@acme.test" not in html
    assert "admin@globex.test" not in html


def test_candidate_search_as_you_type_returns_results_only(as_user, demo):
    response = as_user("wsadmin@acme.test").get(MEMBERS + "add/?q=outs", headers=HTMX)
    html = response.content.decode()
    assert html.strip().startswith('<div id="candidates"')
    assert "outsider@acme.test" in html
    assert "teamuser@acme.test" not in html


def test_candidate_search_full_page_fallback(as_user, demo):
    response = as_user("wsadmin@acme.test").get(MEMBERS + "add/?q=outs")
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" in html
    assert "outsider@acme.test" in html


def test_candidate_search_without_match(as_user, demo):
    html = as_user("wsadmin@acme.test").get(MEMBERS + "add/?q=zzz", headers=HTMX).content.decode()
    assert "No member of Acme matching" in html


def test_candidates_show_access_they_already_have(as_user, demo, marketing, field_sales):
    TeamAccessFactory(team=field_sales, workspace=marketing, role="editor")
    html = as_user("wsadmin@acme.test").get(MEMBERS + "add/?q=teamuser").content.decode()
    assert "through team Field Sales" in html


def test_candidate_list_is_capped(as_user, demo, acme):
    for i in range(25):
        OrgMembershipFactory(org=acme, user=UserFactory(email=f"many{i:02d}@acme.test"))
    html = as_user("wsadmin@acme.test").get(MEMBERS + "add/?q=many").content.decode()
    assert html.count('name="user"') == 20
    assert "More members match" in html


def test_add_an_org_member_with_a_role_and_its_defaults(as_user, demo, marketing):
    response = as_user("wsadmin@acme.test").post(
        MEMBERS + "add/", {"user": demo["outsider@acme.test"].pk, "role": "editor"}
    )
    assert response.status_code == 302
    m = membership("outsider@acme.test")
    assert m.role == "editor"
    assert m.flags == permissions.flag_defaults("editor")
    assert fresh("outsider@acme.test").has_perm("ws.view", marketing)


def test_add_with_htmx_redirects_client_side(as_user, demo):
    response = as_user("wsadmin@acme.test").post(
        MEMBERS + "add/", {"user": demo["outsider@acme.test"].pk, "role": "viewer"}, headers=HTMX
    )
    assert response["HX-Redirect"] == MEMBERS


def test_add_a_user_of_another_org_is_a_404(as_user, demo):
    response = as_user("wsadmin@acme.test").post(
        MEMBERS + "add/", {"user": demo["admin@globex.test"].pk, "role": "viewer"}
    )
    assert response.status_code == 404
    assert not WorkspaceMembership.objects.filter(user=demo["admin@globex.test"]).exists()


def test_add_an_existing_direct_member_shows_an_error(as_user, demo):
    response = as_user("wsadmin@acme.test").post(
        MEMBERS + "add/", {"user": demo["viewer@acme.test"].pk, "role": "admin"}
    )
    assert response.status_code == 400
    assert "already a member of Marketing" in response.content.decode()
    assert membership("viewer@acme.test").role == "viewer"


def test_add_with_an_invalid_role_shows_an_error(as_user, demo):
    response = as_user("wsadmin@acme.test").post(
        MEMBERS + "add/", {"user": demo["outsider@acme.test"].pk, "role": "owner"}
    )
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
    assert not WorkspaceMembership.objects.filter(user=demo["outsider@acme.test"]).exists()


def test_add_with_a_bad_user_id_shows_an_error(as_user, demo):
    response = as_user("wsadmin@acme.test").post(MEMBERS + "add/", {"user": "x", "role": "viewer"})
    assert response.status_code == 400


# --- remove --------------------------------------------------------------------------------


def test_remove_asks_for_confirmation(as_user, demo):
    m = membership("viewer@acme.test")
    response = as_user("wsadmin@acme.test").get(MEMBERS + f"{m.pk}/remove/")
    html = response.content.decode()
    assert "Remove Vera Viewer from Marketing?" in html
    assert f'action="{MEMBERS}{m.pk}/remove/"' in html
    assert WorkspaceMembership.objects.filter(pk=m.pk).exists()


def test_remove_removes_the_direct_membership(as_user, demo, marketing):
    m = membership("viewer@acme.test")
    response = as_user("wsadmin@acme.test").post(MEMBERS + f"{m.pk}/remove/")
    assert response.status_code == 302
    assert not WorkspaceMembership.objects.filter(pk=m.pk).exists()
    assert not fresh("viewer@acme.test").has_perm("ws.view", marketing)


def test_remove_keeps_access_through_a_team(as_user, demo, marketing, field_sales):
    TeamAccessFactory(team=field_sales, workspace=marketing, role="viewer")
    TeamMembershipFactory(team=field_sales, user=demo["editor@acme.test"])
    m = membership("editor@acme.test")
    as_user("wsadmin@acme.test").post(MEMBERS + f"{m.pk}/remove/")
    access = permissions.workspace_access(fresh("editor@acme.test"), marketing)
    assert access.role == "viewer"


def test_workspace_admin_removing_themselves_is_sent_home(as_user, demo):
    m = membership("wsadmin@acme.test")
    response = as_user("wsadmin@acme.test").post(MEMBERS + f"{m.pk}/remove/")
    assert response["Location"] == "/"
