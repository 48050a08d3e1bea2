"""The Users section: /orgs/<org>/users/, a member's profile, org role, workspace access,
removal — behaviour, last-admin controls and query budgets (who may open and post what:
tests/test_permission_matrix.py)."""

import datetime
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from orgs.models import Invitation, OrgMembership, TeamMembership, User
from orgs.roles import FLAGS
from tests.factories import (
    InvitationFactory,
    OrganizationFactory,
    OrgMembershipFactory,
    TeamAccessFactory,
    TeamFactory,
    WorkspaceFactory,
    WorkspaceMembershipFactory,
)
from workspaces.models import Workspace, WorkspaceMembership

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}


def snapshot():
    """Everything the People pages can change."""
    return (
        list(OrgMembership.objects.order_by("pk").values_list("pk", "user_id", "role")),
        list(
            WorkspaceMembership.objects.order_by("pk").values_list("pk", "user_id", "role", *FLAGS)
        ),
        list(TeamMembership.objects.order_by("pk").values_list("pk", "user_id")),
        list(
            Invitation.objects.order_by("pk").values_list(
                "pk", "status", "token_hash", "expires_at"
            )
        ),
        User.objects.count(),
    )


def text(response):
    return response.content.decode().replace("&#x27;", "'").replace("&quot;", '"')


# --- methods -------------------------------------------------------------------------------
# Who may GET and POST each of these URLs is in tests/test_permission_matrix.py (the users,
# invitations and invitation rows).


@pytest.mark.parametrize(
    "path",
    ["users/{id}/role/", "users/{id}/workspaces/{ws}/", "invitations/{inv}/resend/"],
)
def test_post_only_urls_refuse_get(client, demo, acme, path):
    client.force_login(demo["admin@acme.test"])
    url = "/orgs/acme/" + path.format(
        id=demo["editor@acme.test"].pk,
        ws=acme.workspaces.get(slug="marketing").pk,
        inv=Invitation.objects.filter(org=acme).first().pk,
    )
    assert client.get(url).status_code == 405


def test_other_orgs_user_ids_are_404(client, demo, globex):
    client.force_login(demo["admin@acme.test"])
    other = demo["admin@globex.test"].pk
    before = snapshot()
    assert client.get(f"/orgs/acme/users/{other}/").status_code == 404
    assert client.get(f"/orgs/acme/users/{other}/remove/").status_code == 404
    assert client.post(f"/orgs/acme/users/{other}/remove/").status_code == 404
    assert client.post(f"/orgs/acme/users/{other}/role/", {"role": "user"}).status_code == 404
    assert client.get("/orgs/acme/users/999999/").status_code == 404
    assert snapshot() == before


def test_other_orgs_workspace_ids_are_404(client, demo, globex):
    client.force_login(demo["admin@acme.test"])
    main = globex.workspaces.get(slug="main").pk
    before = snapshot()
    url = f"/orgs/acme/users/{demo['editor@acme.test'].pk}/workspaces/{main}/"
    assert client.post(url, {"role": "admin"}).status_code == 404
    assert snapshot() == before


def test_other_orgs_invitation_ids_are_404(client, demo, globex):
    client.force_login(demo["admin@acme.test"])
    invitation = InvitationFactory(org=globex)
    assert client.get(f"/orgs/acme/invitations/{invitation.pk}/revoke/").status_code == 404
    assert client.post(f"/orgs/acme/invitations/{invitation.pk}/revoke/").status_code == 404
    assert client.post(f"/orgs/acme/invitations/{invitation.pk}/resend/").status_code == 404
    invitation.refresh_from_db()
    assert invitation.status == "pending"


# --- the members list -----------------------------------------------------------------------


def test_users_page_lists_members_with_roles_and_workspace_access(client, demo):
    client.force_login(demo["admin@acme.test"])
    html = text(client.get("/orgs/acme/users/"))
    for expected in ["Eddie Editor", "editor@acme.test", "Tim Teamer", "Admin of every workspace"]:
        assert expected in html
    assert "Gloria Globex" not in html
    assert "via team Field Sales" in html


def test_users_page_shows_permissions_beyond_the_role(client, demo):
    client.force_login(demo["admin@acme.test"])
    html = text(client.get("/orgs/acme/users/?q=audience@"))
    assert "+ Audience Viewer" in html
    assert "+ Flows Manager" not in html


