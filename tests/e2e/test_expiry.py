"""In the browser (issue #18, expiring access): an Org Admin gives Eddie Editor's Marketing
access an end date on his profile, saves the row (htmx), sees "Editor until …" next to the
role, and finds him with the Members page's "access ending in 30 days" filter."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from orgs import expiry
from workspaces.models import WorkspaceMembership

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_admin_sets_an_end_date_and_sees_it(demo, page, login, screenshot):
    day = timezone.localdate() + datetime.timedelta(days=12)
    label = expiry.short_label(expiry.end_of_day(day))
    login("admin@acme.test")
    editor = demo["editor@acme.test"]
    page.goto(f"/orgs/acme/users/{editor.pk}/")
    row = page.locator(f"[id^='ws-row-{editor.pk}-']").filter(has_text="Marketing")
    row.get_by_label("Direct access until").fill(day.isoformat())
    row.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Saved Eddie Editor's access to Marketing.")).to_be_visible()
    expect(row.get_by_label("Effective access to Marketing")).to_contain_text(
        f"Editor until {label}"
    )
    membership = WorkspaceMembership.objects.get(workspace__slug="marketing", user=editor)
    assert membership.until == expiry.end_of_day(day)
    screenshot("expiry-profile-row")

    page.goto("/orgs/acme/users/")
    page.get_by_label("Access ending").select_option("30")
    expect(page.get_by_role("link", name="Eddie Editor", exact=True)).to_be_visible()
    expect(page.get_by_role("link", name="Vera Viewer", exact=True)).to_have_count(0)
    expect(page.get_by_text(f"Editor until {label}")).to_be_visible()
    assert "expiring=30" in page.url
    screenshot("expiry-members-filter")
