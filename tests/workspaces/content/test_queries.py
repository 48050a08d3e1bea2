"""Every page renders in a constant number of queries, whatever the amount of content."""

import pytest
from django.core.files.base import ContentFile

from tests.factories import (
    AssetFactory,
    AudienceContactFactory,
    BrandKitFactory,
    FlowFactory,
    FlowTemplateFactory,
    UserFactory,
)

from .conftest import ws_path
from .images import image_bytes

pytestmark = pytest.mark.django_db

# Page → query budget. Every workspace page: session, user, workspace, the user's access (one
# query), the org switcher and the sidebar's workspaces (6); then one SELECT for a detail page,
# a COUNT and one SELECT for a list.
PAGES = {
    "templates/": 8,
    "templates/{template}/": 7,
    "templates/{template}/edit/": 7,
    "assets/": 8,
    "assets/{asset}/": 7,
    "brand-kits/": 8,
    "brand-kits/{kit}/": 7,
    "brand-kits/{kit}/edit/": 7,
    "audience/": 8,
    "audience/?q=example&tag=vip": 8,
}


def add_content(workspace, n):
    uploader = UserFactory()
    flow = FlowFactory(workspace=workspace)
    FlowTemplateFactory.create_batch(n, workspace=workspace, description="x")
    AssetFactory.create_batch(n, workspace=workspace, uploaded_by=uploader)
    AssetFactory.create_batch(n, workspace=workspace, content_type="image/png")
    for kit in BrandKitFactory.create_batch(n, workspace=workspace):
        kit.logo.save("l.png", ContentFile(image_bytes()), save=True)
    AudienceContactFactory.create_batch(
        n, workspace=workspace, source_flow=flow, tags=["vip", "news"]
    )


@pytest.mark.parametrize("page", PAGES)
def test_page_queries_are_constant(client, demo, content, page, django_assert_max_num_queries):
    client.force_login(demo["admin@acme.test"])
    ids = {"template": content.template.pk, "asset": content.asset.pk, "kit": content.kit.pk}
    url = ws_path(content.workspace, page.format(**ids))
    for size in (2, 30):
        add_content(content.workspace, size)
        with django_assert_max_num_queries(PAGES[page]):
            assert client.get(url).status_code == 200