def test_users_page_shows_last_login_or_never(client, demo):
    viewer = demo["viewer@acme.test"]
    viewer.last_login = datetime.datetime(2024, 3, 5, 9, 30, tzinfo=datetime.UTC)
    viewer.save(update_fields=["last_login"])
    client.force_login(demo["admin@acme.test"])
    html = text(client.get("/orgs/acme/users/?q=viewer@"))
    assert "Mar 5, 2024 09:30" in html
    assert "never" not in html
    assert "never" in text(client.get("/orgs/acme/users/?q=editor@"))


def test_users_search_matches_name_or_email(client, demo):
    client.force_login(demo["admin@acme.test"])
    by_name = text(client.get("/orgs/acme/users/?q=vera"))
    assert "viewer@acme.test" in by_name
    assert "editor@acme.test" not in by_name
    by_email = text(client.get("/orgs/acme/users/?q=FLOWS@"))
    assert "Flo Manager" in by_email
    assert "Vera Viewer" not in by_email


def test_users_search_with_htmx_returns_only_the_list(client, demo):
    client.force_login(demo["admin@acme.test"])
    response = client.get("/orgs/acme/users/?q=vera", headers=HTMX)
    html = text(response)
    assert html.lstrip().startswith('<div id="members">')
    assert "<html" not in html
    assert "Vera Viewer" in html
    assert "HX-Request" in response["Vary"]


def test_users_search_without_matches_says_so(client, demo):
    client.force_login(demo["admin@acme.test"])
    assert "No members match “zzz”" in text(client.get("/orgs/acme/users/?q=zzz"))


def emails_in_order(html, emails):
    table = html[html.index("<tbody>") :]
    return sorted(emails, key=table.index)


def test_users_sort_by_email_both_ways(client, demo):
    client.force_login(demo["admin@acme.test"])
    emails = ["audience@acme.test", "viewer@acme.test", "editor@acme.test"]
    ascending = text(client.get("/orgs/acme/users/?sort=email"))
    assert emails_in_order(ascending, emails) == sorted(emails)
    descending = text(client.get("/orgs/acme/users/?sort=-email"))
    assert emails_in_order(descending, emails) == sorted(emails, reverse=True)


def test_users_unknown_sort_falls_back_to_name(client, demo):
    client.force_login(demo["admin@acme.test"])
    assert client.get("/orgs/acme/users/?sort=password").status_code == 200


def test_users_sort_by_last_login_puts_never_first(client, demo):
    editor = demo["editor@acme.test"]
    editor.last_login = timezone.now()
    editor.save(update_fields=["last_login"])
    client.force_login(demo["admin@acme.test"])
    emails = ["viewer@acme.test", "editor@acme.test"]
    never_first = text(client.get("/orgs/acme/users/?sort=last_login"))
    assert emails_in_order(never_first, emails) == emails
    latest_first = text(client.get("/orgs/acme/users/?sort=-last_login"))
    assert emails_in_order(latest_first, emails) == emails[::-1]


def test_users_page_paginates(client, demo, acme):
    users = User.objects.bulk_create(
        [User(email=f"zz{i:02}@acme.test", full_name=f"Zed {i:02}") for i in range(30)]
    )
    OrgMembership.objects.bulk_create([OrgMembership(org=acme, user=u) for u in users])
    client.force_login(demo["admin@acme.test"])
    first = text(client.get("/orgs/acme/users/?sort=email"))
    assert "Page 1 of 2" in first
    assert "zz29@acme.test" not in first
    second = text(client.get("/orgs/acme/users/?sort=email&page=2", headers=HTMX))
    assert "zz29@acme.test" in second
    assert "admin@acme.test" not in second


def test_users_page_disables_removing_the_only_admin_and_says_why(client, demo):
    client.force_login(demo["admin@acme.test"])
    html = text(client.get("/orgs/acme/users/"))
    assert "The only Org Admin can't be removed." in html
    admin_id = demo["admin@acme.test"].pk
    assert f"/orgs/acme/users/{admin_id}/remove/" not in html


def test_users_page_offers_removing_an_admin_when_there_are_two(client, demo, acme):
    OrgMembership.objects.filter(org=acme, user=demo["editor@acme.test"]).update(role="admin")
    client.force_login(demo["admin@acme.test"])
    html = text(client.get("/orgs/acme/users/"))
    assert "The only Org Admin can't be removed." not in html
    assert f"/orgs/acme/users/{demo['admin@acme.test'].pk}/remove/" in html


