"""Charts people read: each day of a scans chart can be hovered or focused and shows
its value; one tab stop, arrow keys move between the days; round y ticks; an empty state."""

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.axe import no_axe_violations
from workspaces.models import Scan, ScanDay

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ANALYTICS = "/orgs/acme/w/marketing/analytics/?days=7"


def test_keyboard_moves_between_days_and_the_tooltip_says_the_value(demo, page, login, screenshot):
    login("viewer@acme.test")
    page.goto(ANALYTICS)
    chart = page.locator("svg.chart")
    days = chart.get_by_role("listitem")
    expect(days).to_have_count(7)
    # One tab stop: Tab from the period picker's last link lands on the last day.
    page.get_by_role("link", name=re.compile("90 days")).focus()
    page.keyboard.press("Tab")
    last = days.nth(6)
    expect(last).to_be_focused()
    tip = page.locator(".chart-tip")
    expect(tip).to_be_visible()
    expect(tip).to_have_text(re.compile(r"^\w{3} \d{1,2} \w{3}: \d+ scans?$"))
    expect(last).to_have_accessible_name(tip.inner_text())
    page.keyboard.press("ArrowLeft")
    expect(days.nth(5)).to_be_focused()
    expect(tip).to_have_text(days.nth(5).get_attribute("aria-label"))
    page.keyboard.press("Home")
    expect(days.nth(0)).to_be_focused()
    assert [days.nth(i).get_attribute("tabindex") for i in range(7)] == ["0"] + ["-1"] * 6
    page.keyboard.press("Tab")  # leaves the chart: one stop, not seven
    expect(days.nth(1)).not_to_be_focused()
    expect(tip).to_be_hidden()
    days.nth(3).hover()
    expect(tip).to_have_text(days.nth(3).get_attribute("aria-label"))
    days.nth(6).focus()  # the pointer still on day 3, then leaving it: the tip is day 6's
    page.mouse.move(0, 0)
    expect(tip).to_be_visible()
    expect(tip).to_have_text(days.nth(6).get_attribute("aria-label"))
    days.nth(3).hover()
    page.keyboard.press("Tab")  # focus leaves the chart: the tip goes back to the hovered day
    expect(tip).to_be_visible()
    expect(tip).to_have_text(days.nth(3).get_attribute("aria-label"))
    screenshot("chart-tooltip-1280")
    no_axe_violations(page)
    page.set_viewport_size({"width": 390, "height": 844})
    days.nth(6).focus()
    expect(tip).to_be_visible()
    screenshot("chart-tooltip-390")


def test_the_y_axis_is_labelled_at_round_steps(demo, page, login):
    login("viewer@acme.test")
    page.goto(ANALYTICS)
    labels = page.locator("svg.chart .y-axis text").all_text_contents()
    ticks = [int(t) for t in labels]
    steps = {b - a for a, b in zip(ticks, ticks[1:], strict=False)}
    assert ticks[0] == 0 and len(steps) == 1
    assert str(steps.pop())[0] in "125"


def test_a_chart_without_scans_says_no_scans_yet(demo, page, login):
    ScanDay.objects.all().delete()
    Scan.objects.all().delete()
    login("admin@acme.test")
    page.goto("/orgs/acme/")
    expect(page.locator(".scan-chart")).to_contain_text("No scans yet")
    expect(page.locator("svg.chart")).to_have_count(0)
