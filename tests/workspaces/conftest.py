import pytest

from workspaces.models import Flow, Workspace


@pytest.fixture
def marketing(acme):
    return Workspace.objects.get(org=acme, slug="marketing")


@pytest.fixture
def marketing_flow(marketing):
    return Flow.objects.filter(workspace=marketing, status="active").order_by("pk").first()


@pytest.fixture
def sales_flow(acme):
    return Flow.objects.filter(workspace__org=acme, workspace__slug="sales").order_by("pk").first()


@pytest.fixture
def globex_flow(globex):
    return Flow.objects.filter(workspace__org=globex).order_by("pk").first()
