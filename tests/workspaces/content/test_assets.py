import importlib

import pytest
from django.core.exceptions import ValidationError
from django.urls import Resolver404, URLResolver
from django.urls.resolvers import RegexPattern

from workspaces import uploads
from workspaces.models import Asset
from workspaces.services import content as content_services

from .conftest import ws_path
from .images import PDF, huge_png_header, image_bytes, upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor_client(client, demo):
    client.force_login(demo["editor@acme.test"])
    return client


def post_upload(client, workspace, name, data, content_type="application/octet-stream"):
    return client.post(
        ws_path(workspace, "assets/new/"), {"file": upload(name, data, content_type), "name": ""}
    )


def file_errors(response):
    return response.context["form"].errors.get("file", [])


@pytest.mark.parametrize(
    "fmt,content_type,extension",
    [
        ("PNG", "image/png", "png"),
        ("JPEG", "image/jpeg", "jpg"),
        ("GIF", "image/gif", "gif"),
        ("WEBP", "image/webp", "webp"),
    ],
)
def test_upload_accepts_images(editor_client, marketing, fmt, content_type, extension):
    response = post_upload(editor_client, marketing, f"pic.{extension}", image_bytes(fmt))
    asset = Asset.objects.get(workspace=marketing, name=f"pic.{extension}")
    assert response["Location"] == ws_path(marketing, f"assets/{asset.pk}/")
    assert (asset.content_type, asset.file.name.rsplit(".", 1)[1]) == (content_type, extension)


def test_upload_accepts_a_pdf_and_records_size_and_uploader(editor_client, demo, marketing):
    post_upload(editor_client, marketing, "brochure.pdf", PDF, "application/pdf")
    asset = Asset.objects.get(workspace=marketing, name="brochure.pdf")
    assert (asset.content_type, asset.size) == ("application/pdf", len(PDF))
    assert asset.uploaded_by == demo["editor@acme.test"]
    assert asset.file.read() == PDF


def test_upload_type_comes_from_the_content_not_the_client(editor_client, marketing):
    post_upload(editor_client, marketing, "photo.gif", image_bytes("PNG"), "text/html")
    assert Asset.objects.get(workspace=marketing, name="photo.gif").content_type == "image/png"


def test_upload_stores_under_an_unguessable_name(editor_client, marketing):
    post_upload(editor_client, marketing, "brochure.pdf", PDF)
    stored = Asset.objects.get(workspace=marketing, name="brochure.pdf").file.name
    assert "brochure" not in stored
    assert len(stored.rsplit("/", 1)[1]) > 20


