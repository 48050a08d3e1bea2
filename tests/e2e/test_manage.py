"""The workspace Manage page in a browser: a flag toggled in place with htmx, and a Workspace
Admin's journey through Members, Settings and Domains."""

import re

import pytest
from playwright.sync_api import expect

from orgs import domains
from orgs.models import Domain, User
from tests.factories import FlowFactory
from workspaces.models import Workspace, WorkspaceMembership

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MEMBERS = "/orgs/acme/w/marketing/manage/members/"


def fresh(email):
    return User.objects.get(email=email)


def marketing():
    return Workspace.objects.select_related("whitelabel_domain").get(
        org__slug="acme", slug="marketing"
    )


def test_toggle_a_flag_in_place(demo, page, login, screenshot):
    login("wsadmin@acme.test")
    page.goto(MEMBERS)
    viewer = demo["viewer@acme.test"]
    row = page.locator(f"#member-{viewer.pk}")
    checkbox = row.get_by_label("Audience Viewer")
    expect(checkbox).not_to_be_checked()
    url_before = page.url
    checkbox.check()
    row.get_by_role("button", name="Save").click()
    expect(page.locator("#toasts")).to_contain_text("Permissions saved.")
    expect(page.locator(f"#member-{viewer.pk}").get_by_label("Audience Viewer")).to_be_checked()
    assert page.url == url_before  # updated in place, no navigation
    screenshot("manage-members-flag-toggled")
    membership = WorkspaceMembership.objects.get(user=viewer, workspace__slug="marketing")
    assert membership.audience_viewer
    assert fresh("viewer@acme.test").has_perm("ws.view_audience", marketing())


def test_role_change_in_place_resets_the_flags(demo, page, login):
    login("wsadmin@acme.test")
    page.goto(MEMBERS)
    row = page.locator(f"#member-{demo['audience@acme.test'].pk}")
    expect(row.get_by_label("Audience Viewer")).to_be_checked()
    row.get_by_label("Role for Aud Ience").select_option("editor")
    row.get_by_role("button", name="Save").click()
    # Audience Viewer goes with the new role's defaults: that lowers access, so it asks first.
    expect(page.locator(".impact")).to_contain_text(
        "to Marketing Editor (direct); loses Audience Viewer"
    )
    page.get_by_role("button", name="Save the change").click()
    expect(page.locator("#toasts")).to_contain_text("Role set to Editor")
    expect(row.get_by_label("Audience Viewer")).not_to_be_checked()
    expect(row.get_by_label("Flows Manager")).to_be_checked()


