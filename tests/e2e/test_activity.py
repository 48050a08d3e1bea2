import re

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_filter_the_activity_log_in_place(demo, page, login, screenshot):
    login("admin@acme.test")
    page.goto("/orgs/acme/activity/")
    expect(page.get_by_role("heading", name="Activity", level=1)).to_be_visible()
    screenshot("activity-all")

    page.get_by_label("Entity", exact=True).select_option("team_member")
    page.wait_for_url(re.compile(r"/orgs/acme/activity/\?entity=team_member$"))
    results = page.locator("#activity-results")
    expect(results.get_by_text("teamuser@acme.test in Field Sales")).to_be_visible()
    expect(results.get_by_text("Marketing")).to_have_count(0)
    results.locator("details summary").first.click()
    expect(results.get_by_role("cell", name="teamuser@acme.test", exact=True)).to_be_visible()
    screenshot("activity-filtered")

    page.get_by_label("Actor email").fill("nobody")
    page.wait_for_url(re.compile(r"email=nobody"))
    expect(page.get_by_text("No entries match these filters.")).to_be_visible()
    screenshot("activity-no-match")

    page.go_back()
    page.wait_for_url(re.compile(r"\?entity=team_member$"))
    expect(page.get_by_text("teamuser@acme.test in Field Sales")).to_be_visible()
    expect(page.get_by_label("Actor email")).to_have_value("")


def test_older_entries_and_clear_filters(demo, page, login):
    from audit.recording import Draft, bulk_record
    from orgs.models import Organization

    acme = Organization.objects.get(slug="acme")
    bulk_record(
        Draft(org_id=acme.pk, action="updated", entity_type="flow", entity_label=f"Bulk {i}")
        for i in range(60)
    )
    login("admin@acme.test")
    page.goto("/orgs/acme/activity/?entity=flow")
    page.get_by_role("link", name="Older entries →").click()
    page.wait_for_url(re.compile(r"entity=flow&before="))
    expect(page.get_by_role("cell", name="Flow Bulk 0", exact=True)).to_be_visible()
    expect(page.get_by_text("No older entries.")).to_be_visible()
    page.get_by_role("link", name="Clear filters").click()
    page.wait_for_url(re.compile(r"/orgs/acme/activity/$"))
    expect(page.get_by_label("Entity", exact=True)).to_have_value("")
