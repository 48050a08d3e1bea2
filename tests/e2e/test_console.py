"""The Org Admin console in the browser, as admin@acme.test: one htmx interaction per page,
with a screenshot of the result."""

from datetime import timedelta

import pytest
from django.utils import timezone
from PIL import Image
from playwright.sync_api import expect

from orgs import domains
from orgs.models import Domain, IntegrationInstallation, Team
from tests.factories import (
    AudienceContactFactory,
    FlowFactory,
    ScanFactory,
    SSOConfigurationFactory,
)
from workspaces.models import Workspace

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ADMIN = "admin@acme.test"


@pytest.fixture
def admin_page(demo, page, login):
    login(ADMIN)
    return page


def wait_htmx(page):
    """Until htmx has sent, swapped and settled (new content gets its triggers on settle)."""
    page.wait_for_timeout(50)
    # expect() polls from Playwright's side: the page's CSP (no 'unsafe-eval') refuses the
    # string functions of wait_for_function.
    expect(
        page.locator(".htmx-request, .htmx-swapping, .htmx-settling, .htmx-added")
    ).to_have_count(0)


def test_dashboard_sorts_the_workspace_table_in_place(
    acme, no_seeded_content, admin_page, screenshot
):
    page = admin_page
    sales = Workspace.objects.get(org=acme, slug="sales")
    marketing = Workspace.objects.get(org=acme, slug="marketing")
    now = timezone.now()
    for ws, scans in [(marketing, 3), (sales, 9)]:
        flow = FlowFactory(workspace=ws)
        for n in range(scans):
            ScanFactory(flow=flow, scanned_at=now - timedelta(days=n * 3))
    AudienceContactFactory(workspace=marketing)

    page.goto("/orgs/acme/")
    expect(page.get_by_role("heading", name="Scans per day")).to_be_visible()
    expect(page.get_by_role("group", name="Scans per day over the last 30 days")).to_be_visible()
    first_row = page.locator("#workspace-table tbody tr").first
    assert first_row.locator("td").first.inner_text().split()[-1] == "Events"  # after initials

    page.get_by_role("link", name="Scans (30 days)").click()
    expect(first_row.locator("td").first).to_contain_text("Sales")
    expect(first_row.locator("td").nth(3)).to_have_text("9")
    assert "sort=scans" in page.url
    screenshot("console-dashboard")


def test_workspaces_create_with_the_suggested_slug(acme, admin_page, screenshot):
    page = admin_page
    page.goto("/orgs/acme/workspaces/")
    page.get_by_label("Name").fill("Spring Launch")
    slug = page.get_by_label("Slug")
    expect(slug).to_have_attribute("placeholder", "spring-launch", timeout=5000)
    assert "Leave blank to use “spring-launch”" in page.locator("#slug-row").inner_text()
    assert slug.input_value() == ""
    screenshot("console-workspaces-slug")
    page.get_by_role("button", name="Create workspace").click()
    page.wait_for_load_state()
    expect(page.get_by_text("Workspace Spring Launch created.")).to_be_visible()
    assert Workspace.objects.filter(org=acme, slug="spring-launch").exists()
    assert page.get_by_role("link", name="Manage Spring Launch").get_attribute("href") == (
        "/orgs/acme/w/spring-launch/manage/"
    )
    screenshot("console-workspaces")

    page.get_by_role("link", name="Delete Spring Launch").click()
    expect(page.get_by_role("heading", name="Delete the workspace Spring Launch?")).to_be_visible()
    page.get_by_label("Type spring-launch to confirm").fill("spring-launch")
    screenshot("console-workspace-delete")
    page.get_by_role("button", name="Delete Spring Launch").click()
    expect(page.get_by_text("Workspace Spring Launch deleted.")).to_be_visible()
    assert not Workspace.objects.filter(org=acme, slug="spring-launch").exists()


