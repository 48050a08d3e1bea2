"""Undo: a removal from a team, a team's or a member's workspace access removed, and
a member profile's row saved can be put back from the toast for 10 s — a new change through the
same services, with its own activity-log entry (the log is append-only: nothing is deleted)."""

import pytest
from playwright.sync_api import expect

from audit.models import ActivityEntry
from orgs.models import Team, TeamMembership
from workspaces.models import TeamAccess, Workspace, WorkspaceMembership

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def entries():
    return list(ActivityEntry.objects.order_by("pk").values_list("action", "entity_type"))


def field_sales():
    return Team.objects.get(org__slug="acme", name="Field Sales")


def undo_in_toast(page, text):
    toast = page.locator("#toasts .toast").filter(has_text=text)
    expect(toast).to_be_visible()
    toast.get_by_role("button", name="Undo").click()


def test_undo_a_removal_from_a_team(demo, page, login):
    login("admin@acme.test")
    team = field_sales()
    page.goto(f"/orgs/acme/teams/{team.pk}/")
    page.get_by_role("link", name="Remove teamuser@acme.test").click()
    page.get_by_role("button", name="Remove from Field Sales").click()
    assert not TeamMembership.objects.filter(team=team).exists()
    before = entries()
    undo_in_toast(page, "teamuser@acme.test removed from Field Sales.")
    expect(page.locator("#toasts")).to_contain_text("Undone: teamuser@acme.test is back in")
    expect(page.get_by_role("link", name="Remove teamuser@acme.test")).to_be_visible()
    assert TeamMembership.objects.filter(team=team, user=demo["teamuser@acme.test"]).exists()
    after = entries()
    assert after[: len(before)] == before  # nothing rewritten or deleted
    assert after[len(before) :] == [("created", "team_member")]


def test_undo_a_teams_workspace_access_removal_restores_role_and_flags(demo, page, login):
    team = field_sales()
    sales = Workspace.objects.get(org__slug="acme", slug="sales")
    TeamAccess.objects.filter(team=team, workspace=sales).update(audience_viewer=True)
    login("admin@acme.test")
    page.goto(f"/orgs/acme/teams/{team.pk}/")
    page.get_by_role("link", name="Remove access for Sales").click()
    page.get_by_role("button", name="Remove").click()
    assert not TeamAccess.objects.filter(team=team, workspace=sales).exists()
    undo_in_toast(page, "Field Sales no longer has access to Sales.")
    expect(page.locator("#toasts")).to_contain_text("Undone: Field Sales has Editor access")
    grant = TeamAccess.objects.get(team=team, workspace=sales)
    assert (grant.role, grant.flows_manager, grant.audience_viewer) == ("editor", True, True)
    assert entries()[-1] == ("created", "team_access")


def test_undo_a_members_direct_access_removal_on_manage(demo, page, login):
    login("wsadmin@acme.test")
    page.goto("/orgs/acme/w/marketing/manage/members/")
    row = page.locator(f"#member-{demo['audience@acme.test'].pk}")
    row.get_by_role("link", name="Remove").click()
    page.get_by_role("button", name="Remove").click()
    gone = WorkspaceMembership.objects.filter(user__email="audience@acme.test")
    assert not gone.exists()
    count = ActivityEntry.objects.count()
    undo_in_toast(page, "Removed Aud Ience's direct access to Marketing.")
    expect(page.locator("#toasts")).to_contain_text("Undone: Aud Ience is Viewer of Marketing")
    m = gone.get()
    assert (m.role, m.audience_viewer, m.flows_manager) == ("viewer", True, False)
    assert ActivityEntry.objects.count() == count + 1


def test_undo_a_team_access_removal_on_manage(demo, page, login):
    login("admin@acme.test")
    page.goto("/orgs/acme/w/sales/manage/teams/")
    page.get_by_role("link", name="Remove").first.click()
    page.get_by_role("button", name="Remove access").click()
    undo_in_toast(page, "Field Sales no longer has access to Sales.")
    expect(page.locator("#toasts")).to_contain_text("Undone: Field Sales has Editor access")
    assert TeamAccess.objects.filter(team=field_sales(), workspace__slug="sales").exists()


@pytest.mark.parametrize("new_role", ["", "admin"])
def test_undo_a_saved_row_of_a_member_profile(demo, page, login, new_role):
    """No access (a removal) or another role: Undo brings back the role and the flags."""
    login("admin@acme.test")
    page.goto(f"/orgs/acme/users/{demo['audience@acme.test'].pk}/")
    row = page.locator(".ws-access").filter(
        has=page.get_by_role("heading", name="Marketing", exact=True)
    )
    row.get_by_label("Role for Marketing").select_option(new_role)
    row.get_by_role("button", name="Save access for Marketing").click()
    if not new_role:  # a removal asks first, showing who loses what (impact preview)
        page.get_by_role("button", name="Save the change").click()
    saved = "Saved Aud Ience's access to Marketing."
    expect(page.locator("#toasts .toast").filter(has_text=saved)).to_be_visible()
    count = ActivityEntry.objects.count()
    undo_in_toast(page, saved)
    undone = "Undone: Aud Ience" + (
        "'s access to Marketing" if new_role else " is Viewer of Marketing"
    )
    expect(page.locator("#toasts")).to_contain_text(undone)
    m = WorkspaceMembership.objects.get(
        user__email="audience@acme.test", workspace__slug="marketing"
    )
    assert (m.role, m.audience_viewer, m.flows_manager) == ("viewer", True, False)
    assert ActivityEntry.objects.count() == count + 1
    row = page.locator(".ws-access").filter(
        has=page.get_by_role("heading", name="Marketing", exact=True)
    )
    expect(row.get_by_label("Audience Viewer")).to_be_checked()


def test_the_undo_toast_stays_ten_seconds(demo, page, login):
    login("admin@acme.test")
    page.clock.install()
    team = field_sales()
    page.goto(f"/orgs/acme/teams/{team.pk}/")
    page.get_by_role("link", name="Remove teamuser@acme.test").click()
    page.get_by_role("button", name="Remove from Field Sales").click()
    toast = page.locator("#toasts .toast")
    expect(toast.get_by_role("button", name="Undo")).to_be_visible()
    page.clock.run_for(9000)
    expect(toast).to_have_count(1)
    page.clock.run_for(1500)
    expect(toast).to_have_count(0)


def test_without_javascript_the_message_offers_undo(demo, chromium, live_server):
    from tests.conftest import log_in

    context = chromium.new_context(base_url=live_server.url, java_script_enabled=False)
    page = context.new_page()
    log_in(page, "admin@acme.test")
    team = field_sales()
    page.goto(f"/orgs/acme/teams/{team.pk}/")
    page.get_by_role("link", name="Remove teamuser@acme.test").click()
    page.get_by_role("button", name="Remove from Field Sales").click()
    page.locator(".messages").get_by_role("button", name="Undo").click()
    expect(page.locator(".messages")).to_contain_text("Undone: teamuser@acme.test is back in")
    assert TeamMembership.objects.filter(team=team).exists()
    context.close()
