"""Helpers shared by the Org Admin console tests (plain functions, not fixtures)."""

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

ADMIN = "admin@acme.test"
ORG_USER = "viewer@acme.test"
OTHER_ORG_ADMIN = "admin@globex.test"

HTMX = {"HX-Request": "true"}


def logged_in(client, demo, email=ADMIN):
    client.force_login(demo[email])
    return client


def image_file(name="avatar.png", size=(300, 200), color="red", fmt="PNG"):
    buf = io.BytesIO()
    Image.new("RGB", size, color).save(buf, format=fmt)
    return SimpleUploadedFile(name, buf.getvalue(), content_type=f"image/{fmt.lower()}")


def html(response) -> str:
    return response.content.decode()
