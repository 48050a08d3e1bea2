import io
from datetime import timedelta
from html import unescape

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from orgs import expiry, services
from orgs.avatars import process_avatar
from orgs.errors import ServiceError
from orgs.models import Team, TeamMembership
from orgs.permissions import load_access
from tests.factories import (
    OrgMembershipFactory,
    TeamAccessFactory,
    TeamFactory,
    TeamMembershipFactory,
    WorkspaceFactory,
)
from tests.orgs.console import HTMX, html, image_file, logged_in
from workspaces.models import TeamAccess, Workspace

pytestmark = pytest.mark.django_db

LIST = "/orgs/acme/teams/"


@pytest.fixture
def team(acme):
    return Team.objects.get(org=acme, name="Field Sales")


def ws(org, slug):
    return Workspace.objects.get(org=org, slug=slug)


# --- list and create -----------------------------------------------------------------------


def test_list_shows_teams_with_counts(client, demo, team):
    response = logged_in(client, demo).get(LIST)
    (row,) = response.context["page"]
    assert (row.name, row.member_count, row.workspace_count) == ("Field Sales", 1, 1)
    assert f'href="/orgs/acme/teams/{team.pk}/"' in html(response)


def test_create_a_team(client, demo, acme):
    response = logged_in(client, demo).post(LIST, {"name": "Design", "description": "UI"})
    team = Team.objects.get(org=acme, name="Design")
    assert response["Location"] == f"/orgs/acme/teams/{team.pk}/"
    assert team.description == "UI"


def test_create_with_htmx_redirects_the_page(client, demo, acme):
    response = logged_in(client, demo).post(LIST, {"name": "Design"}, headers=HTMX)
    team = Team.objects.get(org=acme, name="Design")
    assert response["HX-Redirect"] == f"/orgs/acme/teams/{team.pk}/"


@pytest.mark.parametrize(
    "name,message",
    [("", "This field is required."), ("field SALES", "already has a team called")],
)
def test_create_refuses_bad_names(client, demo, acme, name, message):
    response = logged_in(client, demo).post(LIST, {"name": name})
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors["name"])
    assert Team.objects.filter(org=acme).count() == 1


def test_create_error_with_htmx_renders_the_form_only(client, demo):
    response = logged_in(client, demo).post(LIST, {"name": ""}, headers=HTMX)
    page = html(response)
    assert page.lstrip().startswith('<section class="card" id="new-team"')
    assert "This field is required." in page


def test_empty_state(client, demo, acme):
    Team.objects.filter(org=acme).delete()
    assert "has no teams yet" in html(logged_in(client, demo).get(LIST))


# --- members -------------------------------------------------------------------------------


def test_team_page_lists_members_and_access(client, demo, team):
    page = html(logged_in(client, demo).get(f"/orgs/acme/teams/{team.pk}/"))
    assert "teamuser@acme.test" in page
    assert "Role for Sales" in page
    assert '<option value="outsider@acme.test">' in page  # a suggestion for "add member"
    assert '<option value="teamuser@acme.test">' not in page


def test_add_a_member(client, demo, team):
    response = logged_in(client, demo).post(
        f"/orgs/acme/teams/{team.pk}/members/", {"email": "Outsider@Acme.test"}
    )
    assert response.status_code == 302
    assert team.members.filter(email="outsider@acme.test").exists()


def test_add_a_member_with_htmx_returns_the_members_part(client, demo, team):
    response = logged_in(client, demo).post(
        f"/orgs/acme/teams/{team.pk}/members/", {"email": "outsider@acme.test"}, headers=HTMX
    )
    page = html(response)
    assert page.lstrip().startswith('<section id="team-members"')
    assert "outsider@acme.test added to Field Sales." in page


@pytest.mark.parametrize(
    "email,message",
    [
        ("", "This field is required."),
        ("not-an-email", "Enter a valid email address."),
        ("nobody@acme.test", "is not a member of this organization"),
        ("admin@globex.test", "is not a member of this organization"),
        ("teamuser@acme.test", "is already in Field Sales"),
    ],
)
def test_add_member_refuses_bad_input(client, demo, team, email, message):
    response = logged_in(client, demo).post(
        f"/orgs/acme/teams/{team.pk}/members/", {"email": email}
    )
    assert response.status_code == 200
    assert message in " ".join(response.context["member_form"].errors["email"])
    assert list(team.members.values_list("email", flat=True)) == ["teamuser@acme.test"]


