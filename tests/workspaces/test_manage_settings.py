"""Manage → Settings: name, slug (links change), description, avatar."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from workspaces.models import Workspace

pytestmark = pytest.mark.django_db

SETTINGS = "/orgs/acme/w/marketing/manage/settings/"


def png(size=(300, 200), color="red"):
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, format="PNG")
    return SimpleUploadedFile("logo.png", buffer.getvalue(), content_type="image/png")


def values(**changes):
    return {"name": "Marketing", "slug": "marketing", "description": "", **changes}


def test_settings_page_shows_the_values_and_warns_about_slugs(as_user, demo):
    text = as_user("wsadmin@acme.test").get(SETTINGS).content.decode()
    assert 'value="Marketing"' in text
    assert 'value="marketing"' in text
    assert "Changing the slug changes links." in text


def test_change_name_and_description(as_user, demo, marketing):
    client = as_user("wsadmin@acme.test")
    response = client.post(SETTINGS, values(name="Brand Marketing", description="All campaigns"))
    assert response.status_code == 302
    assert response["Location"] == SETTINGS
    marketing.refresh_from_db()
    assert (marketing.name, marketing.description) == ("Brand Marketing", "All campaigns")
    assert "Brand Marketing" in client.get(SETTINGS).content.decode()


def test_change_slug_moves_the_pages(as_user, demo, marketing):
    client = as_user("wsadmin@acme.test")
    response = client.post(SETTINGS, values(slug="brand"))
    assert response["Location"] == "/orgs/acme/w/brand/manage/settings/"
    assert client.get("/orgs/acme/w/brand/manage/settings/").status_code == 200
    assert client.get(SETTINGS).status_code == 404


def test_slug_taken_in_the_org_is_refused_in_place(as_user, demo, marketing):
    response = as_user("admin@acme.test").post(SETTINGS, values(name="New name", slug="sales"))
    assert response.status_code == 400
    text = response.content.decode()
    assert "Another workspace of this organization uses this slug." in text
    marketing.refresh_from_db()
    assert (marketing.name, marketing.slug) == ("Marketing", "marketing")


def test_slug_used_in_another_org_is_fine(as_user, demo, marketing):
    response = as_user("wsadmin@acme.test").post(SETTINGS, values(slug="main"))  # globex has it
    assert response.status_code == 302
    marketing.refresh_from_db()
    assert marketing.slug == "main"


@pytest.mark.parametrize(
    "changes,error",
    [
        ({"slug": "Not a slug!"}, "Enter a valid “slug”"),
        ({"slug": ""}, "This field is required"),
        ({"name": ""}, "This field is required"),
    ],
)
def test_invalid_values_are_refused_in_place(as_user, demo, marketing, changes, error):
    response = as_user("wsadmin@acme.test").post(SETTINGS, values(**changes))
    assert response.status_code == 400
    assert error in response.content.decode()
    marketing.refresh_from_db()
    assert (marketing.name, marketing.slug) == ("Marketing", "marketing")


def test_upload_an_avatar(as_user, demo, marketing):
    client = as_user("wsadmin@acme.test")
    assert client.post(SETTINGS, values(avatar=png())).status_code == 302
    marketing.refresh_from_db()
    with marketing.avatar.open() as stored:
        image = Image.open(stored)
        assert (image.format, image.size) == ("PNG", (256, 256))
    filename = marketing.avatar.name.rsplit("/", 1)[-1]
    served = f'src="/orgs/acme/avatars/workspace/{marketing.pk}/{filename}"'
    assert served in client.get(SETTINGS).content.decode()


def test_initials_without_an_avatar(as_user, demo):
    text = as_user("wsadmin@acme.test").get(SETTINGS).content.decode()
    assert '<span class="avatar lg" role="img" aria-label="Marketing">M</span>' in text


def test_upload_something_else_is_refused(as_user, demo, marketing):
    fake = SimpleUploadedFile("x.png", b"not an image", content_type="image/png")
    response = as_user("wsadmin@acme.test").post(SETTINGS, values(avatar=fake, name="Other"))
    assert response.status_code == 400
    assert "Upload a valid image file." in response.content.decode()
    marketing.refresh_from_db()
    assert (marketing.name, marketing.avatar.name) == ("Marketing", "")


def test_upload_too_large_is_refused(as_user, demo, marketing, settings):
    settings.AVATAR_MAX_BYTES = 100
    response = as_user("wsadmin@acme.test").post(SETTINGS, values(avatar=png()))
    assert response.status_code == 400
    assert "The image is too large" in response.content.decode()


def test_remove_the_avatar_deletes_the_file(
    as_user, demo, marketing, django_capture_on_commit_callbacks
):
    client = as_user("wsadmin@acme.test")
    client.post(SETTINGS, values(avatar=png()))
    marketing.refresh_from_db()
    storage, name = marketing.avatar.storage, marketing.avatar.name
    assert "Remove the current avatar" in client.get(SETTINGS).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(SETTINGS, values(remove_avatar="on"))
    assert Workspace.objects.get(pk=marketing.pk).avatar.name == ""
    assert not storage.exists(name)