# --- the profile ----------------------------------------------------------------------------


def profile(client, demo, email, **params):
    client.force_login(demo["admin@acme.test"])
    return text(client.get(f"/orgs/acme/users/{demo[email].pk}/", params))


def test_profile_shows_the_workspaces_with_access_and_their_sources(client, demo):
    html = profile(client, demo, "teamuser@acme.test")
    assert "Role for Sales" in html
    assert "from team Field Sales" in html
    assert "Role for Marketing" not in html  # no access there: found by name instead


def test_profile_finds_other_workspaces_to_give_access(client, demo):
    html = profile(client, demo, "teamuser@acme.test", find="mark")
    assert "Role for Marketing" in html
    assert "No access: Tim Teamer can't see Marketing." in html
    assert "Role for Events" not in html
    html = profile(client, demo, "teamuser@acme.test", find="nothing like it")
    assert "No other workspace of Acme has a name containing “nothing like it”." in html


def test_found_workspaces_ask_for_a_role_without_inert_permission_boxes(client, demo, marketing):
    """A workspace found to give access in has no grant yet: its result asks for a role and an
    end, not three disabled checkboxes per result (the finder cost 2.5× the profile);
    once saved, the row has its permissions to set."""
    client.force_login(demo["admin@acme.test"])
    teamuser = demo["teamuser@acme.test"].pk
    found = text(client.get(f"/orgs/acme/users/{teamuser}/?part=found&find=mark", headers=HTMX))
    assert "Role for Marketing" in found and "access for Marketing ends after this day" in found
    assert "data-flag" not in found
    assert "Give a direct role to set permissions here." in found
    saved = text(
        client.post(
            f"/orgs/acme/users/{teamuser}/workspaces/{marketing.pk}/",
            {"role": "viewer"},
            headers=HTMX,
        )
    )
    assert saved.count("data-flag") == len(FLAGS)


def test_profile_renders_no_form_per_workspace_of_a_big_org(client, demo, acme):
    """A member of an org with many workspaces gets a row for each workspace they reach, not
    one form per workspace of the org."""
    for n in range(40):
        WorkspaceFactory(org=acme, name=f"Region {n:02}")
    html = profile(client, demo, "teamuser@acme.test")
    assert html.count('class="ws-access card"') == 1  # Sales, through the team
    html = profile(client, demo, "teamuser@acme.test", find="region")
    assert html.count('class="ws-access card"') == 1 + 20
    assert "More workspaces match “region”" in html


def test_profile_query_count_does_not_grow_with_the_org(client, demo, acme):
    def queries(**params):
        with CaptureQueriesContext(connection) as captured:
            assert profile(client, demo, "teamuser@acme.test", **params)
        return len(captured)

    queries()  # the first request of a session costs more (session, caches)
    small = queries(), queries(find="a")
    for n in range(30):
        ws = WorkspaceFactory(org=acme, name=f"Area {n:02}")
        WorkspaceMembershipFactory(workspace=ws, user=demo["teamuser@acme.test"])
    assert (queries(), queries(find="a")) == small


def test_profile_of_an_org_admin_explains_admin_everywhere(client, demo, acme):
    OrgMembership.objects.filter(org=acme, user=demo["editor@acme.test"]).update(role="admin")
    html = profile(client, demo, "editor@acme.test")
    assert "from org admin, direct" in html  # Marketing: org admin and the direct editor role
    assert "No access:" not in html  # every workspace is open to an Org Admin


def test_profile_explains_a_flag_from_a_direct_grant(client, demo):
    html = profile(client, demo, "audience@acme.test")
    assert 'Audience Viewer: <strong class="on">on</strong>' in html


def test_profile_locks_the_only_admins_role_and_says_why(client, demo):
    html = profile(client, demo, "admin@acme.test")
    assert 'id="org-role" name="role" disabled' in html
    assert "Ada Admin is the only Org Admin of Acme" in html


def test_profile_admin_flags_are_locked_on(client, demo):
    html = profile(client, demo, "wsadmin@acme.test")
    assert "Workspace Admins always have every permission." in html
    marketing = Workspace.objects.get(org__slug="acme", slug="marketing").pk
    wsadmin = demo["wsadmin@acme.test"].pk
    assert f'disabled id="grant-{marketing}-user-{wsadmin}-flows_manager" checked>' in html


