"""Reported defects, one test each (each failed before the fix): failed in-place saves roll
back and say why, the phone-width shell, explicit keyboard-safe saves, confirming your own
demotion, short links on the served host, designed error pages in DEBUG, the activity page's
width and emails, the article's words, the org description, one confirm and toast pattern,
the org switcher without JavaScript, copy, and the axe findings. Page widths and axe on every
page are in test_pages.py."""

import re

import pytest
from django.test import Client
from playwright.sync_api import expect

from audit.models import ActivityEntry
from orgs.models import Organization, Team, TeamMembership
from tests.conftest import sign_in
from workspaces.models import Flow, WorkspaceMembership

MEMBERS = "/orgs/acme/w/marketing/manage/members/"


def in_browser(test):
    return pytest.mark.browser(pytest.mark.django_db(transaction=True)(test))


def membership(email):
    return WorkspaceMembership.objects.get(user__email=email, workspace__slug="marketing")


def fits(page):
    return page.evaluate("document.scrollingElement.scrollWidth <= window.innerWidth")


# --- 1. failed in-place saves roll back and say why -----------------------------------------


@in_browser
@pytest.mark.parametrize(
    "break_it, reason",
    [
        ("remove", "This member no longer has direct access to Marketing"),
        ("sign_out", "Your session ended"),
        ("offline", "Couldn't reach the server"),
    ],
)
def test_a_failed_flag_save_rolls_back_and_says_why(as_wsadmin, demo, break_it, reason):
    page = as_wsadmin
    page.goto(MEMBERS)
    row = page.locator(f"#member-{demo['viewer@acme.test'].pk}")
    box = row.get_by_label("Audience Viewer")
    box.check()
    if break_it == "remove":  # another admin removed them meanwhile → 404
        membership("viewer@acme.test").delete()
    elif break_it == "sign_out":  # the session ended → 403 (CSRF) or 401 (login)
        page.context.clear_cookies()
    else:
        page.route("**/manage/members/**", lambda route: route.abort())
    row.get_by_role("button", name="Save").click()
    expect(page.locator("#toasts .toast.error")).to_contain_text(reason)
    expect(box).not_to_be_checked()


# --- 2. phone width: a menu, no page wider than the screen ----------------------------------


@in_browser
def test_at_phone_width_the_sidebar_is_a_menu(as_admin):
    page = as_admin
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto("/orgs/acme/users/")
    assert fits(page)
    sidebar = page.locator("#sidebar")
    expect(sidebar).to_be_hidden()
    expect(page.locator(".switcher summary")).to_contain_text("Acme")
    menu = page.get_by_role("button", name="Menu")
    menu.click()
    expect(menu).to_have_attribute("aria-expanded", "true")
    sidebar.get_by_role("link", name="Activity").click()
    expect(page).to_have_url(re.compile(r"/orgs/acme/activity/$"))
    assert fits(page)


# --- 3. selects don't act on change ---------------------------------------------------------


@in_browser
def test_arrow_keys_on_a_role_select_save_nothing_until_save(as_wsadmin, demo):
    page = as_wsadmin
    page.goto(MEMBERS)
    before = ActivityEntry.objects.count()
    row = page.locator(f"#member-{demo['viewer@acme.test'].pk}")
    save = row.get_by_role("button", name="Save")
    expect(save).to_be_disabled()
    row.get_by_label("Role for Vera Viewer").focus()
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    page.wait_for_timeout(300)
    assert membership("viewer@acme.test").role == "viewer"
    assert ActivityEntry.objects.count() == before
    expect(save).to_be_enabled()
    save.click()
    expect(page.locator("#toasts")).to_contain_text("Role set to Admin")
    assert membership("viewer@acme.test").role == "admin"
    assert ActivityEntry.objects.count() == before + 1


@in_browser
def test_the_org_switcher_is_a_menu_of_links(as_admin):
    page = as_admin
    page.goto("/orgs/acme/w/marketing/flows/")
    summary = page.locator(".switcher summary")
    summary.focus()
    page.keyboard.press("ArrowDown")
    assert page.url.endswith("/orgs/acme/w/marketing/flows/")  # nothing happens on ↓
    page.keyboard.press("Enter")
    menu = page.get_by_role("navigation", name="Organizations")
    expect(menu.get_by_role("link", name="All organizations")).to_be_visible()
    page.keyboard.press("Escape")
    expect(menu).to_be_hidden()


