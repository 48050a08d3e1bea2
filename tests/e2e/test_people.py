"""In the browser: an Org Admin invites someone with a workspace role, the invitee opens the
emailed link in a fresh session and creates their account, then the admin changes their
workspace role and a flag from the profile and sees the effective access follow; resend and
revoke."""

import re

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "Str0ng-enough-passphrase"


def link_in(message):
    return re.search(r"https?://\S+/invitations/\S+/", message.body).group(0)


def test_users_page_search_as_you_type(demo, page, login, screenshot):
    login("admin@acme.test")
    page.goto("/orgs/acme/users/")
    expect(page.get_by_role("heading", name="Members", level=1)).to_be_visible()
    expect(page.get_by_text("via team Field Sales")).to_be_visible()
    expect(page.get_by_text("The only Org Admin can't be removed.")).to_be_visible()
    screenshot("people-users")
    page.get_by_label("Search members").fill("vera")
    expect(page.get_by_text("1 member matching “vera”")).to_be_visible()
    expect(page.get_by_role("link", name="Vera Viewer", exact=True)).to_be_visible()
    expect(page.get_by_role("link", name="Eddie Editor", exact=True)).to_have_count(0)
    assert "q=vera" in page.url
    screenshot("people-users-search")


def test_the_only_admins_profile_says_why_the_controls_are_off(demo, page, login, screenshot):
    login("admin@acme.test")
    page.goto("/orgs/acme/users/")
    page.get_by_role("link", name="Ada Admin", exact=True).click()
    expect(page.get_by_label("Primary Role of Ada Admin")).to_be_disabled()
    expect(page.get_by_role("button", name="Save Primary Role")).to_be_disabled()
    expect(page.get_by_role("button", name="Remove Ada Admin")).to_be_disabled()
    expect(page.get_by_text("Ada Admin is the only Org Admin of Acme")).to_be_visible()
    expect(page.get_by_text("As Org Admin, Ada Admin is Workspace Admin of every")).to_be_visible()
    page.get_by_label("Workspace name contains").fill("Sales")
    page.get_by_role("button", name="Find").click()
    expect(page.get_by_label("Effective access to Sales")).to_contain_text("from org admin")
    screenshot("people-last-admin")


