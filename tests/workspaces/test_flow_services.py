import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from orgs.errors import ServiceError
from tests.factories import FlowFactory, UserFactory, WorkspaceFactory
from workspaces import services
from workspaces.models import Flow, Scan, ScanDay

pytestmark = pytest.mark.django_db


@pytest.fixture
def workspace():
    return WorkspaceFactory()


def create(workspace, **kwargs):
    fields = {"name": "Spring menu", "destination_url": "https://example.com/menu"} | kwargs
    return services.flow_create(actor=UserFactory(), workspace=workspace, **fields)


def test_flow_create_gives_a_url_safe_short_code(workspace):
    flow = create(workspace)
    assert re.fullmatch(r"[A-Za-z0-9_-]{8}", flow.short_code)


def test_flow_create_records_the_creator(workspace):
    actor = UserFactory()
    flow = services.flow_create(
        actor=actor, workspace=workspace, name="A", destination_url="https://example.com/"
    )
    assert flow.created_by == actor


def test_flow_create_by_the_system_has_no_creator(workspace):
    flow = services.flow_create(
        actor=None, workspace=workspace, name="A", destination_url="https://example.com/"
    )
    assert flow.created_by is None


def test_short_codes_differ(workspace):
    codes = {create(workspace, name=f"Flow {n}").short_code for n in range(50)}
    assert len(codes) == 50


def test_flow_create_retries_on_a_short_code_collision(workspace, monkeypatch):
    FlowFactory(short_code="taken123")
    codes = iter(["taken123", "taken123", "fresh456"])
    monkeypatch.setattr(services, "new_short_code", lambda: next(codes))
    flow = create(workspace)
    assert flow.short_code == "fresh456"


def test_flow_create_gives_up_after_repeated_collisions(workspace, monkeypatch):
    FlowFactory(short_code="taken123")
    monkeypatch.setattr(services, "new_short_code", lambda: "taken123")
    with pytest.raises(ServiceError):
        create(workspace)
    assert Flow.objects.filter(workspace=workspace).count() == 0


def test_flow_create_strips_the_name(workspace):
    assert create(workspace, name="  Poster  ").name == "Poster"


def test_flow_create_refuses_an_empty_name(workspace):
    with pytest.raises(ServiceError):
        create(workspace, name="   ")


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        "ftp://example.com/file",
        "data:text/html,hi",
        "example.com",
        "https://",
        "",
    ],
)
def test_flow_create_refuses_a_non_http_destination(workspace, url):
    with pytest.raises(ServiceError):
        create(workspace, destination_url=url)
    assert not Flow.objects.filter(workspace=workspace).exists()


def test_flow_create_refuses_an_unknown_status(workspace):
    with pytest.raises(ServiceError):
        create(workspace, status="archived")


def test_flow_update_changes_fields_and_keeps_the_code(workspace):
    flow = create(workspace)
    code = flow.short_code
    services.flow_update(
        actor=None, flow=flow, name="Autumn menu", destination_url="http://example.org/"
    )
    flow.refresh_from_db()
    assert (flow.name, flow.destination_url, flow.short_code) == (
        "Autumn menu",
        "http://example.org/",
        code,
    )


def test_flow_update_pauses(workspace):
    flow = create(workspace)
    services.flow_update(actor=None, flow=flow, status="paused")
    flow.refresh_from_db()
    assert flow.status == "paused"


def test_flow_update_refuses_a_bad_destination_and_changes_nothing(workspace):
    flow = create(workspace)
    with pytest.raises(ServiceError):
        services.flow_update(actor=None, flow=flow, name="New", destination_url="ftp://x.org/")
    flow.refresh_from_db()
    assert (flow.name, flow.destination_url) == ("Spring menu", "https://example.com/menu")


def test_flow_update_without_changes_writes_nothing(workspace):
    flow = create(workspace)
    with CaptureQueriesContext(connection) as queries:
        services.flow_update(actor=None, flow=flow, name=flow.name)
    assert not [q for q in queries if q["sql"].startswith("UPDATE")]


def test_flow_delete_removes_the_flow_and_its_scans(workspace):
    flow = create(workspace)
    services.scan_record(flow_id=flow.pk, workspace_id=workspace.pk, device="mobile")
    other = create(workspace)
    services.scan_record(flow_id=other.pk, workspace_id=workspace.pk, device="mobile")
    services.flow_delete(actor=None, flow=flow)
    assert not Flow.objects.filter(pk=flow.pk).exists()
    assert Scan.objects.count() == 1
    # the daily rollup keeps only the other flow's scan
    assert list(ScanDay.objects.values_list("scans", flat=True)) == [1]


def test_scan_record_is_the_scan_and_its_day(workspace, django_assert_max_num_queries):
    flow = create(workspace)
    with django_assert_max_num_queries(4) as queries:  # + savepoint, release
        services.scan_record(
            flow_id=flow.pk, workspace_id=workspace.pk, country="FR", device="tablet"
        )
    scan = Scan.objects.get()
    assert (scan.flow_id, scan.workspace_id, scan.country, scan.device) == (
        flow.pk,
        workspace.pk,
        "FR",
        "tablet",
    )
    assert " ".join(q["sql"] for q in queries.captured_queries).count("INSERT INTO") == 2
    assert ScanDay.objects.get().scans == 1


def test_admin_site_gives_a_new_flow_a_short_code(client, workspace):
    client.force_login(UserFactory(operator=True))
    response = client.post(
        "/admin/workspaces/flow/add/",
        {
            "workspace": workspace.pk,
            "name": "From the admin",
            "destination_url": "https://example.com/admin",
            "status": "active",
        },
    )
    assert response.status_code == 302
    assert re.fullmatch(r"[A-Za-z0-9_-]{8}", Flow.objects.get(name="From the admin").short_code)
