import io

import pytest
from PIL import Image

from workspaces.models import BrandKit

from .conftest import ws_path
from .images import huge_png_header, image_bytes, upload

pytestmark = pytest.mark.django_db

KIT = {
    "name": "Autumn",
    "primary_color": "#AA3300",
    "secondary_color": "#222222",
    "accent_color": "#ffcc00",
    "font": "Source Sans 3",
}


@pytest.fixture
def editor_client(client, demo):
    client.force_login(demo["editor@acme.test"])
    return client


def create(client, workspace, **changes):
    return client.post(ws_path(workspace, "brand-kits/new/"), {**KIT, **changes})


def test_create_stores_colors_in_lowercase(editor_client, marketing):
    response = create(editor_client, marketing)
    kit = BrandKit.objects.get(workspace=marketing, name="Autumn")
    assert response["Location"] == ws_path(marketing, f"brand-kits/{kit.pk}/")
    assert kit.primary_color == "#aa3300"
    assert kit.font == "Source Sans 3"


@pytest.mark.parametrize("color", ["red", "#12345", "#1234567", "#ggg000", "123456", ""])
def test_create_refuses_a_color_that_is_not_hex(editor_client, marketing, color):
    response = create(editor_client, marketing, accent_color=color)
    assert "accent_color" in response.context["form"].errors
    assert not BrandKit.objects.filter(name="Autumn").exists()


@pytest.mark.parametrize("font", ["Inter; background:url(x)", "'Comic'", "Arial<script>"])
def test_create_refuses_a_font_name_with_punctuation(editor_client, marketing, font):
    response = create(editor_client, marketing, font=font)
    assert response.context["form"].errors["font"] == [
        "Use letters, digits, spaces and hyphens only."
    ]


def test_create_with_a_logo_stores_a_bounded_png(editor_client, marketing):
    logo = upload("logo.jpg", image_bytes("JPEG", size=(1600, 400)), "image/jpeg")
    create(editor_client, marketing, logo=logo)
    kit = BrandKit.objects.get(name="Autumn")
    stored = Image.open(io.BytesIO(kit.logo.read()))
    assert (stored.format, stored.size) == ("PNG", (512, 128))


@pytest.mark.parametrize(
    "data",
    [b"<html><script>alert(1)</script></html>", huge_png_header(), image_bytes("BMP")],
)
def test_create_refuses_a_bad_logo(editor_client, marketing, data):
    response = create(editor_client, marketing, logo=upload("logo.png", data, "image/png"))
    assert response.context["form"].errors["logo"]
    assert not BrandKit.objects.filter(name="Autumn").exists()


def test_create_refuses_an_oversized_logo(editor_client, marketing, settings):
    settings.AVATAR_MAX_BYTES = 100
    response = create(editor_client, marketing, logo=upload("logo.png", image_bytes("PNG")))
    assert response.context["form"].errors["logo"][0].startswith("The file is too large")


def test_edit_replaces_the_logo_and_deletes_the_old_file(
    editor_client, content, django_capture_on_commit_callbacks
):
    old = content.kit.logo.name
    with django_capture_on_commit_callbacks(execute=True):
        editor_client.post(
            ws_path(content.workspace, f"brand-kits/{content.kit.pk}/edit/"),
            {**KIT, "logo": upload("new.png", image_bytes("PNG", color=(0, 0, 255)))},
        )
    content.kit.refresh_from_db()
    assert content.kit.logo.name != old
    assert not content.kit.logo.storage.exists(old)


def test_edit_can_remove_the_logo(editor_client, content):
    editor_client.post(
        ws_path(content.workspace, f"brand-kits/{content.kit.pk}/edit/"),
        {**KIT, "remove_logo": "on"},
    )
    content.kit.refresh_from_db()
    assert not content.kit.logo


def test_edit_without_a_new_logo_keeps_it(editor_client, content):
    logo = content.kit.logo.name
    editor_client.post(ws_path(content.workspace, f"brand-kits/{content.kit.pk}/edit/"), KIT)
    content.kit.refresh_from_db()
    assert (content.kit.name, content.kit.logo.name) == ("Autumn", logo)


def test_edit_form_offers_remove_only_when_there_is_a_logo(editor_client, marketing):
    create(editor_client, marketing)
    kit = BrandKit.objects.get(name="Autumn")
    html = editor_client.get(ws_path(marketing, f"brand-kits/{kit.pk}/edit/")).content.decode()
    assert "remove_logo" not in html


def test_delete_removes_the_kit_and_its_logo(
    editor_client, content, django_capture_on_commit_callbacks
):
    logo = content.kit.logo.name
    with django_capture_on_commit_callbacks(execute=True):
        response = editor_client.post(
            ws_path(content.workspace, f"brand-kits/{content.kit.pk}/delete/")
        )
    assert response["Location"] == ws_path(content.workspace, "brand-kits/")
    assert not BrandKit.objects.filter(pk=content.kit.pk).exists()
    assert not content.kit.logo.storage.exists(logo)


def test_logo_is_served_to_members_with_nosniff(client, demo, content):
    client.force_login(demo["viewer@acme.test"])
    response = client.get(ws_path(content.workspace, f"brand-kits/{content.kit.pk}/logo/"))
    assert response["Content-Type"] == "image/png"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"].startswith("inline")


def test_logo_of_a_kit_without_one_is_404(client, demo, content):
    content.kit.logo.delete()
    client.force_login(demo["viewer@acme.test"])
    url = ws_path(content.workspace, f"brand-kits/{content.kit.pk}/logo/")
    assert client.get(url).status_code == 404


def test_logo_that_is_not_an_image_is_not_served(client, demo, content):
    with content.kit.logo.storage.open(content.kit.logo.name, "wb") as handle:
        handle.write(b"<html><script>alert(1)</script></html>")
    client.force_login(demo["viewer@acme.test"])
    url = ws_path(content.workspace, f"brand-kits/{content.kit.pk}/logo/")
    assert client.get(url).status_code == 404


def test_detail_shows_colors_and_font(client, demo, content):
    client.force_login(demo["viewer@acme.test"])
    html = client.get(ws_path(content.workspace, f"brand-kits/{content.kit.pk}/")).content
    assert content.kit.primary_color.encode() in html
    assert b"font-family: 'Inter'" in html


def test_list_shows_an_empty_state(client, demo, marketing):
    BrandKit.objects.filter(workspace=marketing).delete()
    client.force_login(demo["viewer@acme.test"])
    html = client.get(ws_path(marketing, "brand-kits/")).content.decode()
    assert "No brand kits in Marketing yet." in html