# --- org role -------------------------------------------------------------------------------


def test_set_org_role_promotes_a_member(client, demo, acme):
    client.force_login(demo["admin@acme.test"])
    editor = demo["editor@acme.test"]
    response = client.post(f"/orgs/acme/users/{editor.pk}/role/", {"role": "admin"})
    assert response["Location"] == f"/orgs/acme/users/{editor.pk}/"
    assert OrgMembership.objects.get(org=acme, user=editor).role == "admin"


def test_demoting_the_last_admin_is_refused_with_a_clear_error(client, demo, acme):
    client.force_login(demo["admin@acme.test"])
    before = snapshot()
    admin = demo["admin@acme.test"]
    data = {"role": "user", "confirmed": "1"}
    response = client.post(f"/orgs/acme/users/{admin.pk}/role/", data)
    assert response.status_code == 400  # refused: the form again
    assert "Acme must keep at least one Org Admin" in text(response)
    assert snapshot() == before


def test_unknown_org_role_is_a_form_error(client, demo, acme):
    client.force_login(demo["admin@acme.test"])
    before = snapshot()
    response = client.post(f"/orgs/acme/users/{demo['editor@acme.test'].pk}/role/", {"role": "x"})
    assert "Select a valid choice" in text(response)
    assert snapshot() == before


def test_an_admin_who_demotes_themselves_goes_home(client, demo, acme):
    OrgMembership.objects.filter(org=acme, user=demo["editor@acme.test"]).update(role="admin")
    client.force_login(demo["admin@acme.test"])
    url = f"/orgs/acme/users/{demo['admin@acme.test'].pk}/role/"
    response = client.post(url, {"role": "user", "confirmed": "1"})
    assert response["Location"] == "/"


def test_lowering_your_own_primary_role_asks_first(client, demo, acme):
    OrgMembership.objects.filter(org=acme, user=demo["editor@acme.test"]).update(role="admin")
    client.force_login(demo["admin@acme.test"])
    before = snapshot()
    response = client.post(f"/orgs/acme/users/{demo['admin@acme.test'].pk}/role/", {"role": "user"})
    assert response.status_code == 200
    assert "Lower your own Primary Role to User?" in text(response)
    assert 'name="confirmed" value="1"' in response.content.decode()
    assert snapshot() == before


# --- workspace access from the profile ------------------------------------------------------


@pytest.fixture
def marketing(acme):
    return acme.workspaces.get(slug="marketing")


def set_access(client, demo, email, workspace, data, **kwargs):
    client.force_login(demo["admin@acme.test"])
    url = f"/orgs/acme/users/{demo[email].pk}/workspaces/{workspace.pk}/"
    return client.post(url, data, **kwargs)


def direct(user, workspace):
    return WorkspaceMembership.objects.filter(user=user, workspace=workspace).first()


def test_giving_a_role_applies_its_default_flags(client, demo, acme):
    events = acme.workspaces.get(slug="events")
    set_access(client, demo, "outsider@acme.test", events, {"role": "editor"})
    membership = direct(demo["outsider@acme.test"], events)
    assert membership.role == "editor"
    assert membership.flags == {
        "flows_manager": True,
        "brand_kits_manager": True,
        "audience_viewer": False,
    }


def test_changing_the_role_reapplies_the_defaults(client, demo, marketing):
    # audience@ is viewer + audience_viewer; the form still shows that flag on
    data = {"role": "editor", "audience_viewer": "on", "confirmed": "1"}  # it loses a flag
    set_access(client, demo, "audience@acme.test", marketing, data)
    membership = direct(demo["audience@acme.test"], marketing)
    assert membership.role == "editor"
    assert membership.flags == {
        "flows_manager": True,
        "brand_kits_manager": True,
        "audience_viewer": False,
    }


def test_changing_role_and_a_flag_together_keeps_the_changed_flag(client, demo, marketing):
    # without JS: the viewer's role set to editor and Audience Viewer ticked in one submit
    data = {"role": "editor", "audience_viewer": "on"}
    set_access(client, demo, "viewer@acme.test", marketing, data)
    assert direct(demo["viewer@acme.test"], marketing).flags == {
        "flows_manager": True,
        "brand_kits_manager": True,
        "audience_viewer": True,
    }


