"""Expiring access in the console: ends are set where each grant is set (the member profile's
Primary Role and workspace rows, the team page, Manage → Members), shown next to the role
("Editor until 12 Jan"), and the Users and Manage → Members pages filter "access ending in 30
days"."""

import datetime

import pytest
from django.utils import timezone

from orgs import expiry
from orgs.models import OrgMembership, Team, TeamMembership
from workspaces.models import TeamAccess, Workspace, WorkspaceMembership

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}


def in_days(n):
    return timezone.localdate() + datetime.timedelta(days=n)


@pytest.fixture
def admin(client, demo):
    client.force_login(demo["admin@acme.test"])
    return client


@pytest.fixture
def marketing(acme):
    return Workspace.objects.get(org=acme, slug="marketing")


def test_profile_sets_the_org_membership_end(admin, demo):
    viewer = demo["viewer@acme.test"]
    day = in_days(20)
    response = admin.post(
        f"/orgs/acme/users/{viewer.pk}/role/", {"role": "user", "until": day.isoformat()}
    )
    assert response.status_code == 302
    membership = OrgMembership.objects.get(org__slug="acme", user=viewer)
    assert membership.until == expiry.end_of_day(day)
    page = admin.get(f"/orgs/acme/users/{viewer.pk}/").content.decode()
    assert f"User until {expiry.short_label(membership.until)}" in page
    assert f'value="{day.isoformat()}"' in page
    admin.post(f"/orgs/acme/users/{viewer.pk}/role/", {"role": "user", "until": ""})
    assert OrgMembership.objects.get(org__slug="acme", user=viewer).until is None


def test_profile_row_sets_a_workspace_end_and_shows_it(admin, demo, marketing):
    editor = demo["editor@acme.test"]
    day = in_days(12)
    url = f"/orgs/acme/users/{editor.pk}/workspaces/{marketing.pk}/"
    data = {"role": "editor", "flows_manager": "on", "brand_kits_manager": "on"}
    response = admin.post(url, {**data, "until": day.isoformat()}, headers=HTMX)
    assert response.status_code == 200
    membership = WorkspaceMembership.objects.get(workspace=marketing, user=editor)
    assert membership.until == expiry.end_of_day(day)
    assert f"Editor until {expiry.short_label(membership.until)}" in response.content.decode()
    # Saving the row again with the date shown leaves the end as it is.
    WorkspaceMembership.objects.filter(pk=membership.pk).update(
        until=expiry.end_of_day(day) - datetime.timedelta(hours=3)
    )
    admin.post(url, {**data, "until": day.isoformat()}, headers=HTMX)
    assert WorkspaceMembership.objects.get(pk=membership.pk).until == (
        expiry.end_of_day(day) - datetime.timedelta(hours=3)
    )


def test_a_past_end_is_a_form_error(admin, demo, marketing):
    editor = demo["editor@acme.test"]
    url = f"/orgs/acme/users/{editor.pk}/workspaces/{marketing.pk}/"
    response = admin.post(
        url,
        {
            "role": "editor",
            "flows_manager": "on",
            "brand_kits_manager": "on",
            "until": in_days(-2).isoformat(),
        },
        headers=HTMX,
    )
    assert "must be in the future" in response.content.decode()
    assert WorkspaceMembership.objects.get(workspace=marketing, user=editor).until is None


def test_saving_a_row_whose_end_just_passed_is_refused(admin, demo, marketing, monkeypatch):
    """The form was opened before the end and is saved after it (the job has not run)."""
    editor = demo["editor@acme.test"]
    end = timezone.now() + datetime.timedelta(hours=1)
    WorkspaceMembership.objects.filter(workspace=marketing, user=editor).update(until=end)
    day = expiry.last_day(end)
    from orgs import services

    later = end + datetime.timedelta(seconds=1)
    monkeypatch.setattr(
        services, "timezone", type("Clock", (), {"now": staticmethod(lambda: later)})
    )
    response = admin.post(
        f"/orgs/acme/w/marketing/manage/members/"
        f"{WorkspaceMembership.objects.get(workspace=marketing, user=editor).pk}/",
        {"role": "viewer", "until": day.isoformat(), "confirmed": "1"},
        headers=HTMX,
    )
    assert "ended on" in response.content.decode()
    assert WorkspaceMembership.objects.get(workspace=marketing, user=editor).role == "editor"


