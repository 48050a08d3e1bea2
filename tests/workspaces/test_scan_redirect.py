"""GET /s/<code>: the public hot path."""

import pytest
from django.db import OperationalError
from django.urls import reverse
from django.utils import timezone

from flowadmin.nav_urls import short_link_code
from tests.factories import FlowFactory
from workspaces import services
from workspaces.models import Scan, ScanDay

pytestmark = pytest.mark.django_db

IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1"
)


@pytest.fixture
def flow(db):
    return FlowFactory(short_code="Ab3_x-9Z", destination_url="https://example.com/menu?x=1")


def test_redirects_to_the_destination(client, flow):
    response = client.get("/s/Ab3_x-9Z")
    assert response.status_code == 302
    assert response["Location"] == "https://example.com/menu?x=1"


def test_records_exactly_one_scan(client, flow):
    client.get("/s/Ab3_x-9Z", HTTP_USER_AGENT=IPHONE, HTTP_CF_IPCOUNTRY="de")
    scan = Scan.objects.get()
    assert (scan.flow_id, scan.workspace_id, scan.country, scan.device) == (
        flow.pk,
        flow.workspace_id,
        "DE",
        "mobile",
    )


def test_one_statement_on_postgresql_a_read_then_the_writes_elsewhere(
    client, flow, on_postgres, django_assert_max_num_queries
):
    with django_assert_max_num_queries(5) as queries:
        client.get("/s/Ab3_x-9Z", HTTP_USER_AGENT=IPHONE)
    sql = [q["sql"] for q in queries.captured_queries]
    if on_postgres:  # the flow, the scan and its day's rollup (an upsert): one round trip
        (statement,) = sql
        assert statement.count("INSERT INTO") == 2
        assert "ON CONFLICT" in statement
    else:
        assert sql[0].startswith("SELECT")
        writes = " ".join(sql[1:])
        assert writes.count("INSERT INTO") == 2  # the scan, then its day's rollup
        assert "ON CONFLICT" in writes


def test_logged_in_visitor_costs_no_extra_query(client, flow, django_assert_max_num_queries):
    from tests.factories import UserFactory

    client.force_login(UserFactory())
    with django_assert_max_num_queries(5) as queries:
        client.get("/s/Ab3_x-9Z")
    assert " ".join(q["sql"] for q in queries.captured_queries).count("INSERT INTO") == 2


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)  # the view's own transaction, as in production
def test_the_scan_transaction_alone_commits_asynchronously(client, flow):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        client.get("/s/Ab3_x-9Z")
    (write,) = [q["sql"] for q in queries.captured_queries if "INSERT" in q["sql"]]
    assert "set_config('synchronous_commit', 'off', true)" in write
    with connection.cursor() as cursor:
        cursor.execute("SHOW synchronous_commit")
        assert cursor.fetchone()[0] == "on"  # LOCAL: ends with the scan's transaction


@pytest.fixture
def health_checked(on_postgres):
    """The connection as in production (CONN_HEALTH_CHECKS, reused between requests), with
    Django's own health check — a `SELECT 1` round trip — made to fail the test if it runs."""
    from unittest import mock

    from django.db import connection

    connection.ensure_connection()
    connection.health_check_enabled, connection.health_check_done = True, False
    with mock.patch.object(connection, "is_usable", side_effect=AssertionError("SELECT 1 sent")):
        yield connection
    connection.health_check_enabled = False


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_reused_connection_is_checked_without_a_round_trip(client, flow, health_checked):
    assert client.get("/s/Ab3_x-9Z").status_code == 302
    assert health_checked.health_check_done
    assert Scan.objects.filter(flow=flow).count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_connection_the_server_closed_is_replaced_and_the_scan_recorded(
    client, flow, health_checked
):
    import time

    import psycopg

    pid = health_checked.connection.info.backend_pid
    params = health_checked.get_connection_params()
    params.pop("cursor_factory", None)
    params.pop("context", None)
    with psycopg.connect(**params, autocommit=True) as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", [pid])
        deadline = time.monotonic() + 5  # until the backend is gone and its end on the socket
        while (
            time.monotonic() < deadline
            and admin.execute("SELECT 1 FROM pg_stat_activity WHERE pid = %s", [pid]).fetchone()
        ):
            time.sleep(0.01)
    assert client.get("/s/Ab3_x-9Z").status_code == 302
    assert health_checked.connection.info.backend_pid != pid
    assert Scan.objects.filter(flow=flow).count() == 1
    assert ScanDay.objects.get(workspace=flow.workspace).scans == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_scan_statement_is_prepared_after_its_first_runs(client, flow):
    from django.db import connection

    for _ in range(6):
        client.get("/s/Ab3_x-9Z")
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        prepared = [row[0] for row in cursor.fetchall()]
    assert [s for s in prepared if "INSERT INTO workspaces_scan" in s]
    assert Scan.objects.filter(flow=flow).count() == 6
    assert ScanDay.objects.get(workspace=flow.workspace).scans == 6