def test_invite_accept_then_manage_access(demo, page, second_page, login, screenshot, mailoutbox):
    # The admin invites a new person with a workspace role.
    login("admin@acme.test")
    page.goto("/orgs/acme/users/")
    page.get_by_role("link", name="Invite people").click()
    page.get_by_label("Email address").fill("newbie@acme.test")
    page.get_by_label("Primary Role").select_option("user")
    page.get_by_label(re.compile(r"^Marketing:?$")).select_option("editor")
    screenshot("people-invite")
    page.get_by_role("button", name="Send invitation").click()
    expect(page.get_by_text("Invitation to newbie@acme.test created")).to_be_visible()
    row = page.get_by_role("row").filter(has_text="newbie@acme.test")
    expect(row).to_contain_text("Marketing")
    expect(row).to_contain_text("Editor")
    screenshot("people-invitations")

    # The invitee opens the emailed link in their own browser and creates the account.
    assert len(mailoutbox) == 1
    second_page.goto(link_in(mailoutbox[0]))
    expect(second_page.get_by_role("heading", name="Join Acme")).to_be_visible()
    second_page.get_by_label("Your name").fill("Nina Newbie")
    second_page.get_by_label(re.compile(r"^Password:?$")).fill("short")
    second_page.get_by_label("Password again").fill("short")
    second_page.get_by_role("button", name="Create account and join").click()
    expect(second_page.get_by_text("This password is too short.")).to_be_visible()
    second_page.get_by_label(re.compile(r"^Password:?$")).fill(PASSWORD)
    second_page.get_by_label("Password again").fill(PASSWORD)
    screenshot_of(second_page, "people-accept")
    second_page.get_by_role("button", name="Create account and join").click()
    expect(second_page.get_by_text("Welcome to Acme!")).to_be_visible()
    expect(second_page.get_by_role("link", name="Marketing Editor")).to_be_visible()
    screenshot_of(second_page, "people-accepted-home")

    # The admin opens the new member's profile: direct Editor in Marketing.
    page.goto("/orgs/acme/users/")
    page.get_by_role("link", name="Nina Newbie", exact=True).click()
    expect(page.get_by_role("heading", name="Nina Newbie", level=1)).to_be_visible()
    marketing = page.locator(".ws-access").filter(
        has=page.get_by_role("heading", name="Marketing", exact=True)
    )
    effective = marketing.get_by_label("Effective access to Marketing")
    expect(effective).to_contain_text("Editor")
    expect(effective).to_contain_text("Flows Manager: on from direct")

    # Role change (htmx): Viewer, with the viewer defaults.
    marketing.get_by_label("Role for Marketing").select_option("viewer")
    marketing.get_by_role("button", name="Save access for Marketing").click()
    # A lowered role asks first, with who loses what, in the page.
    expect(page.locator(".impact")).to_contain_text("Nina Newbie loses Marketing Editor")
    page.get_by_role("button", name="Save the change").click()
    expect(page.locator("#toasts")).to_contain_text("Saved Nina Newbie")
    expect(effective).to_contain_text("Viewer")
    expect(effective).to_contain_text("Flows Manager: off")

    # A flag: Audience Viewer on.
    marketing.get_by_label("Audience Viewer").check()
    marketing.get_by_role("button", name="Save access for Marketing").click()
    expect(effective).to_contain_text("Audience Viewer: on from direct")
    expect(marketing.get_by_label("Audience Viewer")).to_be_checked()
    screenshot("people-profile")

    # The member sees the new role.
    second_page.goto("/")
    expect(second_page.get_by_role("link", name="Marketing Viewer")).to_be_visible()


def screenshot_of(page, name):
    from tests.conftest import SCREENSHOTS

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def test_resend_and_revoke(demo, page, second_page, login, screenshot, mailoutbox):
    login("admin@acme.test")
    page.goto("/orgs/acme/users/invite/")
    page.get_by_label("Email address").fill("twice@acme.test")
    page.get_by_role("button", name="Send invitation").click()
    first_link = link_in(mailoutbox[0])

    page.get_by_role("button", name="Resend the invitation to twice@acme.test").click()
    expect(page.get_by_text("the previous link no longer works")).to_be_visible()
    assert len(mailoutbox) == 2
    second_link = link_in(mailoutbox[1])
    assert second_link != first_link

    second_page.goto(first_link)
    expect(second_page.get_by_role("heading", name="Invitation not found")).to_be_visible()
    screenshot_of(second_page, "people-old-link")

    page.get_by_role("link", name="Revoke the invitation to twice@acme.test").click()
    expect(
        page.get_by_role("heading", name="Revoke the invitation to twice@acme.test?")
    ).to_be_visible()
    screenshot("people-revoke-confirm")
    page.get_by_role("button", name="Revoke invitation").click()
    expect(page.get_by_text("The invitation to twice@acme.test was revoked.")).to_be_visible()
    expect(page.get_by_role("row").filter(has_text="twice@acme.test")).to_have_count(0)
    page.get_by_role("link", name="Revoked").click()
    expect(page.get_by_role("row").filter(has_text="twice@acme.test")).to_have_count(1)
    screenshot("people-revoked")

    second_page.goto(second_link)
    expect(second_page.get_by_role("heading", name="Invitation withdrawn")).to_be_visible()
    screenshot_of(second_page, "people-revoked-link")


