"""In the browser: an Org Admin starts an access review of Marketing and
Sales; two reviewers work through their queues — the Workspace Admin of Marketing keeps three
people (one after cancelling a lowering change at its impact preview) and removes one (after
the confirmation with the impact preview, by keyboard), the Org Admin reviews Sales — and the
Workspace Admin's own access stays unreviewed (nobody else reviews Marketing). At the deadline the
scheduled job reports it to the starter; the evidence CSV is then checked cell by cell."""

import csv
import io
from datetime import timedelta
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import expect

from orgs.models import TeamMembership
from orgs.reviews.models import AccessReview, AccessReviewDecision
from tests.conftest import sign_in
from tests.e2e.axe import no_axe_violations
from workspaces.models import WorkspaceMembership

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_review_with_two_reviewers_a_removal_and_an_unreviewed_item(
    demo, page, second_page, login, screenshot, mailoutbox
):
    login("admin@acme.test")
    page.get_by_role("link", name="Open the Org Admin console").click()
    page.get_by_role("navigation", name="Org Admin console").get_by_role(
        "link", name="Reviews"
    ).click()
    expect(page.get_by_text("No access reviews yet.")).to_be_visible()
    page.get_by_role("link", name="Start a review").click()

    # The form says what is wrong, in place.
    page.get_by_label("Name:", exact=True).fill("Q1 access review")
    page.get_by_label("Deadline").fill("2001-01-01T12:00")
    page.get_by_label("Only the workspaces I choose").check()
    page.get_by_role("button", name="Start the review").click()
    expect(page.get_by_text("The deadline must be in the future.")).to_be_visible()
    expect(page.get_by_text("Choose at least one workspace")).to_be_visible()

    deadline = (timezone.now() + timedelta(days=7)).strftime("%Y-%m-%dT%H:%M")
    page.get_by_label("Deadline").fill(deadline)
    # The workspace picker: find by name (htmx swaps the options as you type), tick; what is
    # ticked stays chosen across searches.
    page.get_by_label("All workspaces").check()
    page.get_by_label("Workspace name contains").fill("mark")
    found = page.get_by_role("group", name="Other workspaces whose name contains “mark”")
    found.get_by_label("Marketing").check()
    expect(page.get_by_label("Only the workspaces I choose")).to_be_checked()  # ticking chose it
    page.get_by_label("Workspace name contains").fill("sal")
    expect(page.get_by_role("status").filter(has_text="match")).to_have_text(
        "1 other workspace matches “sal”; 1 chosen."
    )
    expect(page.get_by_role("group", name="Chosen (1)").get_by_label("Marketing")).to_be_checked()
    page.get_by_role("group", name="Other workspaces whose name contains “sal”").get_by_label(
        "Sales"
    ).check()
    no_axe_violations(page)
    page.get_by_label("Also review the org roles").uncheck()
    page.get_by_role("button", name="Start the review").click()
    expect(page.get_by_role("heading", name="Q1 access review", level=1)).to_be_visible()
    reviewers = page.get_by_role("table", name="Each part of the review")
    expect(reviewers.get_by_role("row", name="Marketing")).to_contain_text("wsadmin@acme.test")
    expect(reviewers.get_by_role("row", name="Sales")).to_contain_text("admin@acme.test")
    screenshot("review-started")
    assert sorted(m.to[0] for m in mailoutbox) == ["admin@acme.test", "wsadmin@acme.test"]

    # Reviewer 1, the Org Admin: Sales (Tim Teamer, through the team Field Sales) — kept.
    page.get_by_role("link", name="← Access reviews").click()
    page.get_by_role("link", name="My queue").click()
    expect(page.get_by_role("heading", name="Sales")).to_be_visible()
    expect(page.get_by_role("row", name="Tim Teamer")).to_contain_text("via team Field Sales")
    page.get_by_role("button", name="Keep teamuser@acme.test’s access to Sales").click()
    expect(page.get_by_role("row", name="Tim Teamer")).to_contain_text("by admin@acme.test")

    # Reviewer 2, the Workspace Admin of Marketing, from their home page.
    sign_in(second_page, "wsadmin@acme.test")
    second_page.get_by_role("link", name="Acme: 1 open review").click()
    second_page.get_by_role("link", name="My queue").click()
    queue = second_page.get_by_role("table", name="Marketing")
    expect(queue.get_by_role("row")).to_have_count(6)  # header + five people
    # A change that lowers access shows who loses what first; Cancel changes nothing.
    second_page.get_by_role("link", name="Change flows@acme.test’s role…").click()
    second_page.get_by_label("New role").select_option("viewer")
    second_page.get_by_label("Flows Manager").uncheck()
    second_page.get_by_role("button", name="Record the decision").click()
    lowering = second_page.get_by_role(
        "region", name="Change flows@acme.test’s access to Marketing?"
    )
    expect(lowering.get_by_role("region", name="Who loses what")).to_contain_text(
        "Flo Manager loses Flows Manager (was direct); keeps Marketing Viewer (direct)"
    )
    no_axe_violations(second_page)
    lowering.get_by_role("link", name="Cancel").click()
    expect(second_page.get_by_role("row", name="flows@acme.test")).to_contain_text("Keep")
    assert WorkspaceMembership.objects.get(user=demo["flows@acme.test"]).flags["flows_manager"]
    assert not AccessReviewDecision.objects.filter(item__email="flows@acme.test").exists()
    for email in ("audience@acme.test", "editor@acme.test", "flows@acme.test"):
        # Keyboard: focus the row's Keep button and press Enter.
        second_page.get_by_role("button", name=f"Keep {email}’s access to Marketing").focus()
        second_page.keyboard.press("Enter")
        row = second_page.get_by_role("row", name=email)
        expect(row).to_contain_text("by wsadmin@acme.test")
    own = second_page.get_by_role("row", name="Walt Workspace")
    expect(own).to_contain_text("Your own access: another reviewer decides.")
    second_page.get_by_role("link", name="Remove viewer@acme.test’s access to Marketing…").click()
    second_page.get_by_role("button", name="Record the decision").click()
    confirm = second_page.get_by_role(
        "region", name="Remove viewer@acme.test’s access to Marketing?"
    )
    expect(confirm).to_contain_text("Their direct membership of Marketing ends.")
    expect(confirm.get_by_role("region", name="Who loses what")).to_contain_text(
        "Vera Viewer loses Marketing Viewer (was direct); keeps nothing in Marketing"
    )
    assert WorkspaceMembership.objects.filter(user=demo["viewer@acme.test"]).exists()
    confirm.get_by_role("button", name="Remove").focus()  # keyboard: confirm with Enter
    second_page.keyboard.press("Enter")
    expect(second_page.get_by_role("row", name="Vera Viewer")).to_contain_text("Remove")
    assert not WorkspaceMembership.objects.filter(user=demo["viewer@acme.test"]).exists()
    assert TeamMembership.objects.filter(user=demo["teamuser@acme.test"]).exists()

    # The deadline passes; the scheduled job (here its cron command) closes the review.
    review = AccessReview.objects.get()
    AccessReview.objects.filter(pk=review.pk).update(deadline=timezone.now() - timedelta(minutes=1))
    mailoutbox.clear()
    out = StringIO()
    call_command("close_access_reviews", stdout=out)
    assert "acme: closed 'Q1 access review' — 1 unreviewed, 0 removed" in out.getvalue()
    [report] = mailoutbox
    assert report.to == ["admin@acme.test"]
    assert "Not reviewed (1):\n- wsadmin@acme.test in Marketing" in report.body

    # The evidence: the CSV, cell by cell, and the printable page.
    page.goto(f"/orgs/acme/reviews/{review.pk}/")
    expect(page.get_by_text("Closed")).to_be_visible()
    with page.expect_download() as download:
        page.get_by_role("link", name="Evidence CSV").click()
    rows = list(csv.reader(io.StringIO(Path(download.value.path()).read_text(encoding="utf-8"))))
    when = {
        d.item.email: d.decided_at.isoformat()
        for d in AccessReviewDecision.objects.select_related("item")
    }
    assert rows == [
        [
            "scope", "email", "name", "org_role_at_start", "role_at_start", "flows_manager",
            "brand_kits_manager", "audience_viewer", "sources_at_start", "decision", "reviewer",
            "decided_at", "new_role", "outcome", "note",
        ],
        [
            "Marketing", "audience@acme.test", "Aud Ience", "User", "Viewer", "no", "no", "yes",
            "direct", "keep", "wsadmin@acme.test", when["audience@acme.test"], "", "No change.", "",
        ],
        [
            "Marketing", "editor@acme.test", "Eddie Editor", "User", "Editor", "yes", "yes", "no",
            "direct", "keep", "wsadmin@acme.test", when["editor@acme.test"], "", "No change.", "",
        ],
        [
            "Marketing", "flows@acme.test", "Flo Manager", "User", "Viewer", "yes", "no", "no",
            "direct", "keep", "wsadmin@acme.test", when["flows@acme.test"], "", "No change.", "",
        ],
        [
            "Marketing", "viewer@acme.test", "Vera Viewer", "User", "Viewer", "no", "no", "no",
            "direct", "remove", "wsadmin@acme.test", when["viewer@acme.test"], "",
            "Removed the direct membership.", "",
        ],
        [
            "Marketing", "wsadmin@acme.test", "Walt Workspace", "User", "Admin", "yes", "yes",
            "yes", "direct", "unreviewed", "", "", "", "", "",
        ],
        [
            "Sales", "teamuser@acme.test", "Tim Teamer", "User", "Editor", "yes", "yes", "no",
            "via team Field Sales", "keep", "admin@acme.test", when["teamuser@acme.test"], "",
            "No change.", "",
        ],
    ]  # fmt: skip

    page.get_by_role("link", name="Printable evidence").click()
    evidence = page.get_by_role("table", name="Every item")
    expect(evidence.get_by_role("row", name="Walt Workspace")).to_contain_text("Unreviewed")
    expect(evidence.get_by_role("row", name="Vera Viewer")).to_contain_text(
        "Removed the direct membership."
    )
    page.emulate_media(media="print")
    expect(page.locator(".sidebar")).to_be_hidden()
    expect(page.get_by_role("button", name="Print")).to_be_hidden()
    screenshot("review-evidence-print")