def test_add_member_error_with_htmx_stays_in_place(client, demo, team):
    response = logged_in(client, demo).post(
        f"/orgs/acme/teams/{team.pk}/members/", {"email": "nobody@acme.test"}, headers=HTMX
    )
    assert response.status_code == 200
    assert "is not a member of this organization" in html(response)
    assert "<html" not in html(response)


def test_member_suggestions_filter_by_what_is_typed(client, demo, team):
    response = logged_in(client, demo).get(
        f"/orgs/acme/teams/{team.pk}/?suggest=1&email=edit", headers=HTMX
    )
    page = html(response)
    assert page.startswith('<datalist id="member-options">')
    assert "editor@acme.test" in page
    assert "viewer@acme.test" not in page


def test_remove_member_asks_for_confirmation(client, demo, team):
    user = demo["teamuser@acme.test"]
    response = logged_in(client, demo).get(f"/orgs/acme/teams/{team.pk}/members/{user.pk}/remove/")
    assert "Remove Tim Teamer from Field Sales?" in html(response)
    assert team.members.filter(pk=user.pk).exists()


def test_remove_member(client, demo, team):
    user = demo["teamuser@acme.test"]
    response = logged_in(client, demo).post(f"/orgs/acme/teams/{team.pk}/members/{user.pk}/remove/")
    assert response.status_code == 302
    assert not team.members.exists()


def test_remove_member_with_htmx(client, demo, team):
    user = demo["teamuser@acme.test"]
    response = logged_in(client, demo).post(
        f"/orgs/acme/teams/{team.pk}/members/{user.pk}/remove/", headers=HTMX
    )
    assert "teamuser@acme.test removed from Field Sales." in html(response)
    assert "No members yet." in html(response)


def test_remove_someone_not_in_the_team_is_not_found(client, demo, team):
    user = demo["viewer@acme.test"]
    response = logged_in(client, demo).post(f"/orgs/acme/teams/{team.pk}/members/{user.pk}/remove/")
    assert response.status_code == 404


def test_members_paginate(client, demo, acme, team):
    for _ in range(55):
        TeamMembershipFactory(team=team, user=OrgMembershipFactory(org=acme).user)
    response = logged_in(client, demo).get(f"/orgs/acme/teams/{team.pk}/?page=2")
    assert len(response.context["members"]) == 6
    assert "Page 2 of 2" in html(response)


def test_members_page_with_htmx_returns_the_members_part(client, demo, team):
    response = logged_in(client, demo).get(f"/orgs/acme/teams/{team.pk}/?page=1", headers=HTMX)
    assert html(response).lstrip().startswith('<section id="team-members"')


# --- workspace access ----------------------------------------------------------------------


def test_give_access_with_role_defaults_and_extra_flags(client, demo, acme, team):
    response = logged_in(client, demo).post(
        f"/orgs/acme/teams/{team.pk}/access/",
        {"workspace": ws(acme, "events").pk, "role": "editor", "audience_viewer": "on"},
    )
    assert response.status_code == 302
    grant = TeamAccess.objects.get(team=team, workspace__slug="events")
    assert (grant.role, grant.flags) == (
        "editor",
        {"flows_manager": True, "brand_kits_manager": True, "audience_viewer": True},
    )


def test_give_access_with_htmx_returns_the_access_part(client, demo, acme, team):
    response = logged_in(client, demo).post(
        f"/orgs/acme/teams/{team.pk}/access/",
        {"workspace": ws(acme, "events").pk, "role": "viewer"},
        headers=HTMX,
    )
    page = html(response)
    assert page.lstrip().startswith('<section id="team-access"')
    assert "Role for Events" in page
    assert "Field Sales now has access to Events." in page