def test_teams_create_inline_then_open_the_team(acme, admin_page, screenshot):
    page = admin_page
    page.goto("/orgs/acme/teams/")
    page.get_by_label("Name").fill("field sales")
    page.get_by_role("button", name="Create team").click()
    wait_htmx(page)
    expect(page.get_by_text("already has a team called")).to_be_visible()
    assert page.url.endswith("/orgs/acme/teams/")
    screenshot("console-teams-error")
    page.get_by_label("Name").fill("Design")
    page.get_by_role("button", name="Create team").click()
    page.wait_for_url("**/orgs/acme/teams/*/")
    expect(page.get_by_role("heading", name="Design", level=1)).to_be_visible()
    assert Team.objects.filter(org=acme, name="Design").exists()


def test_team_members_and_workspace_access(acme, admin_page, screenshot):
    page = admin_page
    team = Team.objects.create(org=acme, name="Design")
    page.goto(f"/orgs/acme/teams/{team.pk}/")

    page.get_by_label("Org member's email").fill("editor@acme.test")
    page.get_by_role("button", name="Add to team").click()
    wait_htmx(page)
    expect(page.get_by_text("editor@acme.test added to Design.")).to_be_visible()
    page.get_by_label("Org member's email").fill("viewer@acme.test")
    page.get_by_role("button", name="Add to team").click()
    wait_htmx(page)
    page.get_by_role("link", name="Remove viewer@acme.test").click()
    page.get_by_role("button", name="Remove").click()  # the confirmation page
    expect(page.locator("#toasts")).to_contain_text("viewer@acme.test removed from Design.")
    assert list(team.members.values_list("email", flat=True)) == ["editor@acme.test"]

    access = page.locator("#team-access")
    add = access.locator("form.grant-add")
    add.get_by_label("Workspace", exact=True).select_option(label="Events")
    add.get_by_label("Role for the chosen workspace").select_option("viewer")
    add.get_by_label("Audience Viewer").check()
    add.get_by_role("button", name="Add access for the chosen workspace").click()
    wait_htmx(page)
    row = page.locator("#access-{}".format(Workspace.objects.get(org=acme, slug="events").pk))
    expect(row.get_by_label("Audience Viewer")).to_be_checked()
    expect(row.get_by_label("Flows Manager")).not_to_be_checked()

    row.get_by_label("Role for Events").select_option("editor")  # nothing saved yet
    assert team.workspace_access.get().role == "viewer"
    row.get_by_role("button", name="Save access for Events").click()
    # Audience Viewer goes with the Editor defaults: that lowers access, so it asks first.
    expect(page.locator(".impact")).to_contain_text("loses Audience Viewer")
    page.get_by_role("button", name="Save the change").click()
    expect(page.locator("#toasts")).to_contain_text("Access to Events updated (permissions reset")
    expect(row.get_by_label("Flows Manager")).to_be_checked()
    expect(row.get_by_label("Audience Viewer")).not_to_be_checked()
    grant = team.workspace_access.get()
    assert (grant.role, grant.flows_manager, grant.audience_viewer) == ("editor", True, False)
    screenshot("console-team-members")


def test_team_settings_change_the_avatar(acme, admin_page, screenshot, tmp_path):
    page = admin_page
    team = Team.objects.create(org=acme, name="Design", description="Makes things pretty.")
    image = tmp_path / "logo.png"
    Image.new("RGB", (400, 300), "#e4572e").save(image)

    page.goto(f"/orgs/acme/teams/{team.pk}/settings/")
    assert page.locator("h1 .avatar").inner_text() == "D"
    page.locator("input[type=file][name=avatar]").set_input_files(str(image))
    page.get_by_role("button", name="Save").click()
    wait_htmx(page)
    expect(page.get_by_text("Team saved.")).to_be_visible()
    avatar = page.locator("h1 img.avatar")
    assert avatar.evaluate("img => img.decode().then(() => img.naturalWidth)") == 256
    team.refresh_from_db()
    assert team.avatar
    screenshot("console-team-settings")


