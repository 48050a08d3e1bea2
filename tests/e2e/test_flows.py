"""In the browser: create a flow, download its QR code, scan it, see the scan in
analytics; a viewer sees and downloads but gets no edit controls."""

import re
from urllib.parse import urlparse

import pytest
import zxingcpp
from PIL import Image
from playwright.sync_api import expect

from workspaces.models import Flow

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MARKETING = "/orgs/acme/w/marketing/"


def create_flow(page, name, destination):
    page.goto(MARKETING)
    page.get_by_role("link", name="New flow").click()
    page.get_by_label("Name").fill(name)
    page.get_by_label("Destination URL").fill(destination)
    page.get_by_role("button", name="Create flow").click()
    page.wait_for_load_state()


def test_editor_creates_a_flow_downloads_scans_and_sees_the_scan(
    demo, page, login, screenshot, live_server, tmp_path
):
    login("editor@acme.test")
    page.goto(MARKETING)
    assert page.url.endswith(MARKETING + "flows/")
    screenshot("flows-list-editor")

    create_flow(page, "Bus stop poster", f"{live_server.url}/healthz")
    expect(page.get_by_role("heading", name="Bus stop poster")).to_be_visible()
    flow = Flow.objects.get(name="Bus stop poster")
    expect(page.get_by_text(flow.short_link, exact=True).first).to_be_visible()
    screenshot("flow-detail-editor")

    with page.expect_download() as download:
        page.get_by_role("link", name="Download PNG").click()
    assert download.value.suggested_filename == "bus-stop-poster-qr.png"
    png = tmp_path / "qr.png"
    download.value.save_as(png)
    [decoded] = zxingcpp.read_barcodes(Image.open(png))
    assert decoded.text == flow.short_link

    # "Scan" it: open the short link's path on this server; the redirect lands on /healthz.
    page.goto(urlparse(decoded.text).path)
    assert page.url == f"{live_server.url}/healthz"
    assert page.content().count("ok") >= 1

    page.goto(MARKETING + "analytics/")
    row = page.get_by_role("row", name=re.compile("Bus stop poster"))
    assert row.get_by_role("cell").nth(1).inner_text() == "1"
    screenshot("analytics-editor")

    page.get_by_role("link", name="Last 7 days").click()
    page.wait_for_url(re.compile(r"days=7"))
    assert page.get_by_role("link", name="Last 7 days").get_attribute("aria-current") == "true"
    screenshot("analytics-7-days")

    page.goto(MARKETING + f"flows/{flow.pk}/")
    expect(page.get_by_text("1 scan in the last 30 days")).to_be_visible()


def test_editor_edits_then_deletes_a_flow_after_confirming(demo, page, login):
    login("editor@acme.test")
    flow = Flow.objects.get(workspace__slug="marketing", name="Customer survey")
    page.goto(MARKETING + f"flows/{flow.pk}/")
    page.get_by_role("link", name="Edit", exact=True).click()
    page.get_by_label("Destination URL").fill("javascript:alert(1)")
    page.get_by_role("button", name="Save changes").click()
    expect(page.get_by_text("Enter a full http:// or https:// URL.")).to_be_visible()
    page.get_by_label("Status").select_option("paused")
    page.get_by_label("Destination URL").fill("https://example.com/survey-2")
    page.get_by_role("button", name="Save changes").click()
    expect(page.get_by_text("Paused", exact=True)).to_be_visible()
    page.get_by_role("link", name="Delete").click()
    expect(page.get_by_text("This cannot be undone.")).to_be_visible()
    page.get_by_role("button", name="Delete flow").click()
    assert page.url.endswith(MARKETING + "flows/")
    assert not Flow.objects.filter(pk=flow.pk).exists()


def test_flows_manager_viewer_creates_a_flow(demo, page, login):
    login("flows@acme.test")
    create_flow(page, "Flyer", "https://example.com/flyer")
    expect(page.get_by_role("heading", name="Flyer")).to_be_visible()
    assert Flow.objects.get(name="Flyer").created_by.email == "flows@acme.test"


def test_viewer_sees_and_downloads_but_has_no_edit_controls(demo, page, login, screenshot):
    login("viewer@acme.test")
    page.goto(MARKETING + "flows/")
    expect(page.get_by_role("link", name="New flow")).to_have_count(0)
    expect(page.get_by_role("link", name=re.compile("^Edit"))).to_have_count(0)
    expect(page.get_by_text("Flows Manager")).to_be_visible()
    screenshot("flows-list-viewer")

    # htmx search updates the list in place
    page.get_by_label("Search").fill("spring")
    page.wait_for_url(re.compile(r"q=spring"))
    page.get_by_role("row", name=re.compile("Store window poster")).wait_for(state="detached")
    expect(page.get_by_role("row", name=re.compile("Spring menu"))).to_be_visible()
    page.get_by_role("link", name="Spring menu", exact=True).click()
    expect(page.get_by_role("link", name="Edit", exact=True)).to_have_count(0)
    expect(page.get_by_role("link", name="Delete")).to_have_count(0)
    with page.expect_download() as download:
        page.get_by_role("link", name="Download SVG").click()
    assert download.value.suggested_filename == "spring-menu-qr.svg"
    assert (
        page.locator("img.qr-preview").evaluate("img => img.decode().then(() => img.naturalWidth)")
        > 0
    )
    screenshot("flow-detail-viewer")

    page.goto(MARKETING + "flows/new/")
    assert "permission" in page.content()
    screenshot("flow-new-refused-viewer")