def test_toggling_a_flag_keeps_the_role(client, demo, marketing):
    data = {"role": "editor", "flows_manager": "on", "confirmed": "1"}  # brand kits turned off
    set_access(client, demo, "editor@acme.test", marketing, data)
    membership = direct(demo["editor@acme.test"], marketing)
    assert membership.role == "editor"
    assert membership.flags == {
        "flows_manager": True,
        "brand_kits_manager": False,
        "audience_viewer": False,
    }


def test_admin_flags_stay_on(client, demo, marketing):
    set_access(client, demo, "wsadmin@acme.test", marketing, {"role": "admin"})
    assert all(direct(demo["wsadmin@acme.test"], marketing).flags.values())


def test_demoting_a_workspace_admin_gives_the_new_roles_defaults(client, demo, marketing):
    data = {"role": "editor", "confirmed": "1"}
    set_access(client, demo, "wsadmin@acme.test", marketing, data)
    assert direct(demo["wsadmin@acme.test"], marketing).flags == {
        "flows_manager": True,
        "brand_kits_manager": True,
        "audience_viewer": False,
    }


def test_no_role_removes_the_direct_membership(client, demo, marketing):
    set_access(client, demo, "viewer@acme.test", marketing, {"role": "", "confirmed": "1"})
    assert direct(demo["viewer@acme.test"], marketing) is None


# --- lowering asks first, with who loses what ------------------------------------


def test_turning_a_flag_off_asks_first_with_the_impact_preview(client, demo, marketing):
    before = snapshot()
    data = {"role": "viewer"}  # Audience Viewer unticked
    response = set_access(client, demo, "audience@acme.test", marketing, data)
    assert response.status_code == 200
    page = text(response)
    assert "Change Aud Ience's access to Marketing?" in page
    assert "Who loses what" in page
    assert "Aud Ience loses Audience Viewer (was direct); keeps Marketing Viewer (direct)" in page
    assert 'name="confirmed" value="1"' in page and 'name="role" value="viewer"' in page
    assert snapshot() == before


def test_an_htmx_row_save_that_lowers_shows_the_confirmation_in_the_page(client, demo, marketing):
    before = snapshot()
    response = set_access(
        client, demo, "editor@acme.test", marketing, {"role": "viewer"}, headers=HTMX
    )
    assert response["HX-Retarget"] == "#content"
    assert response["HX-Reselect"] == "#content"
    assert "Eddie Editor loses Marketing Editor (was direct); keeps Marketing Viewer" in text(
        response
    )
    assert snapshot() == before


def test_a_row_save_that_raises_saves_without_asking(client, demo, marketing):
    response = set_access(client, demo, "viewer@acme.test", marketing, {"role": "editor"})
    assert response.status_code == 302
    assert direct(demo["viewer@acme.test"], marketing).role == "editor"


def test_the_confirmed_resubmission_saves(client, demo, marketing):
    response = set_access(
        client, demo, "editor@acme.test", marketing, {"role": "viewer", "confirmed": "1"}
    )
    assert response.status_code == 302
    assert direct(demo["editor@acme.test"], marketing).role == "viewer"


def test_demoting_another_org_admin_asks_first_with_the_workspaces_they_lose(client, demo, acme):
    OrgMembership.objects.filter(org=acme, user=demo["editor@acme.test"]).update(role="admin")
    client.force_login(demo["admin@acme.test"])
    before = snapshot()
    url = f"/orgs/acme/users/{demo['editor@acme.test'].pk}/role/"
    page = text(client.post(url, {"role": "user"}))
    assert "Make Eddie Editor an Org User?" in page
    assert "Eddie Editor goes from Org Admin to Org User in Acme" in page
    assert (
        "Eddie Editor loses Admin (was as Org Admin); keeps nothing there — "
        "in 2 workspaces: Events, Sales" in page
    )
    assert (
        "Eddie Editor loses Marketing Admin (was as Org Admin); keeps Marketing Editor (direct)"
        in page
    )
    assert snapshot() == before
    client.post(url, {"role": "user", "confirmed": "1"})
    assert OrgMembership.objects.get(org=acme, user=demo["editor@acme.test"]).role == "user"