def test_manage_members_row_sets_an_end(client, demo, marketing):
    client.force_login(demo["wsadmin@acme.test"])
    viewer = demo["viewer@acme.test"]
    membership = WorkspaceMembership.objects.get(workspace=marketing, user=viewer)
    day = in_days(5)
    response = client.post(
        f"/orgs/acme/w/marketing/manage/members/{membership.pk}/",
        {"role": "viewer", "until": day.isoformat()},
        headers=HTMX,
    )
    assert response.status_code == 200
    assert WorkspaceMembership.objects.get(pk=membership.pk).until == expiry.end_of_day(day)


def save_team_access_until(admin, team, access, day):
    """Save `access`'s row on the team page (htmx) with its role and flags, ending on `day`."""
    return admin.post(
        f"/orgs/acme/teams/{team.pk}/access/{access.workspace_id}/",
        {
            "role": access.role,
            "flows_manager": "on",
            "brand_kits_manager": "on",
            "until": day.isoformat(),
        },
        headers=HTMX,
    )


def test_team_page_sets_a_team_access_end(admin, acme):
    team = Team.objects.get(org=acme, name="Field Sales")
    access = TeamAccess.objects.get(team=team)
    day = in_days(40)
    response = save_team_access_until(admin, team, access, day)
    assert response.status_code == 200
    assert TeamAccess.objects.get(pk=access.pk).until == expiry.end_of_day(day)


def test_users_page_filters_access_ending_in_30_days(admin, demo, acme, marketing):
    viewer, editor, teamuser = (
        demo[e] for e in ("viewer@acme.test", "editor@acme.test", "teamuser@acme.test")
    )
    soon = expiry.end_of_day(in_days(10))
    WorkspaceMembership.objects.filter(workspace=marketing, user=viewer).update(until=soon)
    OrgMembership.objects.filter(org=acme, user=editor).update(until=soon)
    TeamMembership.objects.filter(user=teamuser).update(until=expiry.end_of_day(in_days(60)))
    page = admin.get("/orgs/acme/users/?expiring=30").content.decode()
    assert "viewer@acme.test" in page and "editor@acme.test" in page
    assert "teamuser@acme.test" not in page and "wsadmin@acme.test" not in page
    assert f"User until {expiry.short_label(soon)}" in page
    everyone = admin.get("/orgs/acme/users/").content.decode()
    assert "teamuser@acme.test" in everyone


def test_manage_members_filters_access_ending_in_30_days(client, demo, acme):
    client.force_login(demo["wsadmin@acme.test"])
    viewer = demo["viewer@acme.test"]
    WorkspaceMembership.objects.filter(workspace__slug="marketing", user=viewer).update(
        until=expiry.end_of_day(in_days(3))
    )
    page = client.get("/orgs/acme/w/marketing/manage/members/?expiring=30").content.decode()
    assert "viewer@acme.test" in page
    assert "editor@acme.test" not in page
    assert "Viewer until" in page


def _chunk(html: str, start: str, end: str) -> str:
    """The part of `html` from `start` to the next `end` (one row of a list)."""
    begin = html.index(start)
    return html[begin : html.index(end, begin)]


def _label(role_label: str, day: datetime.date) -> str:
    return f'<span class="badge">{role_label} until {day.day} {day:%b}</span>'


@pytest.mark.parametrize("where", ["team page", "manage teams"])
def test_team_access_rows_show_the_end_next_to_the_role(admin, acme, where):
    """Like the member rows: "Editor until 12 Jan" beside the role, nothing without an end."""
    team = Team.objects.get(org=acme, name="Field Sales")
    access = TeamAccess.objects.select_related("workspace").get(team=team)
    if where == "team page":
        url, start, end = (
            f"/orgs/acme/teams/{team.pk}/",
            f'id="access-{access.workspace_id}"',
            "</form>",
        )
    else:
        url = f"/orgs/acme/w/{access.workspace.slug}/manage/teams/"
        start, end = f'id="team-{access.pk}"', "</tr>"
    day = in_days(40)
    TeamAccess.objects.filter(pk=access.pk).update(until=expiry.end_of_day(day))
    row = _chunk(admin.get(url).content.decode(), start, end)
    assert _label(access.get_role_display(), day) in row

    TeamAccess.objects.filter(pk=access.pk).update(until=None)
    row = _chunk(admin.get(url).content.decode(), start, end)
    assert 'class="badge"' not in row
    assert " until " not in row


def test_saving_a_team_access_row_shows_the_new_end(admin, acme):
    """The row the team page swaps in after Save (htmx) carries the label too."""
    team = Team.objects.get(org=acme, name="Field Sales")
    access = TeamAccess.objects.get(team=team)
    day = in_days(20)
    response = save_team_access_until(admin, team, access, day)
    assert response.status_code == 200
    assert _label(access.get_role_display(), day) in response.content.decode()