@pytest.mark.parametrize(
    "data,field",
    [
        ({"workspace": "", "role": "viewer"}, "workspace"),
        ({"workspace": "{sales}", "role": "viewer"}, "workspace"),  # already has access
        ({"workspace": "{globex}", "role": "viewer"}, "workspace"),  # another org's
        ({"workspace": "{events}", "role": "owner"}, "role"),
        ({"workspace": "{events}", "role": "viewer", "until": "2020-01-01"}, "until"),
    ],
)
def test_give_access_refuses_bad_input(client, demo, acme, globex, team, data, field):
    ids = {"sales": ws(acme, "sales").pk, "events": ws(acme, "events").pk}
    ids["globex"] = ws(globex, "main").pk
    data = {k: v.format(**ids) if isinstance(v, str) else v for k, v in data.items()}
    response = logged_in(client, demo).post(f"/orgs/acme/teams/{team.pk}/access/", data)
    assert response.status_code == 400
    assert response.context["access_form"].errors[field]
    assert list(TeamAccess.objects.values_list("team__name", "workspace__slug", "role")) == [
        ("Field Sales", "sales", "editor")
    ]


def test_add_access_offers_only_workspaces_without_access(client, demo, team):
    response = logged_in(client, demo).get(f"/orgs/acme/teams/{team.pk}/")
    choices = [ws.slug for ws in response.context["access_form"].fields["workspace"].queryset]
    assert choices == ["events", "marketing"]


def test_change_role_applies_its_defaults(client, demo, acme, team):
    grant = TeamAccess.objects.get(team=team)
    grant.audience_viewer = True
    grant.save()
    response = logged_in(client, demo).post(
        f"/orgs/acme/teams/{team.pk}/access/{grant.workspace_id}/",
        {"role": "viewer", "flows_manager": "on", "audience_viewer": "on", "confirmed": "1"},
    )
    assert response.status_code == 302
    grant.refresh_from_db()
    assert (grant.role, grant.flags) == (
        "viewer",
        {"flows_manager": False, "brand_kits_manager": False, "audience_viewer": False},
    )


def test_same_role_sets_the_flags_as_ticked(client, demo, team):
    grant = TeamAccess.objects.get(team=team)
    logged_in(client, demo).post(
        f"/orgs/acme/teams/{team.pk}/access/{grant.workspace_id}/",
        {"role": "editor", "brand_kits_manager": "on", "audience_viewer": "on", "confirmed": "1"},
    )
    grant.refresh_from_db()
    assert grant.flags == {
        "flows_manager": False,
        "brand_kits_manager": True,
        "audience_viewer": True,
    }


def test_admin_flags_cannot_be_turned_off(client, demo, team):
    grant = TeamAccess.objects.get(team=team)
    grant.role = "admin"
    grant.save()
    logged_in(client, demo).post(
        f"/orgs/acme/teams/{team.pk}/access/{grant.workspace_id}/", {"role": "admin"}
    )
    grant.refresh_from_db()
    assert all(grant.flags.values())


def test_change_with_htmx_returns_the_row(client, demo, team):
    grant = TeamAccess.objects.get(team=team)
    response = logged_in(client, demo).post(
        f"/orgs/acme/teams/{team.pk}/access/{grant.workspace_id}/",
        {"role": "admin"},
        headers=HTMX,
    )
    page = html(response)
    assert page.lstrip().startswith(f'<form id="access-{grant.workspace_id}"')
    assert "permissions set to the Admin defaults" in page
    assert "disabled" in page  # admin flags are locked


def test_change_refuses_an_unknown_role(client, demo, team):
    grant = TeamAccess.objects.get(team=team)
    response = logged_in(client, demo).post(
        f"/orgs/acme/teams/{team.pk}/access/{grant.workspace_id}/", {"role": "owner"}
    )
    assert response.status_code == 400  # a plain POST, as on Manage → Teams
    assert "Select a valid choice" in html(response)
    grant.refresh_from_db()
    assert grant.role == "editor"


def test_change_refusal_with_htmx_shows_the_error_in_the_row(client, demo, team):
    grant = TeamAccess.objects.get(team=team)
    response = logged_in(client, demo).post(
        f"/orgs/acme/teams/{team.pk}/access/{grant.workspace_id}/", {"role": ""}, headers=HTMX
    )
    assert 'role="alert"' in html(response)
    assert "This field is required." in html(response)


