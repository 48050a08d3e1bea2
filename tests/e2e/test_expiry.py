"""In the browser (expiring access): an Org Admin gives Eddie Editor's Marketing
access an end date on his profile, saves the row (htmx), sees "Editor until …" next to the
role, and finds him with the Members page's "access ending in 30 days" filter; and adds a team
member with an end date on the team page, then changes it on the member's row (labelled on a
phone too)."""

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from orgs import expiry
from orgs.models import Team, TeamMembership
from tests.e2e.axe import no_axe_violations
from workspaces.models import WorkspaceMembership

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_admin_sets_an_end_date_and_sees_it(demo, page, login, screenshot):
    day = timezone.localdate() + datetime.timedelta(days=12)
    label = expiry.short_label(expiry.end_of_day(day))
    login("admin@acme.test")
    editor = demo["editor@acme.test"]
    page.goto(f"/orgs/acme/users/{editor.pk}/")
    row = page.locator(f"[id^='ws-row-{editor.pk}-']").filter(has_text="Marketing")
    row.get_by_label("Until").fill(day.isoformat())
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


def test_an_admin_adds_a_team_member_with_an_end_date(demo, page, login, screenshot):
    """The team page's "add member" form takes the end date; the member list shows it and
    changes it in place (htmx), and the page passes axe-core."""
    day = timezone.localdate() + datetime.timedelta(days=20)
    label = expiry.short_label(expiry.end_of_day(day))
    team = Team.objects.get(org__slug="acme", name="Field Sales")
    login("admin@acme.test")
    page.goto(f"/orgs/acme/teams/{team.pk}/")
    members = page.locator("#team-members")
    add_form = members.locator(".inline-fields")  # each member's row has a "Member until" too
    members.get_by_label("Org member's email").fill("outsider@acme.test")
    add_form.get_by_label("Member until").fill(day.isoformat())
    members.get_by_role("button", name="Add to team").click()
    expect(
        page.get_by_text(f"outsider@acme.test added to Field Sales until {label}.")
    ).to_be_visible()
    row = page.locator(f"#team-member-{demo['outsider@acme.test'].pk}")
    expect(row).to_contain_text(f"Member until {label}")
    membership = TeamMembership.objects.get(team=team, user__email="outsider@acme.test")
    assert membership.until == expiry.end_of_day(day)
    no_axe_violations(page)
    screenshot("expiry-team-add-member")

    # A day that has passed is refused on the form, next to the field.
    members.get_by_label("Org member's email").fill("viewer@acme.test")
    add_form.get_by_label("Member until").fill(
        (timezone.localdate() - datetime.timedelta(days=1)).isoformat()
    )
    members.get_by_role("button", name="Add to team").click()
    expect(members.get_by_text("has passed: choose today or a later day")).to_be_visible()
    assert not team.members.filter(email="viewer@acme.test").exists()

    # The member's end is changed on their row.
    later = day + datetime.timedelta(days=10)
    row.get_by_label("outsider@acme.test's membership of Field Sales ends after this day").fill(
        later.isoformat()
    )
    row.get_by_role("button", name="Save outsider@acme.test's end date").click()
    expect(row).to_contain_text(f"Member until {expiry.short_label(expiry.end_of_day(later))}")
    membership.refresh_from_db()
    assert membership.until == expiry.end_of_day(later)

    # On a phone the table is a column of cards, without its "Member until" column header:
    # the row's date field shows its own label.
    page.set_viewport_size({"width": 390, "height": 844})
    expect(row.locator("label.until-field").get_by_text("Member until", exact=True)).to_be_visible()


def test_an_admin_invites_with_end_dates(demo, page, login):
    """The invitation form's end dates (the membership's, a workspace role's), keyboard-reachable
    and labelled (axe-core), are listed with the pending invitation."""
    member_day = timezone.localdate() + datetime.timedelta(days=30)
    role_day = timezone.localdate() + datetime.timedelta(days=10)
    login("admin@acme.test")
    page.goto("/orgs/acme/users/invite/")
    no_axe_violations(page)
    page.get_by_label("Email address").fill("temp@example.test")
    page.get_by_label("Member until").fill(member_day.isoformat())
    page.get_by_label(re.compile(r"^Marketing:?$")).select_option("editor")
    page.get_by_label("Marketing until").fill(role_day.isoformat())
    page.get_by_role("button", name="Send invitation").click()
    expect(page.get_by_text("Invitation to temp@example.test created")).to_be_visible()
    row = page.get_by_role("row").filter(has_text="temp@example.test")
    expect(row).to_contain_text(f"User until {expiry.short_label(expiry.end_of_day(member_day))}")
    expect(row).to_contain_text(f"Editor until {expiry.short_label(expiry.end_of_day(role_day))}")
