"""The command palette: "/" or Ctrl-K, type, ↑/↓, Enter — keyboard alone, an ARIA
combobox with a listbox, under the page's Content-Security-Policy; the policy decides what is
offered (a viewer is never offered the console)."""

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.axe import no_axe_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def options(page):
    return page.get_by_role("listbox", name="Places to jump to").get_by_role("option")


def test_jump_to_a_member_with_the_keyboard_alone(demo, page, login, screenshot):
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    login("admin@acme.test")
    page.goto("/orgs/acme/w/marketing/flows/")
    page.keyboard.press("/")
    box = page.get_by_role("combobox", name="Jump to a page, workspace, team or member")
    expect(box).to_be_focused()
    expect(options(page).first).to_be_visible()
    page.keyboard.type("vera")
    expect(options(page)).to_have_count(1)
    expect(options(page).first).to_contain_text("Vera Viewer")
    expect(box).to_have_attribute("aria-expanded", "true")
    expect(box).to_have_attribute("aria-activedescendant", "palette-option-1")
    expect(options(page).first).to_have_attribute("aria-selected", "true")
    no_axe_violations(page)
    screenshot("palette-1280")
    page.set_viewport_size({"width": 390, "height": 844})
    screenshot("palette-390")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(rf"/orgs/acme/users/{demo['viewer@acme.test'].pk}/$"))
    assert errors == []  # nothing refused by the Content-Security-Policy


def test_ctrl_k_arrows_and_escape(demo, page, login):
    login("admin@acme.test")
    page.goto("/orgs/acme/")
    opener = page.get_by_role("link", name="Workspaces", exact=True).first
    opener.focus()
    page.keyboard.press("Control+k")
    box = page.get_by_role("combobox")
    expect(box).to_be_focused()
    with page.expect_response(re.compile(r"/jump/\?q=a$")):
        page.keyboard.type("a")
    expect(options(page).nth(1)).to_be_visible()
    page.keyboard.press("ArrowDown")
    expect(box).to_have_attribute("aria-activedescendant", "palette-option-2")
    page.keyboard.press("ArrowUp")
    page.keyboard.press("ArrowUp")  # wraps to the last
    last = options(page).last.get_attribute("id")
    expect(box).to_have_attribute("aria-activedescendant", last)
    page.keyboard.press("Escape")
    expect(page.get_by_role("dialog")).to_be_hidden()
    expect(opener).to_be_focused()  # focus goes back where it was


def test_a_viewer_is_not_offered_admin_pages(demo, page, login):
    login("viewer@acme.test")
    page.goto("/")
    page.get_by_role("link", name="Jump to…").click()
    expect(options(page)).to_have_count(1)
    expect(options(page).first).to_contain_text("Marketing")
    page.get_by_role("combobox").fill("members")
    expect(page.locator("#palette-status")).to_have_text("Nothing you can open matches “members”.")
    expect(options(page)).to_have_count(0)
    page.get_by_role("combobox").fill("activity")
    expect(page.locator("#palette-status")).to_contain_text("Nothing you can open matches")


def test_slash_in_a_text_field_types_a_slash(demo, page, login):
    login("admin@acme.test")
    page.goto("/orgs/acme/users/")
    search = page.get_by_label("Search members")
    search.click()
    page.keyboard.type("a/b")
    expect(search).to_have_value("a/b")
    expect(page.get_by_role("dialog")).to_be_hidden()