def test_sets_no_cookie_and_is_not_cached(client, flow):
    response = client.get("/s/Ab3_x-9Z")
    assert not response.cookies
    assert "no-store" in response["Cache-Control"]
    assert "Cookie" not in response.get("Vary", "")


def busy(**kwargs):
    raise OperationalError("database is locked")


@pytest.fixture
def busy_database(monkeypatch):
    """Every scan's wait for the database runs out."""
    monkeypatch.setattr(services, "scan_follow", busy)


def test_keeps_the_security_headers(client, flow):
    for response in (client.get("/s/Ab3_x-9Z"), client.get("/s/nope1234")):
        assert_security_headers(response)


def test_a_refused_method_keeps_the_security_headers(client, flow):
    response = client.post("/s/Ab3_x-9Z")
    assert response.status_code == 405
    assert_security_headers(response)


def test_a_busy_database_answers_503_with_the_security_headers_never_cached(
    client, flow, busy_database
):
    response = client.get("/s/Ab3_x-9Z")
    assert response.status_code == 503
    assert response["Retry-After"]
    assert "no-store" in response["Cache-Control"]
    assert_security_headers(response)


def assert_security_headers(response):
    assert response["X-Content-Type-Options"] == "nosniff"  # SecurityMiddleware
    assert response["Referrer-Policy"]
    assert response["X-Frame-Options"] == "DENY"
    assert response["Content-Security-Policy"] == "default-src 'none'; frame-ancestors 'none'"


class Tripwire:
    """A middleware that records the paths it saw."""

    seen: list[str] = []

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        Tripwire.seen.append(request.path)
        return self.get_response(request)


def test_is_answered_ahead_of_the_consoles_middleware(client, flow, settings):
    """Sessions, CSRF, authentication, messages, CSP … (everything after ShortLinkMiddleware)
    never see a scan; the rest of the site still goes through them."""
    settings.MIDDLEWARE = [*settings.MIDDLEWARE, f"{__name__}.Tripwire"]
    Tripwire.seen = []
    assert client.get("/s/Ab3_x-9Z").status_code == 302
    assert client.get("/s/nope1234").status_code == 404
    client.get("/healthz")
    assert Tripwire.seen == ["/healthz"]


def test_unknown_code_is_a_small_plain_404(client, flow, django_assert_num_queries):
    with django_assert_num_queries(1):
        response = client.get("/s/nope1234")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/plain")
    assert len(response.content) < 100
    assert not Scan.objects.exists()


def test_malformed_code_is_404_without_a_query(client, flow, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/s/" + "x" * 40)
    assert response.status_code == 404


def test_paused_flow_is_404_and_not_counted(client, flow):
    flow.status = "paused"
    flow.save()
    assert client.get("/s/Ab3_x-9Z").status_code == 404
    assert not Scan.objects.exists()


def test_head_answers_without_counting(client, flow):
    response = client.head("/s/Ab3_x-9Z")
    assert response.status_code == 302
    assert not Scan.objects.exists()


def test_post_is_refused(client, flow):
    assert client.post("/s/Ab3_x-9Z").status_code == 405
    assert not Scan.objects.exists()


def test_codes_are_case_sensitive(client, flow):
    assert client.get("/s/ab3_x-9z").status_code == 404


def test_each_scan_is_recorded(client, flow):
    for _ in range(3):
        client.get("/s/Ab3_x-9Z")
    assert Scan.objects.filter(flow=flow).count() == 3
    (day,) = ScanDay.objects.filter(workspace=flow.workspace)
    assert (day.day, day.scans) == (timezone.localdate(), 3)


@pytest.mark.parametrize("code", ["Ab3_x-9Z", "a", "x" * 16])
def test_the_middlewares_path_matches_the_urlconfs(code):
    """ShortLinkMiddleware answers the paths `reverse("scan")` builds, and only their code."""
    assert short_link_code(reverse("scan", kwargs={"code": code})) == code


@pytest.mark.parametrize("path", ["/s/", "/s/a/b", "/orgs/s/a", "/s"])
def test_the_middleware_leaves_other_paths(path):
    assert short_link_code(path) is None


def test_the_short_link_path_follows_the_urlconf(settings):
    """The prefix is reversed from the URL configuration, not spelled: the site moved under
    /moved/ (tests.test_nav_urls) answers its short links there and not at /s/."""
    settings.ROOT_URLCONF = "tests.test_nav_urls"
    assert short_link_code("/moved/s/abc") == "abc"
    assert short_link_code("/s/abc") is None
