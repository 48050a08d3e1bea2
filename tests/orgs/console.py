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


def grow_workspaces(org, n):
    """Add n workspaces "Region 000" … to org in one INSERT (the size tests' 10 vs 500)."""
    from orgs.names import fold
    from workspaces.models import Workspace

    Workspace.objects.bulk_create(
        Workspace(
            org=org, name=f"Region {i:03}", slug=f"region-{i:03}", name_key=fold(f"Region {i:03}")
        )
        for i in range(n)
    )


def measure(client, url, method, data=None, headers=None, status=200):
    """(response, its number of queries) for one request to url, after a warming GET (the
    session and the like); the response must have `status` (400: a form refused)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        response = getattr(client, method)(url, data or {}, headers=headers or {})
    assert response.status_code == status
    return response, len(queries)
