"""Content of the demo workspaces for the templates / assets / brand kits / audience tests."""

from types import SimpleNamespace

import pytest
from django.core.files.base import ContentFile

from tests.factories import (
    AssetFactory,
    AudienceContactFactory,
    BrandKitFactory,
    FlowFactory,
    FlowTemplateFactory,
)
from workspaces.models import Asset, AudienceContact, BrandKit, FlowTemplate

from .images import image_bytes


def make_content(workspace, prefix=""):
    flow = FlowFactory(workspace=workspace, name=f"{prefix}Spring promo")
    kit = BrandKitFactory(workspace=workspace, name=f"{prefix}Main brand", font="Inter")
    kit.logo.save("logo.png", ContentFile(image_bytes()), save=True)
    return SimpleNamespace(
        workspace=workspace,
        template=FlowTemplateFactory(workspace=workspace, name=f"{prefix}Event template"),
        asset=AssetFactory(workspace=workspace, name=f"{prefix}Flyer"),
        kit=kit,
        contact=AudienceContactFactory(
            workspace=workspace,
            email=f"{prefix.strip().lower() or 'mkt'}-ann@example.test",
            name="Ann Example",
            source_flow=flow,
            tags=["vip"],
        ),
    )


@pytest.fixture
def marketing(acme):
    return acme.workspaces.get(slug="marketing")


@pytest.fixture
def sales(acme):
    return acme.workspaces.get(slug="sales")


@pytest.fixture
def globex_main(globex):
    return globex.workspaces.get(slug="main")


@pytest.fixture
def content(marketing):
    return make_content(marketing)


@pytest.fixture
def sales_content(sales):
    return make_content(sales, prefix="Sales ")


@pytest.fixture
def globex_content(globex_main):
    return make_content(globex_main, prefix="Globex ")


def snapshot(workspace):
    """Every row of the content this feature writes, to prove a refused POST changed nothing."""
    return [
        list(model.objects.filter(workspace=workspace).order_by("pk").values())
        for model in (FlowTemplate, Asset, BrandKit, AudienceContact)
    ]


def ws_path(workspace, rest=""):
    return f"/orgs/{workspace.org.slug}/w/{workspace.slug}/{rest}"