# --- 4. lowering your own role asks first ---------------------------------------------------


@in_browser
def test_a_workspace_admin_confirms_before_demoting_themselves(as_wsadmin, demo):
    page = as_wsadmin
    page.goto(MEMBERS)
    row = page.locator(f"#member-{demo['wsadmin@acme.test'].pk}")
    row.get_by_label("Role for").select_option("viewer")
    row.get_by_role("button", name="Save").click()
    heading = page.get_by_role("heading", name="Lower your own role in Marketing to Viewer?")
    expect(heading).to_be_visible()
    assert membership("wsadmin@acme.test").role == "admin"
    page.get_by_role("link", name="Cancel").click()
    expect(page).to_have_url(re.compile(MEMBERS + "$"))
    assert membership("wsadmin@acme.test").role == "admin"


# --- 6. short links follow the served host; a valid DNS hint --------------------------------


@in_browser
def test_short_links_use_the_host_the_console_is_served_on(as_wsadmin, settings, live_server):
    settings.SHORT_LINK_HOST = ""
    page = as_wsadmin
    flow = Flow.objects.filter(workspace__slug="marketing").first()
    page.goto(f"/orgs/acme/w/marketing/flows/{flow.pk}/")
    host = live_server.url.split("://")[1]
    expect(page.locator("#short-link")).to_have_text(f"https://{host}/s/{flow.short_code}")
    page.goto("/orgs/acme/w/marketing/manage/domains/")
    name = host.split(":")[0]  # a DNS record names a host, never a port
    expected = "127.0.0.1" if name == "127.0.0.1" else f"{name}."
    expect(page.locator(".dns-target")).to_have_text(expected)


# --- 7. designed error pages with DEBUG on --------------------------------------------------


@pytest.mark.django_db
def test_the_demo_shows_the_designed_404_and_403(demo, settings):
    settings.DEBUG = True
    client = Client()
    client.force_login(demo["viewer@acme.test"])
    missing = client.get("/no/such/page/")
    assert missing.status_code == 404
    assert "Page not found" in missing.content.decode()
    assert "Django tried these URL patterns" not in missing.content.decode()
    other_ws = client.get("/orgs/acme/w/sales/")
    assert "No workspace here that you can see." in other_ws.content.decode()
    refused = client.get("/orgs/acme/w/marketing/flows/new/")
    assert refused.status_code == 403
    assert "You don't have permission to do this" in refused.content.decode()


# --- 8. the activity page fits at 1280 and emails break only at "@" -------------------------


@in_browser
def test_the_activity_page_fits_and_keeps_emails_whole(as_admin, demo):
    page = as_admin
    page.goto("/orgs/acme/settings/")
    page.get_by_label("Description").fill("Acme makes everything.")
    page.get_by_role("button", name="Save").click()
    expect(page.locator("#toasts")).to_contain_text("Settings saved.")
    page.goto("/orgs/acme/activity/?email=admin%40acme.test")
    assert fits(page)
    assert "admin<wbr>@acme.test" in page.locator(".activity-table td.actor").first.inner_html()


# --- 9. the article's words and paths -------------------------------------------------------


@in_browser
def test_the_article_vocabulary_and_paths(as_admin, demo):
    page = as_admin
    page.goto("/orgs/acme/")
    page.get_by_role("navigation", name="Org Admin console").get_by_role(
        "link", name="Members"
    ).click()
    page.get_by_role("link", name="Vera Viewer", exact=True).click()
    expect(page.get_by_role("heading", name="Primary Role")).to_be_visible()
    page.goto(MEMBERS)
    page.get_by_role("link", name="Eddie Editor", exact=True).click()
    expect(page.get_by_role("heading", name="Eddie Editor", level=1)).to_be_visible()
    page.goto("/orgs/acme/w/marketing/flows/")
    sections = page.get_by_role("list", name="Marketing sections").get_by_role("link")
    expect(sections.last).to_have_text("Manage")


# --- 10. the org description is shown to members --------------------------------------------