def test_the_start_forms_picker_works_without_javascript(demo, chromium, live_server):
    """Without JavaScript "Find" (also Enter, the form's first button) shows the whole form
    again with what was typed and ticked; "Start the review" starts it."""
    context = chromium.new_context(base_url=live_server.url, java_script_enabled=False)
    page = context.new_page()
    page.set_default_timeout(10_000)
    sign_in(page, "admin@acme.test")
    page.goto("/orgs/acme/reviews/new/")
    page.get_by_label("Name:", exact=True).fill("Sales check")
    page.get_by_label("Only the workspaces I choose").check()
    page.get_by_label("Workspace name contains").fill("sal")
    page.get_by_label("Workspace name contains").press("Enter")
    expect(page.get_by_text("1 other workspace matches “sal”; 0 chosen.")).to_be_visible()
    expect(page.get_by_label("Name:", exact=True)).to_have_value("Sales check")
    page.get_by_label("Sales").check()
    page.get_by_label("Workspace name contains").fill("mark")
    page.get_by_role("button", name="Find workspaces").click()
    expect(page.get_by_role("group", name="Chosen (1)").get_by_label("Sales")).to_be_checked()
    page.get_by_role("group", name="Other workspaces whose name contains “mark”").get_by_label(
        "Marketing"
    ).check()
    page.get_by_label("Deadline").fill(
        (timezone.now() + timedelta(days=7)).strftime("%Y-%m-%dT%H:%M")
    )
    page.get_by_role("button", name="Start the review").click()
    expect(page.get_by_role("heading", name="Sales check", level=1)).to_be_visible()
    review = AccessReview.objects.get()
    assert set(review.workspaces.values_list("slug", flat=True)) == {"marketing", "sales"}
    context.close()
