"""The one grant editor (workspaces.forms.grants.grant_editor) as a person meets it on each page
that edits a workspace grant — a member's profile, a team's page, Manage → Members and Manage →
Teams: the same names for the role, the permissions group, the end and Save, ids of one
pattern, and the keyboard never saving by itself (an arrow key on the role only lights Save)."""

import re

import pytest
from playwright.sync_api import expect

from orgs.models import Team
from orgs.roles import FLAGS
from workspaces.models import TeamAccess, Workspace, WorkspaceMembership

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def editors(demo):
    """(page, the element holding one grant's editor, whom its labels name) per page."""
    editor = demo["editor@acme.test"]
    marketing = Workspace.objects.get(org__slug="acme", slug="marketing")
    sales = Workspace.objects.get(org__slug="acme", slug="sales")
    team = Team.objects.get(org__slug="acme", name="Field Sales")
    access = TeamAccess.objects.get(team=team, workspace=sales)
    return [
        (f"/orgs/acme/users/{editor.pk}/", f"#ws-row-{editor.pk}-{marketing.pk}", "Marketing"),
        (f"/orgs/acme/teams/{team.pk}/", f"#access-{sales.pk}", "Sales"),
        ("/orgs/acme/w/marketing/manage/members/", f"#member-{editor.pk}", "Eddie Editor"),
        ("/orgs/acme/w/sales/manage/teams/", f"#team-{access.pk}", "Field Sales"),
    ]


def test_every_page_edits_a_grant_with_the_same_editor(demo, page, login):
    login("admin@acme.test")
    saved = WorkspaceMembership.objects.get(user=demo["editor@acme.test"]).role
    for path, holder, who in editors(demo):
        page.goto(path)
        row = page.locator(holder)
        role = row.get_by_role("combobox", name=f"Role for {who}", exact=True)
        expect(role).to_have_value("editor")
        assert re.fullmatch(r"grant-\d+-(user|team)-\d+-role", role.get_attribute("id")), path
        permissions = row.get_by_role("group", name=f"Permissions for {who}", exact=True)
        expect(permissions.get_by_role("checkbox")).to_have_count(len(FLAGS))
        expect(
            row.get_by_label(f"Until (access for {who} ends after this day; empty: no end)")
        ).to_be_visible()
        save = row.get_by_role("button", name=f"Save access for {who}", exact=True)
        expect(save).to_be_disabled()

        role.focus()
        page.keyboard.press("ArrowDown")  # Editor → Admin: a change to save, not a save
        expect(role).to_have_value("admin")
        expect(save).to_be_enabled()
        page.keyboard.press("ArrowUp")
        expect(save).to_be_disabled()
    assert WorkspaceMembership.objects.get(user=demo["editor@acme.test"]).role == saved
    assert TeamAccess.objects.get(team__name="Field Sales").role == "editor"


def test_a_refused_save_is_said_in_the_row_and_tied_to_save(demo, page, login):
    """The team page's row shows the grant service's refusal (an access whose end has passed
    is renewed only with a new end) where Save's description points."""
    login("admin@acme.test")
    team = Team.objects.get(org__slug="acme", name="Field Sales")
    access = TeamAccess.objects.get(team=team)
    TeamAccess.objects.filter(pk=access.pk).update(until="2020-01-01T00:00:00Z")
    page.goto(f"/orgs/acme/teams/{team.pk}/")
    row = page.locator(f"#access-{access.workspace_id}")
    row.get_by_role("combobox", name="Role for Sales").select_option("admin")
    row.get_by_role("button", name="Save access for Sales").click()
    alert = row.get_by_role("alert")
    expect(alert).to_contain_text("ended on")
    save = row.get_by_role("button", name="Save access for Sales")
    expect(save).to_have_accessible_description(re.compile("ended on"))
    assert TeamAccess.objects.get(pk=access.pk).role == "editor"
