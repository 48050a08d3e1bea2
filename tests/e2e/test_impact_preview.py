"""The impact preview in the browser: an in-place save that lowers someone's access asks first
in the page, showing who loses what; confirming saves it, Cancel changes nothing."""

import re

import pytest
from playwright.sync_api import expect

from orgs.models import Team
from orgs.roles import FLAG_DEFINITIONS
from tests.e2e.axe import no_axe_violations
from workspaces.models import WorkspaceMembership

MEMBERS = "/orgs/acme/w/marketing/manage/members/"
FLAG = FLAG_DEFINITIONS[-1]  # the audience user's extra permission in the demo

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def audience_flag():
    m = WorkspaceMembership.objects.get(
        user__email="audience@acme.test", workspace__slug="marketing"
    )
    return getattr(m, FLAG.name)


def test_turning_a_flag_off_in_place_shows_who_loses_what_then_saves(as_wsadmin, demo, screenshot):
    page = as_wsadmin
    page.goto(MEMBERS)
    row = page.locator(f"#member-{demo['audience@acme.test'].pk}")
    row.get_by_label(FLAG.label).uncheck()
    row.get_by_role("button", name="Save").click()
    expect(
        page.get_by_role("heading", name="Change Aud Ience's access to Marketing?")
    ).to_be_visible()
    preview = page.locator(".impact")
    expect(preview).to_contain_text(
        f"Aud Ience loses {FLAG.label} (was direct); keeps Marketing Viewer (direct)"
    )
    screenshot("impact-preview-flag-off")
    no_axe_violations(page)
    assert audience_flag() is True
    page.get_by_role("button", name="Save the change").click()
    expect(page).to_have_url(re.compile(MEMBERS + "$"))
    assert audience_flag() is False


def test_cancel_on_the_in_place_confirmation_changes_nothing(as_wsadmin, demo):
    page = as_wsadmin
    page.goto(MEMBERS)
    row = page.locator(f"#member-{demo['editor@acme.test'].pk}")
    row.get_by_label("Role for").select_option("viewer")
    row.get_by_role("button", name="Save").click()
    expect(page.locator(".impact")).to_contain_text("Eddie Editor loses Marketing Editor")
    page.get_by_role("link", name="Cancel").click()
    expect(page).to_have_url(re.compile(MEMBERS + "$"))
    m = WorkspaceMembership.objects.get(user__email="editor@acme.test", workspace__slug="marketing")
    assert m.role == "editor"


def test_confirmation_pages_with_the_preview_are_accessible_and_fit_a_phone(as_admin, demo):
    page = as_admin
    page.set_viewport_size({"width": 390, "height": 844})
    team = Team.objects.get(org__slug="acme", name="Field Sales")
    for url in [
        f"/orgs/acme/teams/{team.pk}/delete/",
        f"/orgs/acme/users/{demo['teamuser@acme.test'].pk}/remove/",
    ]:
        page.goto(url)
        expect(page.locator(".impact")).to_contain_text(
            "Tim Teamer loses Sales Editor (was via team Field Sales); keeps nothing in Sales"
        )
        assert page.evaluate("document.scrollingElement.scrollWidth <= window.innerWidth")
        no_axe_violations(page)
