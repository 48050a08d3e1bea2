"""Browser walk-throughs of the templates / assets / brand kits / audience pages."""

import csv
import io

import pytest
from playwright.sync_api import expect

from tests.factories import AudienceContactFactory, FlowFactory
from tests.workspaces.content.images import PDF, image_bytes
from workspaces.models import Asset, AudienceContact, BrandKit, Workspace

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MARKETING = "/orgs/acme/w/marketing/"


def loaded_width(img):
    """The natural width of an <img> once it has loaded (0 if it failed)."""
    return img.evaluate(
        """img => img.complete ? img.naturalWidth : new Promise(done => {
            img.onload = () => done(img.naturalWidth); img.onerror = () => done(0); })"""
    )


@pytest.fixture
def contacts(demo):
    marketing = Workspace.objects.get(org__slug="acme", slug="marketing")
    flow = FlowFactory(workspace=marketing, name="Spring promo")
    rows = [
        ("ann@example.test", "Ann Lee", ["vip"], True),
        ("bob@example.test", "Bob Annan", ["newsletter"], False),
        ("cy@other.test", "Cy Young", ["vip", "newsletter"], True),
        ("dee@other.test", "Dee Dee", [], False),
    ]
    for email, name, tags, consent in rows:
        AudienceContactFactory(
            workspace=marketing,
            email=email,
            name=name,
            tags=tags,
            consent=consent,
            source_flow=flow,
        )
    return marketing


def test_audience_viewer_searches_tags_and_exports_csv(contacts, page, login, screenshot, tmp_path):
    login("audience@acme.test")
    page.goto(MARKETING + "audience/")
    expect(page.get_by_role("link", name="Audience", exact=True)).to_be_visible()
    screenshot("audience-list")

    page.get_by_label("Search").fill("ann")
    page.wait_for_url("**/audience/?q=ann**")
    page.get_by_text("2 contacts matching the filters").wait_for()
    expect(page.get_by_role("cell", name="cy@other.test")).to_have_count(0)
    ann_tag = page.get_by_label("Add a tag to ann@example.test")
    ann_tag.fill("Trade Show")
    page.get_by_role("button", name="Add tag to ann@example.test").click()
    page.get_by_role("link", name="trade-show").wait_for()
    assert "?q=ann" in page.url  # swapped in place, the page did not move
    screenshot("audience-tagged")

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Export CSV").click()
    download = download_info.value
    assert download.suggested_filename.startswith("marketing-audience-")
    path = tmp_path / "export.csv"
    download.save_as(path)
    rows = list(csv.reader(io.StringIO(path.read_text())))
    assert rows[0][0] == "email"
    by_email = {row[0]: row for row in rows[1:]}
    assert set(by_email) == {"ann@example.test", "bob@example.test"}
    assert by_email["ann@example.test"][5] == "trade-show;vip"
    assert AudienceContact.objects.get(email="ann@example.test").tags == ["trade-show", "vip"]


def test_audience_viewer_deletes_a_contact_after_confirming(contacts, page, login, screenshot):
    login("audience@acme.test")
    page.goto(MARKETING + "audience/?tag=vip")
    page.get_by_role("link", name="Delete cy@other.test").click()
    page.get_by_role("heading", name="Delete this contact?").wait_for()
    screenshot("audience-confirm-delete")
    page.get_by_role("button", name="Delete contact").click()
    page.get_by_text("cy@other.test deleted from the audience.").wait_for()
    assert page.url.endswith("/audience/?tag=vip")
    assert not AudienceContact.objects.filter(email="cy@other.test").exists()