@pytest.mark.parametrize(
    "name,data,content_type",
    [
        ("setup.png", b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" * 8, "image/png"),
        ("page.png", b"<html><script>alert(document.cookie)</script></html>", "image/png"),
        ("logo.png", b'<svg xmlns="http://www.w3.org/2000/svg"><script/></svg>', "image/png"),
        ("doc.pdf", b"PDF-1.4 but no magic", "application/pdf"),
        ("photo.bmp", image_bytes("BMP"), "image/bmp"),
        ("broken.png", image_bytes("PNG")[:40], "image/png"),
    ],
)
def test_upload_refuses_what_is_not_an_image_or_pdf(
    editor_client, marketing, name, data, content_type
):
    before = Asset.objects.count()
    response = post_upload(editor_client, marketing, name, data, content_type)
    assert response.status_code == 400  # refused: the form again
    assert "Upload an image (PNG, JPEG, GIF or WebP) or a PDF document." in file_errors(response)
    assert Asset.objects.count() == before


def test_upload_refuses_an_oversized_file(editor_client, marketing, settings):
    settings.ASSET_MAX_BYTES = len(PDF) - 1
    response = post_upload(editor_client, marketing, "big.pdf", PDF)
    assert file_errors(response)[0].startswith("The file is too large")
    assert not Asset.objects.filter(name="big.pdf").exists()


def test_upload_accepts_a_file_of_exactly_the_limit(editor_client, marketing, settings):
    settings.ASSET_MAX_BYTES = len(PDF)
    post_upload(editor_client, marketing, "exact.pdf", PDF)
    assert Asset.objects.filter(name="exact.pdf").exists()


def test_upload_refuses_an_empty_file(editor_client, marketing):
    response = post_upload(editor_client, marketing, "empty.pdf", b"")
    assert file_errors(response)
    assert not Asset.objects.filter(name="empty.pdf").exists()


def test_upload_refuses_a_decompression_bomb_header(editor_client, marketing):
    response = post_upload(editor_client, marketing, "bomb.png", huge_png_header())
    assert file_errors(response) == ["The image has too many pixels."]
    assert not Asset.objects.filter(name="bomb.png").exists()


def test_upload_refuses_an_image_over_the_pixel_ceiling(editor_client, marketing):
    bomb = image_bytes("PNG", size=(8000, 6000), mode="1", color=0)  # 48 MP, a few kB
    response = post_upload(editor_client, marketing, "wide.png", bomb)
    assert file_errors(response) == ["The image has too many pixels."]


def test_upload_form_shows_the_error_in_place(editor_client, marketing):
    response = post_upload(editor_client, marketing, "page.png", b"<html></html>")
    html = response.content.decode()
    assert 'class="errorlist' in html
    assert "Upload an image (PNG, JPEG, GIF or WebP) or a PDF document." in html


def test_service_validates_even_without_the_form(marketing):
    with pytest.raises(ValidationError):
        content_services.asset_create(
            actor=None, workspace=marketing, upload=upload("x.png", b"<html>")
        )
    assert not Asset.objects.filter(workspace=marketing, name="x.png").exists()


# --- download ------------------------------------------------------------------------------


def test_download_serves_the_file_as_an_attachment(client, demo, content):
    client.force_login(demo["viewer@acme.test"])
    response = client.get(ws_path(content.workspace, f"assets/{content.asset.pk}/download/"))
    assert b"".join(response.streaming_content) == b"%PDF-1.4\n%%EOF\n"
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="Flyer.pdf"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"] == "private, no-store"


def test_download_of_an_image_can_be_inline(editor_client, marketing):
    post_upload(editor_client, marketing, "pic.png", image_bytes("PNG"))
    asset = Asset.objects.get(workspace=marketing, name="pic.png")
    response = editor_client.get(ws_path(marketing, f"assets/{asset.pk}/download/?inline=1"))
    assert response["Content-Disposition"].startswith("inline")
    assert response["Content-Type"] == "image/png"


def test_download_of_a_pdf_is_never_inline(client, demo, content):
    client.force_login(demo["viewer@acme.test"])
    url = ws_path(content.workspace, f"assets/{content.asset.pk}/download/?inline=1")
    assert client.get(url)["Content-Disposition"].startswith("attachment")


def test_download_name_carries_the_real_extension(editor_client, marketing):
    post_upload(editor_client, marketing, "invoice.html", image_bytes("PNG"))
    asset = Asset.objects.get(workspace=marketing, name="invoice.html")
    response = editor_client.get(ws_path(marketing, f"assets/{asset.pk}/download/"))
    assert response["Content-Disposition"] == 'attachment; filename="invoice.png"'


@pytest.mark.parametrize(
    "email", ["teamuser@acme.test", "outsider@acme.test", "admin@globex.test", "ops@flowadmin.test"]
)
def test_download_is_refused_to_non_members(client, demo, content, email):
    client.force_login(demo[email])
    response = client.get(ws_path(content.workspace, f"assets/{content.asset.pk}/download/"))
    assert response.status_code == 404
    assert not getattr(response, "streaming", False)


def test_download_of_a_missing_file_is_404(client, demo, content):
    content.asset.file.storage.delete(content.asset.file.name)
    client.force_login(demo["viewer@acme.test"])
    url = ws_path(content.workspace, f"assets/{content.asset.pk}/download/")
    assert client.get(url).status_code == 404


def test_delete_removes_the_row_and_the_file(
    editor_client, content, django_capture_on_commit_callbacks
):
    storage, name = content.asset.file.storage, content.asset.file.name
    with django_capture_on_commit_callbacks(execute=True):
        editor_client.post(ws_path(content.workspace, f"assets/{content.asset.pk}/delete/"))
    assert not Asset.objects.filter(pk=content.asset.pk).exists()
    assert not storage.exists(name)


def test_detail_previews_an_image(editor_client, marketing):
    post_upload(editor_client, marketing, "pic.png", image_bytes("PNG"))
    asset = Asset.objects.get(workspace=marketing, name="pic.png")
    html = editor_client.get(ws_path(marketing, f"assets/{asset.pk}/")).content.decode()
    assert f'src="{ws_path(marketing, f"assets/{asset.pk}/download/")}?inline=1"' in html


@pytest.mark.parametrize(
    "name,content_type,expected",
    [
        ("Flyer", "application/pdf", "Flyer.pdf"),
        ("flyer.PDF", "application/pdf", "flyer.PDF"),
        ("photo.jpeg", "image/jpeg", "photo.jpeg"),
        ("evil.html", "image/png", "evil.png"),
        ("Acme Inc. brochure", "application/pdf", "Acme Inc. brochure.pdf"),
        ("../../etc/passwd", "application/pdf", ".. .. etc passwd.pdf"),
    ],
)
def test_download_name(name, content_type, expected):
    assert uploads.download_name(name, content_type) == expected


def test_media_is_not_served_even_in_debug(settings):
    """No upload is served from MEDIA_URL, in development either: avatars, assets and logos
    are streamed by member-only views (orgs.views.avatars, workspaces.views)."""
    import flowadmin.urls

    settings.DEBUG = True
    try:
        module = importlib.reload(flowadmin.urls)
        resolver = URLResolver(RegexPattern(r"^/"), module.urlpatterns)
        for path in (
            "/media/avatars/orgs/a.png",
            "/media/assets/2025/01/x.pdf",
            "/media/brand-kits/x.png",
        ):
            with pytest.raises(Resolver404):
                resolver.resolve(path)
    finally:
        settings.DEBUG = False
        importlib.reload(flowadmin.urls)
