import pytest
from django.core.cache import cache
from django.db import connection
from django.test import override_settings

from orgs import domains, services
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


def test_a_urlconf_without_short_links_passes_every_request_on(client):
    """No `scan` URL to reverse: no path is a short link, not a 500 on every request."""
    with override_settings(ROOT_URLCONF="tests.urls_without_scan"):
        response = client.get("/s/abc")
    assert response.status_code == 200
    assert response.content == b"not a short link: abc"


def scan_status(client, flow) -> int:
    return client.get(f"/s/{flow.short_code}", HTTP_HOST="go.acme.example").status_code


def use_domain(flow, domain) -> None:
    Workspace.objects.filter(pk=flow.workspace_id).update(whitelabel_domain=domain)


def test_a_domain_just_verified_serves_its_short_links_at_once(
    client, production_hosts, monkeypatch, django_capture_on_commit_callbacks
):
    """The middleware caches a host's answer for a minute: verifying forgets it on commit."""
    flow = FlowFactory()
    domain = DomainFactory(hostname="go.acme.example", org=flow.workspace.org)
    use_domain(flow, domain)
    assert scan_status(client, flow) == 400
    monkeypatch.setattr(domains, "lookup_txt", lambda name: [domain.verification_token])
    with django_capture_on_commit_callbacks(execute=True):
        services.domain_verify(actor=None, domain=domain)
    assert scan_status(client, flow) == 302


def test_a_domain_verified_by_the_operator_serves_its_short_links_at_once(
    client, production_hosts, django_capture_on_commit_callbacks
):
    flow = FlowFactory()
    assert scan_status(client, flow) == 400
    with django_capture_on_commit_callbacks(execute=True):
        domain = services.domain_add_verified(
            actor=None, org=flow.workspace.org, hostname="go.acme.example"
        )
    use_domain(flow, domain)
    assert scan_status(client, flow) == 302


def test_a_domain_just_removed_stops_at_once(
    client, production_hosts, django_capture_on_commit_callbacks
):
    flow = FlowFactory()
    domain = DomainFactory(hostname="go.acme.example", verified=True, org=flow.workspace.org)
    use_domain(flow, domain)
    assert scan_status(client, flow) == 302
    with django_capture_on_commit_callbacks(execute=True):
        services.domain_remove(actor=None, domain=domain)
    assert scan_status(client, flow) == 400