def test_the_remove_page_previews_who_loses_what(client, demo):
    client.force_login(demo["admin@acme.test"])
    page = text(client.get(f"/orgs/acme/users/{demo['teamuser@acme.test'].pk}/remove/"))
    assert "Tim Teamer leaves Acme (was Org User)" in page
    assert (
        "Tim Teamer loses Sales Editor (was via team Field Sales); keeps nothing in Sales" in page
    )


def test_no_role_without_a_membership_changes_nothing(client, demo, acme):
    before = snapshot()
    events = acme.workspaces.get(slug="events")
    response = set_access(client, demo, "outsider@acme.test", events, {"role": ""})
    assert response.status_code == 302
    assert snapshot() == before


def test_unknown_workspace_role_is_a_form_error_and_changes_nothing(client, demo, marketing):
    before = snapshot()
    response = set_access(client, demo, "viewer@acme.test", marketing, {"role": "owner"})
    assert response.status_code == 400  # refused: the form again
    assert "Select a valid choice" in text(response)
    assert snapshot() == before


def test_htmx_workspace_change_returns_the_row_with_new_effective_access(client, demo, marketing):
    response = set_access(
        client, demo, "viewer@acme.test", marketing, {"role": "editor"}, headers=HTMX
    )
    html = text(response)
    viewer = demo["viewer@acme.test"].pk
    assert html.lstrip().startswith(
        f'<div class="ws-access card" id="ws-row-{viewer}-{marketing.pk}"'
    )
    assert "<html" not in html
    assert "Saved Vera Viewer" in html
    assert '<span class="badge">Editor</span>' in html
    assert "Flows Manager:" in html and "from direct" in html


def test_htmx_workspace_error_is_shown_in_the_row(client, demo, marketing):
    response = set_access(client, demo, "viewer@acme.test", marketing, {"role": "x"}, headers=HTMX)
    assert response.status_code == 200
    assert "Select a valid choice" in text(response)


def test_workspace_change_without_js_redirects_to_the_row(client, demo, marketing):
    response = set_access(client, demo, "viewer@acme.test", marketing, {"role": "editor"})
    viewer = demo["viewer@acme.test"].pk
    assert response["Location"] == f"/orgs/acme/users/{viewer}/#ws-row-{viewer}-{marketing.pk}"


# --- removal --------------------------------------------------------------------------------


def test_remove_asks_for_confirmation(client, demo):
    client.force_login(demo["admin@acme.test"])
    html = text(client.get(f"/orgs/acme/users/{demo['teamuser@acme.test'].pk}/remove/"))
    assert "Remove Tim Teamer from Acme?" in html
    assert "Their place in 1 team is removed too." in html


def test_remove_drops_org_workspace_and_team_memberships(client, demo, acme):
    client.force_login(demo["admin@acme.test"])
    for email in ["teamuser@acme.test", "editor@acme.test"]:
        user = demo[email]
        response = client.post(f"/orgs/acme/users/{user.pk}/remove/")
        assert response["Location"] == "/orgs/acme/users/"
        assert not OrgMembership.objects.filter(org=acme, user=user).exists()
        assert not WorkspaceMembership.objects.filter(user=user).exists()
        assert not TeamMembership.objects.filter(user=user).exists()
        assert User.objects.filter(pk=user.pk).exists()


def test_remove_page_of_the_last_admin_explains_instead_of_offering(client, demo):
    client.force_login(demo["admin@acme.test"])
    html = text(client.get(f"/orgs/acme/users/{demo['admin@acme.test'].pk}/remove/"))
    assert "Ada Admin is the only Org Admin of Acme, so they can't be removed." in html
    assert 'class="btn danger">Remove' not in html


def test_removing_the_last_admin_is_refused_and_changes_nothing(client, demo):
    client.force_login(demo["admin@acme.test"])
    before = snapshot()
    response = client.post(f"/orgs/acme/users/{demo['admin@acme.test'].pk}/remove/")
    assert response.status_code == 200
    assert "Acme must keep at least one Org Admin" in text(response)
    assert snapshot() == before


def test_an_admin_who_removes_themselves_goes_home(client, demo, acme):
    OrgMembership.objects.filter(org=acme, user=demo["editor@acme.test"]).update(role="admin")
    client.force_login(demo["admin@acme.test"])
    response = client.post(f"/orgs/acme/users/{demo['admin@acme.test'].pk}/remove/")
    assert response["Location"] == "/"


# --- query budgets --------------------------------------------------------------------------