@pytest.mark.parametrize("width", [390, 1280])
def test_profile_finds_a_workspace_to_give_access(demo, page, login, screenshot, width):
    from tests.e2e.test_activity_integrity import no_axe_violations

    page.set_viewport_size({"width": width, "height": 860})
    login("admin@acme.test")
    page.goto(f"/orgs/acme/users/{demo['teamuser@acme.test'].pk}/")
    expect(page.get_by_label("Effective access to Sales")).to_contain_text("from team")
    expect(page.get_by_label("Effective access to Marketing")).to_have_count(0)
    page.get_by_label("Workspace name contains").fill("mark")
    page.get_by_role("button", name="Find").click()
    expect(page.get_by_label("Effective access to Marketing")).to_contain_text("No access")
    no_axe_violations(page)
    screenshot(f"people-profile-find-{width}")


def test_the_invite_form_finds_workspaces_as_you_type(demo, page, login, screenshot):
    """htmx: typing in "Workspace name contains" swaps only the workspace rows (the email
    typed stays) and says what it found; a role given stays while searching again, and
    the invitation carries it (axe-core clean)."""
    from orgs.models import Invitation
    from tests.e2e.axe import no_axe_violations

    login("admin@acme.test")
    page.goto("/orgs/acme/users/invite/")
    page.get_by_label("Email address").fill("found@acme.test")
    page.get_by_label("Workspace name contains").fill("sal")
    expect(page.locator("#ws-status")).to_have_text(
        "1 other workspace matches “sal”; 0 given a role."
    )
    expect(page.get_by_label(re.compile(r"^Marketing:?$"))).to_have_count(0)
    page.get_by_label(re.compile(r"^Sales:?$")).select_option("viewer")
    page.get_by_label("Workspace name contains").fill("mark")
    expect(page.locator("#ws-status")).to_have_text(
        "1 other workspace matches “mark”; 1 given a role."
    )
    expect(
        page.get_by_role("group", name="Given a role (1)").get_by_label(re.compile(r"^Sales:?$"))
    ).to_have_value("viewer")
    page.get_by_label(re.compile(r"^Marketing:?$")).select_option("editor")
    expect(page.get_by_label("Email address")).to_have_value("found@acme.test")
    no_axe_violations(page)
    screenshot("people-invite-find")
    page.get_by_role("button", name="Send invitation").click()
    expect(page.get_by_text("Invitation to found@acme.test created")).to_be_visible()
    invitation = Invitation.objects.get(email="found@acme.test")
    roles = {row["role"] for row in invitation.workspace_roles}
    assert roles == {"viewer", "editor"}


def test_the_invite_form_finds_workspaces_without_javascript(demo, chromium, live_server):
    """Without JavaScript "Find" (also Enter) shows the whole form again as typed."""
    from orgs.models import Invitation
    from tests.conftest import sign_in

    context = chromium.new_context(base_url=live_server.url, java_script_enabled=False)
    page = context.new_page()
    page.set_default_timeout(10_000)
    sign_in(page, "admin@acme.test")
    page.goto("/orgs/acme/users/invite/")
    page.get_by_label("Email address").fill("nojs@acme.test")
    page.get_by_label("Workspace name contains").fill("sal")
    page.get_by_label("Workspace name contains").press("Enter")
    expect(page.get_by_text("1 other workspace matches “sal”; 0 given a role.")).to_be_visible()
    expect(page.get_by_label("Email address")).to_have_value("nojs@acme.test")
    page.get_by_label(re.compile(r"^Sales:?$")).select_option("editor")
    page.get_by_label("Workspace name contains").fill("mark")
    page.get_by_role("button", name="Find workspaces").click()
    expect(
        page.get_by_role("group", name="Given a role (1)").get_by_label(re.compile(r"^Sales:?$"))
    ).to_have_value("editor")
    page.get_by_role("button", name="Send invitation").click()
    expect(page.get_by_text("Invitation to nojs@acme.test created")).to_be_visible()
    invitation = Invitation.objects.get(email="nojs@acme.test")
    assert [row["role"] for row in invitation.workspace_roles] == ["editor"]
    context.close()