def test_org_settings_save_in_place(acme, admin_page, screenshot, tmp_path):
    page = admin_page
    image = tmp_path / "acme.png"
    Image.new("RGB", (300, 300), "#2747d6").save(image)
    page.goto("/orgs/acme/settings/")
    page.get_by_label("Description").fill("Acme makes everything.")
    page.locator("input[type=file][name=avatar]").set_input_files(str(image))
    page.get_by_role("button", name="Save").click()
    wait_htmx(page)
    expect(page.get_by_text("Settings saved.")).to_be_visible()
    assert (
        page.locator("#org-settings img.avatar").evaluate(
            "img => img.decode().then(() => img.naturalWidth)"
        )
        == 256
    )
    acme.refresh_from_db()
    assert acme.description == "Acme makes everything."
    screenshot("console-settings")


def test_integrations_install_with_a_secret_then_disable(acme, admin_page, screenshot):
    page = admin_page
    secret = "pat-na1-super-secret-0042"
    page.goto("/orgs/acme/settings/integrations/")
    page.get_by_role("link", name="Install HubSpot").click()
    page.get_by_label("Portal id").fill("4242")
    page.get_by_label("Private app access token").fill(secret)
    page.get_by_role("button", name="Install HubSpot").click()
    page.wait_for_load_state()
    expect(page.get_by_text("HubSpot: installed for the whole organization.")).to_be_visible()
    assert secret not in page.content()

    page.get_by_role("button", name="Disable HubSpot").click()
    wait_htmx(page)
    card = page.locator("#app-hubspot")
    expect(card.get_by_text("Disabled", exact=True)).to_be_visible()
    assert not IntegrationInstallation.objects.get(org=acme, app="hubspot").enabled
    screenshot("console-integrations")

    page.get_by_role("link", name="Settings of HubSpot").click()
    assert secret not in page.content()
    assert page.get_by_label("Private app access token").input_value() == ""
    expect(page.get_by_text("Stored (••••••••0042)")).to_be_visible()


def test_sso_page_states(acme, admin_page, screenshot):
    page = admin_page
    page.goto("/orgs/acme/settings/sso/")
    expect(page.get_by_text("Not configured")).to_be_visible()
    expect(page.get_by_text("python manage.py set_sso acme")).to_be_visible()
    screenshot("console-sso-not-configured")
    SSOConfigurationFactory(org=acme, enforced=True)
    page.reload()
    expect(page.get_by_text("https://idp.example.com/entity")).to_be_visible()
    screenshot("console-sso")


def test_domains_add_then_verify_in_place(acme, admin_page, screenshot, monkeypatch):
    page = admin_page
    page.goto("/orgs/acme/settings/domains/")
    page.get_by_label("Hostname").fill("Go.Acme-Demo.com")
    page.get_by_role("button", name="Add domain").click()
    page.wait_for_load_state()
    domain = Domain.objects.get(hostname="go.acme-demo.com")
    card = page.locator(f"#domain-{domain.pk}")
    expect(card.get_by_text("_flowadmin.go.acme-demo.com")).to_be_visible()
    expect(card.get_by_text(domain.verification_token)).to_be_visible()

    monkeypatch.setattr(domains, "lookup_txt", lambda name: [])
    card.get_by_role("button", name="Verify go.acme-demo.com").click()
    wait_htmx(page)
    expect(card.get_by_text("No TXT record")).to_be_visible()
    screenshot("console-domains-pending")

    monkeypatch.setattr(domains, "lookup_txt", lambda name: [domain.verification_token])
    card.get_by_role("button", name="Verify go.acme-demo.com").click()
    wait_htmx(page)
    expect(card.get_by_text("Verified just now.")).to_be_visible()
    domain.refresh_from_db()
    assert domain.is_verified
    screenshot("console-domains")