def build_org(members, workspaces):
    """An org with `members` users (direct workspace roles, a team with access, some logins)
    and `workspaces` workspaces; returns (org, admin, one member)."""
    org = OrganizationFactory()
    admin = OrgMembershipFactory(org=org, admin=True).user
    spaces = [WorkspaceFactory(org=org) for _ in range(workspaces)]
    teams = [TeamFactory(org=org) for _ in range(3)]
    for team, ws in zip(teams, spaces, strict=False):
        TeamAccessFactory(team=team, workspace=ws, role="editor")
    users = User.objects.bulk_create(
        [
            User(
                email=f"m{i}@org{org.pk}.test",
                full_name=f"Member {i}",
                last_login=timezone.now() if i % 2 else None,
            )
            for i in range(members)
        ]
    )
    # Every fifth member's access ends soon (orgs.expiry): shown beside the role, and found by
    # the "access ending in 30 days" filter.
    soon = timezone.now() + timedelta(days=10)
    OrgMembership.objects.bulk_create(
        [
            OrgMembership(org=org, user=u, until=soon if i % 5 == 0 else None)
            for i, u in enumerate(users)
        ]
    )
    WorkspaceMembership.objects.bulk_create(
        [
            WorkspaceMembership(
                workspace=spaces[i % (len(spaces) - 1)],
                user=u,
                role="viewer",
                until=soon if i % 5 == 1 else None,
            )
            for i, u in enumerate(users)
        ]
        + [WorkspaceMembership(workspace=spaces[-1], user=u, role="editor") for u in users[::3]]
    )
    TeamMembership.objects.bulk_create(
        [TeamMembership(team=teams[i % 3], user=u) for i, u in enumerate(users)]
    )
    for i in range(3):
        InvitationFactory(org=org, email=f"inv{i}@org{org.pk}.test")
    return org, admin, users[0]


def count_queries(client, url, **kwargs):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, **kwargs)
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize(
    ("page", "budget"),
    [
        ("users/", 13),
        ("users/?q=member&sort=-last_login", 13),
        ("users/?page=2", 13),
        ("users/?expiring=30", 13),
        ("users/{member}/", 13),
        ("users/{member}/remove/", 16),  # + the impact preview: three queries
        ("users/invite/", 13),
        ("invitations/", 13),
    ],
)
def test_people_pages_cost_the_same_queries_for_10_and_200_members(client, page, budget):
    counts = []
    for members, workspaces in [(10, 4), (200, 12)]:
        org, admin, member = build_org(members, workspaces)
        client.force_login(admin)
        url = f"/orgs/{org.slug}/" + page.format(member=member.pk)
        counts.append(count_queries(client, url))
    assert counts[0] == counts[1]
    assert counts[1] <= budget


def test_htmx_member_search_costs_the_same_for_10_and_200_members(client):
    counts = []
    for members in [10, 200]:
        org, admin, _ = build_org(members, 5)
        client.force_login(admin)
        counts.append(count_queries(client, f"/orgs/{org.slug}/users/?q=m", headers=HTMX))
    assert counts[0] == counts[1]
    assert counts[1] <= 9


def test_the_members_list_loads_a_members_workspace_rows_in_place(client, demo, marketing):
    client.force_login(demo["admin@acme.test"])
    viewer = demo["viewer@acme.test"].pk
    response = client.get(f"/orgs/acme/users/{viewer}/?part=workspaces", headers=HTMX)
    html = text(response)
    assert "<html" not in html
    assert f'id="ws-row-{viewer}-{marketing.pk}"' in html
    assert "Role for Marketing" in html


def test_the_members_list_offers_the_other_workspaces_in_place(client, demo, marketing):
    """An Org Admin gives access to a workspace the member has none in yet, from the list."""
    client.force_login(demo["admin@acme.test"])
    viewer = demo["viewer@acme.test"].pk
    editor = text(client.get(f"/orgs/acme/users/{viewer}/?part=workspaces", headers=HTMX))
    assert 'aria-label="Other workspaces for Vera Viewer"' in editor
    assert f'hx-target="#found-{viewer}"' in editor
    found = text(client.get(f"/orgs/acme/users/{viewer}/?part=found&find=sal", headers=HTMX))
    assert "<html" not in found and "Role for Sales" in found
    assert "Role for Marketing" not in found  # she has access there already