def test_editor_creates_a_brand_kit_and_uploads_an_asset(demo, page, login, screenshot, tmp_path):
    logo = tmp_path / "logo.png"
    logo.write_bytes(image_bytes("PNG", size=(600, 200), color=(31, 79, 209)))
    picture = tmp_path / "poster.jpg"
    picture.write_bytes(image_bytes("JPEG", size=(400, 300), color=(245, 158, 11)))
    login("editor@acme.test")

    page.goto(MARKETING + "brand-kits/")
    page.get_by_role("link", name="New brand kit").click()
    page.get_by_label("Name").fill("Spring campaign")
    page.get_by_label("Primary color").fill("#0a7c4a")
    page.get_by_label("Font").fill("Bad; font")
    page.get_by_role("button", name="Create brand kit").click()
    page.get_by_text("Use letters, digits, spaces and hyphens only.").wait_for()
    screenshot("brand-kit-form-error")
    page.get_by_label("Font").fill("Georgia")
    page.get_by_label("Logo").set_input_files(str(logo))
    page.get_by_role("button", name="Create brand kit").click()
    page.get_by_role("heading", name="Spring campaign").wait_for()
    assert loaded_width(page.get_by_role("img", name="Logo of Spring campaign")) == 512
    screenshot("brand-kit-detail")
    page.get_by_role("link", name="← Brand kits").click()
    expect(page.get_by_role("link", name="Spring campaign")).to_be_visible()
    screenshot("brand-kit-list")
    assert BrandKit.objects.get(name="Spring campaign").primary_color == "#0a7c4a"

    page.goto(MARKETING + "assets/new/")
    page.get_by_label("File").set_input_files(str(picture))
    page.get_by_role("button", name="Upload").click()
    page.get_by_role("heading", name="poster.jpg").wait_for()
    assert loaded_width(page.get_by_role("img", name="Preview of poster.jpg")) == 400
    screenshot("asset-detail")
    page.goto(MARKETING + "assets/")
    screenshot("asset-list")
    assert Asset.objects.get(name="poster.jpg").content_type == "image/jpeg"


def test_editor_sees_an_upload_refused_in_place(demo, page, login, screenshot, tmp_path):
    fake = tmp_path / "invoice.png"
    fake.write_bytes(b"<html><script>alert(1)</script></html>")
    before = Asset.objects.count()
    login("editor@acme.test")
    page.goto(MARKETING + "assets/new/")
    page.get_by_label("File").set_input_files(str(fake))
    page.get_by_role("button", name="Upload").click()
    page.get_by_text("Upload an image (PNG, JPEG, GIF or WebP) or a PDF document.").wait_for()
    screenshot("asset-upload-refused")
    assert Asset.objects.count() == before


def test_viewer_downloads_but_cannot_change(demo, page, login, screenshot, tmp_path):
    marketing = Workspace.objects.get(org__slug="acme", slug="marketing")
    from django.core.files.base import ContentFile

    asset = Asset(
        workspace=marketing, name="Price list", content_type="application/pdf", size=len(PDF)
    )
    asset.file.save("price.pdf", ContentFile(PDF), save=True)
    login("viewer@acme.test")
    page.goto(MARKETING + "assets/")
    expect(page.get_by_role("link", name="Upload asset")).to_have_count(0)
    expect(page.get_by_role("link", name="Audience", exact=True)).to_have_count(0)
    screenshot("asset-list-viewer")
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download Price list").click()
    assert download_info.value.suggested_filename == "Price list.pdf"

    token = next(c["value"] for c in page.context.cookies() if c["name"] == "csrftoken")
    response = page.request.post(
        MARKETING + f"assets/{asset.pk}/delete/", headers={"X-CSRFToken": token}
    )
    assert response.status == 403
    assert "Workspace Editor role (or higher)" in response.text()
    assert Asset.objects.filter(pk=asset.pk).exists()


def test_flows_manager_manages_templates_but_not_brand_kits(demo, page, login, screenshot):
    login("flows@acme.test")
    page.goto(MARKETING + "templates/")
    page.get_by_role("link", name="New template").click()
    page.get_by_label("Name").fill("Trade fair")
    page.get_by_label("Default destination").fill("https://example.com/fair")
    page.get_by_label("Description").fill("Booth QR codes for trade fairs.")
    page.get_by_role("button", name="Create template").click()
    page.get_by_text("Template “Trade fair” created.").wait_for()
    screenshot("template-detail-flows-manager")
    page.get_by_role("link", name="← Flow templates").click()
    expect(page.get_by_role("link", name="Trade fair")).to_be_visible()
    screenshot("template-list-flows-manager")

    page.goto(MARKETING + "brand-kits/")
    expect(page.get_by_role("link", name="New brand kit")).to_have_count(0)
    screenshot("brand-kit-list-flows-manager")
