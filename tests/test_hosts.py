import pytest
from django.core.cache import cache
from django.db import connection

from tests.factories import DomainFactory, FlowFactory
from workspaces.models import Scan, ScanDay, Workspace

pytestmark = pytest.mark.django_db


@pytest.fixture
def production_hosts(settings):
    settings.APP_HOSTS = ["flowadmin.example.com"]
    settings.ALLOWED_HOSTS = ["*"]
    cache.clear()


def test_app_host_reaches_everything(client, production_hosts):
    assert client.get("/healthz", HTTP_HOST="flowadmin.example.com").status_code == 200


def test_unknown_host_is_refused(client, production_hosts):
    assert client.get("/healthz", HTTP_HOST="evil.example").status_code == 400
    assert client.get("/s/abc", HTTP_HOST="evil.example").status_code == 400


def test_verified_domain_reaches_only_short_links(client, production_hosts):
    flow = FlowFactory()
    domain = DomainFactory(hostname="go.acme.example", verified=True, org=flow.workspace.org)
    Workspace.objects.filter(pk=flow.workspace_id).update(whitelabel_domain=domain)
    response = client.get(f"/s/{flow.short_code}", HTTP_HOST="go.acme.example")
    assert response.status_code == 302
    assert response["Location"] == flow.destination_url
    assert client.get("/accounts/login/", HTTP_HOST="go.acme.example").status_code == 400


@pytest.mark.parametrize("script_name", ["", "/app"])
def test_a_verified_domain_reaches_exactly_the_short_link_path(
    client, production_hosts, script_name
):
    """Matched on the path inside the app (path_info), so the same under a script prefix
    (the app mounted at /app behind a proxy); a longer path under /s/ is not a short link."""
    flow = FlowFactory()
    domain = DomainFactory(hostname="go.acme.example", verified=True, org=flow.workspace.org)
    Workspace.objects.filter(pk=flow.workspace_id).update(whitelabel_domain=domain)
    on_domain = {"HTTP_HOST": "go.acme.example", "SCRIPT_NAME": script_name}
    assert client.get(f"/s/{flow.short_code}", **on_domain).status_code == 302
    assert client.get(f"/s/{flow.short_code}/x", **on_domain).status_code == 400
    assert client.get("/accounts/login/", **on_domain).status_code == 400


def test_pending_domain_is_refused(client, production_hosts):
    DomainFactory(hostname="go.acme.example")
    flow = FlowFactory()
    assert client.get(f"/s/{flow.short_code}", HTTP_HOST="go.acme.example").status_code == 400


def test_short_link_on_a_known_domain_stays_one_read_one_insert(
    client, production_hosts, django_assert_max_num_queries
):
    flow = FlowFactory()
    domain = DomainFactory(hostname="go.acme.example", verified=True, org=flow.workspace.org)
    Workspace.objects.filter(pk=flow.workspace_id).update(whitelabel_domain=domain)
    client.get(f"/s/{flow.short_code}", HTTP_HOST="go.acme.example")  # caches the domain
    # The domain is cached: the flow's read, then the scan and its day's rollup — one
    # statement on PostgreSQL, a SELECT then two ORM INSERTs on SQLite
    # (workspaces.services.scan_follow).
    with django_assert_max_num_queries(6) as queries:
        client.get(f"/s/{flow.short_code}", HTTP_HOST="go.acme.example")
    sql = [q["sql"].lstrip().upper() for q in queries.captured_queries]
    if connection.vendor == "postgresql":
        assert len(sql) == 1 and "ORGS_DOMAIN" in sql[0]
    else:
        assert len([q for q in sql if q.startswith("SELECT")]) == 1
    assert Scan.objects.filter(flow=flow).count() == 2
    assert ScanDay.objects.get(workspace_id=flow.workspace_id).scans == 2


# --- a whitelabel domain serves only its own flows -----------------------


@pytest.fixture
def branded(production_hosts):
    """acme's flow on acme's verified domain; globex's flow elsewhere."""
    acme_flow, globex_flow = FlowFactory(), FlowFactory()
    domain = DomainFactory(hostname="go.acme.example", verified=True, org=acme_flow.workspace.org)
    Workspace.objects.filter(pk=acme_flow.workspace_id).update(whitelabel_domain=domain)
    return acme_flow, globex_flow


def test_a_whitelabel_domain_refuses_another_tenants_flow(client, branded):
    _acme_flow, globex_flow = branded
    response = client.get(f"/s/{globex_flow.short_code}", HTTP_HOST="go.acme.example")
    assert response.status_code == 404


def test_a_whitelabel_domain_refuses_its_orgs_other_workspaces(client, branded):
    acme_flow, _ = branded
    other = FlowFactory(workspace__org=acme_flow.workspace.org)
    assert client.get(f"/s/{other.short_code}", HTTP_HOST="go.acme.example").status_code == 404


def test_the_default_host_serves_every_flow(client, branded):
    for flow in branded:
        response = client.get(f"/s/{flow.short_code}", HTTP_HOST="flowadmin.example.com")
        assert response.status_code == 302