@in_browser
def test_members_see_the_org_description(demo, page, login):
    Organization.objects.filter(slug="acme").update(description="Acme makes everything.")
    login("viewer@acme.test")
    page.goto("/")
    expect(page.get_by_text("Acme makes everything.")).to_be_visible()


# --- 11. one confirmation pattern, toasts that go away --------------------------------------


@in_browser
def test_team_removals_confirm_on_a_page_and_toasts_leave(as_admin, demo):
    page = as_admin
    page.clock.install()
    team = Team.objects.get(org__slug="acme", name="Field Sales")
    dialogs = []
    page.on("dialog", lambda dialog: dialogs.append(dialog.message) or dialog.dismiss())
    page.goto(f"/orgs/acme/teams/{team.pk}/")
    page.get_by_role("link", name="Remove teamuser@acme.test").click()
    page.get_by_role("button", name="Remove").click()
    toast = page.locator("#toasts .toast")
    expect(toast).to_contain_text("teamuser@acme.test removed from Field Sales.")
    assert dialogs == []
    assert not TeamMembership.objects.filter(team=team).exists()
    page.clock.run_for(10_500)  # a removal's toast offers Undo for 10 s (test_undo.py)
    expect(toast).to_have_count(0)


# --- 12. the org switcher works without JavaScript ------------------------------------------


@in_browser
def test_the_org_switcher_works_without_javascript(demo, chromium, live_server):
    context = chromium.new_context(base_url=live_server.url, java_script_enabled=False)
    page = context.new_page()
    sign_in(page, "admin@acme.test")
    page.locator(".switcher summary").click()
    page.get_by_role("navigation", name="Organizations", exact=True).get_by_role(
        "link", name="Acme"
    ).click()
    expect(page).to_have_url(re.compile(r"/orgs/acme/$"))
    context.close()


# --- 13. copy -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_copy_reads_right(demo, client):
    client.force_login(demo["admin@acme.test"])
    team = Team.objects.get(org__slug="acme", name="Field Sales")
    page = client.get(f"/orgs/acme/teams/{team.pk}/delete/").content.decode()
    assert "1 member stays in" in page
    outsider = demo["outsider@acme.test"]
    page = client.get(f"/orgs/acme/users/{outsider.pk}/remove/").content.decode()
    assert "0 team" not in page and "0 workspace" not in page
    page = client.get(f"/orgs/acme/users/{outsider.pk}/?find=Marketing").content.decode()
    assert ">No access</option>" in page and ">None</option>" not in page
    page = client.get("/orgs/acme/activity/?entity=flow_template").content.decode()
    assert "Entity: Flow template" in page and "entity = flow_template" not in page
    page = client.get("/orgs/acme/activity/?email=nobody-at-all").content.decode()
    assert "as CSV" not in page
    Client().get("/nowhere/")  # anonymous 404: no sidebar offering "None yet"
    assert "None yet" not in Client().get("/nowhere/").content.decode()


# --- 14. axe findings: one status region, named search landmarks ----------------------------


@pytest.mark.django_db
def test_search_landmarks_have_distinct_names(demo, client):
    client.force_login(demo["wsadmin@acme.test"])
    page = client.get(MEMBERS).content.decode()
    assert 'role="search" aria-label="People with access"' in page
    assert 'role="search" aria-label="Members to add"' in page
    assert '<ul class="messages" role="status">' not in page


# --- beyond: Undo is a new logged change ----------------------------------------------------


@in_browser
def test_undo_puts_a_role_and_its_flags_back_as_a_new_change(as_wsadmin, demo):
    page = as_wsadmin
    before = ActivityEntry.objects.count()
    page.goto(MEMBERS)
    row = page.locator(f"#member-{demo['audience@acme.test'].pk}")
    expect(row.get_by_label("Audience Viewer")).to_be_checked()
    row.get_by_label("Role for Aud Ience").select_option("admin")
    row.get_by_role("button", name="Save").click()
    toast = page.locator("#toasts .toast").filter(has_text="Role set to Admin")
    toast.get_by_role("button", name="Undo").click()
    expect(page.locator("#toasts")).to_contain_text("Undone: Viewer with the permissions it had")
    m = membership("audience@acme.test")
    assert (m.role, m.audience_viewer, m.flows_manager) == ("viewer", True, False)
    assert ActivityEntry.objects.count() == before + 2  # the change and its undo, both logged