def test_change_of_a_workspace_without_access_is_not_found(client, demo, acme, team):
    response = logged_in(client, demo).post(
        f"/orgs/acme/teams/{team.pk}/access/{ws(acme, 'events').pk}/", {"role": "admin"}
    )
    assert response.status_code == 404


def test_remove_access_asks_for_confirmation(client, demo, team):
    grant = TeamAccess.objects.get(team=team)
    url = f"/orgs/acme/teams/{team.pk}/access/{grant.workspace_id}/remove/"
    page = unescape(html(logged_in(client, demo).get(url)))
    assert "Remove Field Sales's access to Sales?" in page
    assert TeamAccess.objects.filter(pk=grant.pk).exists()


def test_remove_access(client, demo, team):
    grant = TeamAccess.objects.get(team=team)
    url = f"/orgs/acme/teams/{team.pk}/access/{grant.workspace_id}/remove/"
    assert logged_in(client, demo).post(url).status_code == 302
    assert not TeamAccess.objects.filter(team=team).exists()


def test_remove_access_with_htmx(client, demo, team):
    grant = TeamAccess.objects.get(team=team)
    url = f"/orgs/acme/teams/{team.pk}/access/{grant.workspace_id}/remove/"
    response = logged_in(client, demo).post(url, headers=HTMX)
    assert "has no workspace access yet" in html(response)
    assert "Field Sales no longer has access to Sales." in html(response)


def test_team_access_reaches_its_members(client, demo, acme, team):
    """What the page sets is what the policy answers."""
    logged_in(client, demo).post(
        f"/orgs/acme/teams/{team.pk}/access/",
        {"workspace": ws(acme, "events").pk, "role": "viewer"},
    )
    access = load_access(demo["teamuser@acme.test"])[acme.pk]
    assert access.workspace(ws(acme, "events").pk).role == "viewer"


# --- settings and delete -------------------------------------------------------------------


def test_settings_rename_and_describe(client, demo, team):
    response = logged_in(client, demo).post(
        f"/orgs/acme/teams/{team.pk}/settings/", {"name": "Road Warriors", "description": "Hi"}
    )
    assert response.status_code == 302
    team.refresh_from_db()
    assert (team.name, team.description) == ("Road Warriors", "Hi")


def test_settings_with_htmx_rerenders_in_place(client, demo, team):
    response = logged_in(client, demo).post(
        f"/orgs/acme/teams/{team.pk}/settings/",
        {"name": "Road Warriors", "description": ""},
        headers=HTMX,
    )
    page = html(response)
    assert page.lstrip().startswith('<div id="team-settings">')
    assert "Team saved." in page
    assert "Road Warriors</h1>" in page


def test_settings_avatar_upload_is_a_square_png_served_to_members(client, demo, team):
    logged_in(client, demo).post(
        f"/orgs/acme/teams/{team.pk}/settings/",
        {"name": team.name, "description": "", "avatar": image_file(size=(500, 300))},
    )
    team.refresh_from_db()
    assert team.avatar.name.startswith("avatars/teams/") and team.avatar.name.endswith(".png")
    page = html(client.get(f"/orgs/acme/teams/{team.pk}/settings/"))
    url = f"/orgs/acme/avatars/team/{team.pk}/{team.avatar.name.rsplit('/', 1)[1]}"
    assert f'src="{url}"' in page
    response = client.get(url)
    image = Image.open(io.BytesIO(b"".join(response.streaming_content)))
    assert image.size == (256, 256)


def test_settings_remove_avatar(client, demo, team, django_capture_on_commit_callbacks):
    services.team_update(actor=None, team=team, avatar=_processed())
    storage, old = team.avatar.storage, team.avatar.name
    with django_capture_on_commit_callbacks(execute=True):
        logged_in(client, demo).post(
            f"/orgs/acme/teams/{team.pk}/settings/",
            {"name": team.name, "description": "", "remove_avatar": "on"},
        )
    team.refresh_from_db()
    assert not team.avatar
    assert not storage.exists(old)


def _processed():
    return process_avatar(image_file())