def test_workspace_admin_journey(demo, page, login, screenshot, monkeypatch):
    flow = FlowFactory(workspace=marketing(), name="Spring poster", short_code="spring01")
    login("wsadmin@acme.test")

    # Manage lands on Members.
    page.goto("/orgs/acme/w/marketing/manage/")
    assert page.url.endswith(MEMBERS)
    expect(page.get_by_role("heading", name="People with access to Marketing")).to_be_visible()

    # Add outsider@acme.test as a viewer, found as you type.
    page.get_by_label("Find a member of Acme").fill("outsi")
    candidates = page.locator("#candidates")
    expect(candidates.get_by_text("outsider@acme.test")).to_be_visible()
    screenshot("manage-members-add-search")
    candidates.get_by_label("Role for Otto Outsider").select_option("viewer")
    candidates.get_by_role("button", name="Add access for Otto Outsider").click()
    expect(page.get_by_text("Added Otto Outsider to Marketing as Viewer.")).to_be_visible()
    outsider = fresh("outsider@acme.test")
    assert outsider.has_perm("ws.view", marketing())
    assert not outsider.has_perm("ws.view_audience", marketing())

    # Grant Audience Viewer: their access changes at once.
    row = page.locator(f"#member-{outsider.pk}")
    row.get_by_label("Audience Viewer").check()
    row.get_by_role("button", name="Save").click()
    expect(page.locator("#toasts")).to_contain_text("Permissions saved.")
    assert fresh("outsider@acme.test").has_perm("ws.view_audience", marketing())
    screenshot("manage-members-outsider-audience")

    # Change the workspace name.
    page.get_by_role("navigation", name="Manage Marketing").get_by_role(
        "link", name="Settings"
    ).click()
    expect(page.get_by_text("Changing the slug changes links.")).to_be_visible()
    page.get_by_label("Name").fill("Brand Marketing")
    page.get_by_role("button", name="Save settings").click()
    expect(page.get_by_text("Saved the settings of Brand Marketing.")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Brand Marketing")
    screenshot("manage-settings-renamed")
    assert marketing().name == "Brand Marketing"

    # Add a whitelabel domain of its own, verify it, use it: the flow's short link follows.
    page.get_by_role("navigation", name="Manage Brand Marketing").get_by_role(
        "link", name="Domains"
    ).click()
    expect(page.locator(".short-link")).to_have_text("https://flow.test/s/spring01")
    page.get_by_label("Hostname").fill("go.brand.example")
    page.get_by_role("button", name="Add domain").click()
    expect(page.get_by_text("_flowadmin.go.brand.example")).to_be_visible()
    screenshot("manage-domains-pending")
    domain = Domain.objects.get(hostname="go.brand.example")
    monkeypatch.setattr(
        domains,
        "lookup_txt",
        lambda name: [domain.verification_token] if name == domain.txt_record_name else [],
    )
    page.get_by_role("button", name="Verify go.brand.example").click()
    expect(page.get_by_text("go.brand.example is verified")).to_be_visible()
    page.get_by_role("button", name="Use go.brand.example").click()
    expect(page.get_by_text("Flow short links now use go.brand.example.")).to_be_visible()
    expect(page.locator(".short-link")).to_have_text("https://go.brand.example/s/spring01")
    screenshot("manage-domains-in-use")
    flow.workspace = marketing()
    assert flow.short_link == "https://go.brand.example/s/spring01"


def test_integrations_and_teams_pages(demo, page, login, screenshot):
    login("admin@acme.test")
    page.goto("/orgs/acme/w/marketing/manage/integrations/")
    page.get_by_role("link", name=re.compile("Install HubSpot")).click()
    page.get_by_label("Portal id").fill("4242")
    page.get_by_label("Private app access token").fill("pat-na1-secret-token-9876")
    page.get_by_role("button", name="Install HubSpot").click()
    card = page.locator("#app-hubspot")
    expect(card.get_by_text("Enabled")).to_be_visible()
    card.get_by_role("button", name="Disable HubSpot").click()
    expect(page.locator("#app-hubspot").get_by_text("Disabled")).to_be_visible()
    screenshot("manage-integrations")
    assert "pat-na1-secret-token-9876" not in page.content()

    page.get_by_role("navigation", name="Manage Marketing").get_by_role(
        "link", name="Teams"
    ).click()
    page.get_by_label("Team", exact=True).select_option(label="Field Sales")
    page.get_by_label("Role for the chosen team", exact=True).select_option("editor")
    page.get_by_role("button", name="Add access for the chosen team").click()
    expect(page.get_by_text("Field Sales now has Editor access to Marketing.")).to_be_visible()
    screenshot("manage-teams")
    assert fresh("teamuser@acme.test").has_perm("ws.manage_flows", marketing())


def test_remove_a_member_after_confirmation(demo, page, login, screenshot):
    login("wsadmin@acme.test")
    page.goto(MEMBERS)
    page.get_by_role("link", name="Remove access for Vera Viewer").click()
    expect(page.get_by_role("heading", name="Remove Vera Viewer from Marketing?")).to_be_visible()
    screenshot("manage-members-remove-confirm")
    page.get_by_role("button", name="Remove").click()
    expect(page.get_by_text("Removed Vera Viewer's direct access to Marketing.")).to_be_visible()
    assert not fresh("viewer@acme.test").has_perm("ws.view", marketing())
