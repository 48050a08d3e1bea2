import pytest
from django.core.cache import cache

from tests.factories import DomainFactory, FlowFactory

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
    DomainFactory(hostname="go.acme.example", verified=True)
    flow = FlowFactory()
    response = client.get(f"/s/{flow.short_code}", HTTP_HOST="go.acme.example")
    assert response.status_code == 302
    assert response["Location"] == flow.destination_url
    assert client.get("/accounts/login/", HTTP_HOST="go.acme.example").status_code == 400


def test_pending_domain_is_refused(client, production_hosts):
    DomainFactory(hostname="go.acme.example")
    flow = FlowFactory()
    assert client.get(f"/s/{flow.short_code}", HTTP_HOST="go.acme.example").status_code == 400


def test_short_link_on_a_known_domain_stays_one_read_one_insert(
    client, production_hosts, django_assert_num_queries
):
    DomainFactory(hostname="go.acme.example", verified=True)
    flow = FlowFactory()
    client.get(f"/s/{flow.short_code}", HTTP_HOST="go.acme.example")  # caches the domain
    # The flow lookup, then the scan and its day's rollup (ScanDay) in one atomic block: a
    # savepoint here, inside the test's transaction; BEGIN/COMMIT in production.
    with django_assert_num_queries(5):
        client.get(f"/s/{flow.short_code}", HTTP_HOST="go.acme.example")