@pytest.mark.parametrize(
    "data,field,message",
    [
        ({"name": ""}, "name", "This field is required."),
        ({"name": "x" * 121}, "name", "at most 120 characters"),
        ({"name": "Other Team"}, "name", "There is already a team called"),
        (
            {"name": "Field Sales", "avatar": "not-an-image"},
            "avatar",
            "Upload a valid image file.",
        ),
        ({"name": "Field Sales", "avatar": "bmp"}, "avatar", "Upload a PNG, JPEG, GIF or WebP"),
    ],
)
def test_settings_refuse_bad_input(client, demo, acme, team, data, field, message):
    TeamFactory(org=acme, name="Other Team")
    data = dict(data)
    if data.get("avatar") == "not-an-image":
        data["avatar"] = SimpleUploadedFile("a.png", b"hello")
    elif data.get("avatar") == "bmp":
        data["avatar"] = image_file(name="a.bmp", fmt="BMP")
    response = logged_in(client, demo).post(f"/orgs/acme/teams/{team.pk}/settings/", data)
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors[field])
    team.refresh_from_db()
    assert (team.name, team.avatar.name) == ("Field Sales", "")


def test_settings_refuse_upload_and_remove_together(client, demo, team):
    services.team_update(actor=None, team=team, avatar=_processed())
    response = logged_in(client, demo).post(
        f"/orgs/acme/teams/{team.pk}/settings/",
        {"name": team.name, "avatar": image_file(), "remove_avatar": "on"},
    )
    assert response.context["form"].errors["remove_avatar"]


def test_delete_asks_for_confirmation_listing_the_access_lost(client, demo, team):
    page = html(logged_in(client, demo).get(f"/orgs/acme/teams/{team.pk}/delete/"))
    assert "Delete the team Field Sales?" in page
    assert "Sales: Editor" in page
    assert Team.objects.filter(pk=team.pk).exists()


def test_delete(client, demo, acme, team):
    response = logged_in(client, demo).post(f"/orgs/acme/teams/{team.pk}/delete/")
    assert response["Location"] == "/orgs/acme/teams/"
    assert not Team.objects.filter(org=acme).exists()
    assert not TeamAccess.objects.exists()
    assert not TeamMembership.objects.exists()


def test_team_update_service_refuses_a_blank_name(team):
    with pytest.raises(ServiceError):
        services.team_update(actor=None, team=team, name="  ")


# --- query counts --------------------------------------------------------------------------


def grow(org, team, n):
    for _ in range(n):
        TeamMembershipFactory(team=team, user=OrgMembershipFactory(org=org).user)
        TeamAccessFactory(team=team, workspace=WorkspaceFactory(org=org), role="editor")
        other = TeamFactory(org=org)
        TeamMembershipFactory(team=other, user=OrgMembershipFactory(org=org).user)


@pytest.mark.parametrize(
    "path,budget",
    [
        ("teams/", 8),
        ("teams/{team}/", 12),
        ("teams/{team}/settings/", 7),
        ("teams/{team}/delete/", 13),  # with the impact preview: four queries
    ],
)
def test_query_counts_do_not_grow(
    client, demo, acme, team, path, budget, django_assert_max_num_queries
):
    logged_in(client, demo)
    url = "/orgs/acme/" + path.format(team=team.pk)
    with django_assert_max_num_queries(budget):
        assert client.get(url).status_code == 200
    grow(acme, team, 8)
    with django_assert_max_num_queries(budget):
        assert client.get(url).status_code == 200


@pytest.mark.parametrize("headers", [{}, HTMX], ids=["page", "htmx"])
def test_a_refused_save_of_an_ended_access_shows_the_services_reason(client, demo, team, headers):
    """The team page's row saves through team_access_set as Manage → Teams does, and shows its
    refusal (here: the access ended and no new end was picked) in the row, not a server error."""
    grant = TeamAccess.objects.get(team=team)
    ended = timezone.now() - timedelta(days=2)
    TeamAccess.objects.filter(pk=grant.pk).update(until=ended)
    response = logged_in(client, demo).post(
        f"/orgs/acme/teams/{team.pk}/access/{grant.workspace_id}/",
        {"role": "admin", "until": expiry.last_day(ended).isoformat()},
        headers=headers,
    )
    assert response.status_code == (200 if headers else 400)  # htmx swaps no 4xx
    page = unescape(html(response))
    assert "ended on" in page and 'role="alert"' in page
    assert TeamAccess.objects.get(pk=grant.pk).role == grant.role
