import os
import re
from contextlib import contextmanager

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection

from orgs.models import Organization, User
from tests import demo_snapshot

REQUIRE_POSTGRES = os.environ.get("REQUIRE_POSTGRES") == "1"
REQUIRE_BROWSER = os.environ.get("REQUIRE_BROWSER") == "1"
REQUIRE_SERVICES = os.environ.get("REQUIRE_SERVICES") == "1"
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
SCREENSHOTS = settings.BASE_DIR / "tests" / "e2e" / "screenshots"


def pytest_sessionstart(session):
    if (
        REQUIRE_POSTGRES
        and settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql"
    ):
        raise pytest.UsageError(
            "REQUIRE_POSTGRES=1 but DATABASE_URL does not point at PostgreSQL "
            f"(engine: {settings.DATABASES['default']['ENGINE']})."
        )
    if REQUIRE_BROWSER and not os.path.exists(CHROMIUM):
        raise pytest.UsageError(f"REQUIRE_BROWSER=1 but there is no Chromium at {CHROMIUM}.")


def pytest_collection_modifyitems(config, items):
    on_postgres = settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"
    has_browser = os.path.exists(CHROMIUM)
    skip_pg = pytest.mark.skip(reason="needs PostgreSQL: run with DATABASE_URL=postgres://…")
    skip_browser = pytest.mark.skip(
        reason=f"needs Chromium at {CHROMIUM} (apt-get install chromium)"
    )
    for item in items:
        if "postgres" in item.keywords and not on_postgres:
            item.add_marker(skip_pg)
        if "browser" in item.keywords and not has_browser:
            item.add_marker(skip_browser)
    # The order the workers take the tests in: the `slow` ones without a database first (the
    # concurrency probe's gunicorn: one worker runs it while the others start on the rest, so
    # it does not end the run alone), then those in a transaction (without the demo, then
    # with it: it is committed once, see tests/demo_snapshot.py), then the transactional ones
    # (the browser tests, the `slow` ones first), then the other tests without a database.
    # The browser tests must come after the rolled-back ones: Playwright's sync API keeps an
    # event loop running in the test thread, and the test client then cannot call an async
    # view (asgiref's AsyncToSync refuses), so a test in a transaction run after a browser
    # test fails (tests/ops/test_operations.py's /readyz).
    items.sort(key=_run_order)


TRANSACTIONAL = "transactional"


def database_use(item) -> str | None:
    """How a test uses the database, decided as pytest-django decides it: TRANSACTIONAL,
    "db" (a transaction rolled back at the end) or None."""
    names = getattr(item, "fixturenames", ())
    marker = item.get_closest_marker("django_db")
    options = {}
    if marker is not None:
        options = dict(zip(("transaction", "reset_sequences"), marker.args, strict=False))
        options.update(marker.kwargs)
    if (
        options.get("transaction")
        or options.get("reset_sequences")
        or {"transactional_db", "live_server", "django_db_reset_sequences"} & set(names)
    ):
        return TRANSACTIONAL
    return "db" if marker is not None or "db" in names else None


def _run_order(item) -> tuple[int, bool, bool]:
    use = database_use(item)
    wants_demo = "demo" in getattr(item, "fixturenames", ())
    not_slow = item.get_closest_marker("slow") is None
    if use is None and not not_slow:
        return (-1, False, False)
    if use == "db":
        return (0, wants_demo, False)
    if use == TRANSACTIONAL:
        return (1, not_slow, not wants_demo)
    return (2, not_slow, False)


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item):
    """Before a test in a transaction that asks for the demo, when a transactional test has
    emptied the database since the demo was seeded: commit the demo again (once, outside any
    test transaction), so that this test and the next ones roll back to it instead of each
    restoring it inside its own transaction."""
    if (
        database_use(item) == "db"
        and "demo" in item.fixturenames
        and demo_snapshot.taken()
        and not demo_snapshot.committed()
    ):
        from pytest_django.plugin import blocking_manager_key

        with item.config.stash[blocking_manager_key].unblock():
            demo_snapshot.recommit()


def require_service(name: str, ok: bool, why: str = "") -> None:
    """Skip the test when the service `name` (Redis, moto's S3 server, a PostgreSQL replica…)
    is not available (`ok` False, `why` says what is missing), or fail it when
    REQUIRE_SERVICES=1 (CI's PostgreSQL run), so a missing service can't pass as a skip."""
    if ok:
        return
    message = f"needs {name}" + (f": {why}" if why else "")
    if REQUIRE_SERVICES:
        pytest.fail(f"REQUIRE_SERVICES=1 but the test {message}", pytrace=False)
    pytest.skip(message)


@pytest.fixture(scope="session")
def redis_url():
    """A Redis database for the tests: $TEST_REDIS_URL (default db 8 on the local server)."""
    from tests.services import redis_answers

    url = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/8")
    require_service("Redis", *redis_answers(url))
    return url


@pytest.fixture(scope="session")
def s3_server(tmp_path_factory):
    """moto's standalone S3-compatible server, a real process on a free loopback port, for the
    whole session. Yields {"endpoint_url", "env"}: `env` holds the AWS_* variables a client (or
    a gunicorn started by a test) needs; create buckets with tests.services.s3_client."""
    from tests.services import BIN, free_port, running

    server = BIN / "moto_server"
    require_service("moto's S3 server", server.exists(), "pip install 'moto[server]'")
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_S3_REGION_NAME": "us-east-1",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_S3_ENDPOINT_URL": url,
    }
    log = tmp_path_factory.mktemp("moto") / "moto.log"
    with running(
        [str(server), "-H", "127.0.0.1", "-p", str(port)],
        env={**os.environ, **env},
        log=log,
        ready_url=url,
    ):
        yield {"endpoint_url": url, "env": env}


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.ACTIVITY_CHECKPOINT_DIR = tmp_path / "activity-checkpoints"


@pytest.fixture(autouse=True, scope="session")
def _live_server_without_nagle():
    """The live server (Django's test WSGI handler) sends with TCP_NODELAY. It writes the
    status and headers, then the body, in two sends; with Nagle's algorithm on, the second
    waits for the client's delayed ACK (40 ms on Linux) on every response to an HTTP client
    that reads rather than writes next (scim2-tester's httpx: 22.3 → 2.7 s for its 440
    requests; Chromium is not affected)."""
    from django.test.testcases import QuietWSGIRequestHandler

    QuietWSGIRequestHandler.disable_nagle_algorithm = True
    yield
    QuietWSGIRequestHandler.disable_nagle_algorithm = False


@pytest.fixture(autouse=True, scope="session")
def _test_flush_past_the_truncate_guard():
    """Transactional tests (live_server, transaction=True) empty the database with TRUNCATE,
    which the activity log refuses on PostgreSQL (audit migration 0002). The test flush, and
    only it, runs with `session_replication_role = replica` (superuser only: the suite runs as
    the postgres superuser), under which no trigger fires."""
    from django.db.backends.postgresql.operations import DatabaseOperations

    original = DatabaseOperations.execute_sql_flush

    def execute_sql_flush(self, sql_list):
        return original(self, ["SET LOCAL session_replication_role = replica", *sql_list])

    DatabaseOperations.execute_sql_flush = execute_sql_flush
    yield
    DatabaseOperations.execute_sql_flush = original


@pytest.fixture(scope="session")
def _demo_database(django_db_setup, django_db_blocker, tmp_path_factory):
    """The demo, seeded and committed once per test process (tests/demo_snapshot.py)."""
    with django_db_blocker.unblock():
        demo_snapshot.seed_committed(tmp_path_factory.mktemp("demo"))
    yield
    with django_db_blocker.unblock():
        demo_snapshot.unseed()


@pytest.fixture(autouse=True)
def _demo_only_where_asked(request):
    """A test that uses the database without asking for the demo starts without it; a
    transactional test leaves the database empty."""
    use = database_use(request.node)
    if use and "demo" not in request.fixturenames and demo_snapshot.committed():
        if use == TRANSACTIONAL:
            request.getfixturevalue("transactional_db")
            call_command("flush", interactive=False, verbosity=0)
            demo_snapshot.emptied()
        else:
            request.getfixturevalue("db")
            demo_snapshot.hide_demo()
    yield
    demo_snapshot.test_ended(transactional=use == TRANSACTIONAL)


@pytest.fixture
def demo(db, _demo_database):
    """The demo data of SPEC §7 (committed once per process, each test rolled back; see
    tests/demo_snapshot.py); returns the users by email."""
    demo_snapshot.use_demo()
    return {u.email: u for u in User.objects.all()}


@pytest.fixture
def acme(demo):
    return Organization.objects.get(slug="acme")


@pytest.fixture
def globex(demo):
    return Organization.objects.get(slug="globex")


@pytest.fixture
def on_postgres():
    return connection.vendor == "postgresql"


# --- browser -------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def chromium():
    if not os.path.exists(CHROMIUM):
        pytest.skip(f"needs Chromium at {CHROMIUM}")
    # Playwright's sync API runs an event loop in this thread; Django's ORM calls made by the
    # test itself are still synchronous.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@contextmanager
def browser_page(chromium, base_url: str):
    """A page in a browser context of its own (its own cookies), 1280×860, 10 s timeouts;
    the context is closed on exit."""
    context = chromium.new_context(base_url=base_url, viewport={"width": 1280, "height": 860})
    try:
        page = context.new_page()
        page.set_default_timeout(10_000)
        yield page
    finally:
        context.close()


@pytest.fixture
def page(chromium, live_server):
    with browser_page(chromium, live_server.url) as page:
        yield page


@pytest.fixture
def second_page(chromium, live_server):
    """A second browser beside `page`, with its own cookies: another person's (an invitee, a
    second reviewer)."""
    with browser_page(chromium, live_server.url) as page:
        yield page


@pytest.fixture
def screenshot(page):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def take(name):
        path = SCREENSHOTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


@pytest.fixture
def login(page):
    """Sign `page` in (`sign_in`): the login view's checks, session and records, without the
    browser drawing the login page. Tests of the login page itself use `login_through_the_page`."""

    def do_login(email, password="flowadmin-demo"):
        sign_in(page, email, password)

    return do_login


@pytest.fixture
def login_through_the_page(page):
    """Log in through the email-first login page: email, Continue, password, Log in."""

    def do_login(email, password="flowadmin-demo"):
        log_in(page, email, password)

    return do_login


def log_in(page, email, password="flowadmin-demo"):
    """The login page's steps in the browser, for tests that open their own browser contexts."""
    page.goto("/accounts/login/")
    page.get_by_label("Email address").fill(email)
    page.get_by_role("button", name="Continue").click()
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_load_state()


CSRF_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def sign_in(page, email, password="flowadmin-demo"):
    """Sign `page`'s browser context in as `email`, then open the page the sign-in redirects
    to, where `log_in` leaves it. The context's HTTP client (it shares the browser's cookies)
    posts email and password at once to the login view, whose one-step path runs the same
    checks, session, two-factor stage and records as the page's two steps; the browser does
    not draw the login page twice (≈1 s of Chromium's CPU a sign-in). Raises AssertionError
    when the view answers anything but a redirect (a wrong password: use `log_in`)."""
    form = page.request.get("/accounts/login/")
    token = CSRF_FIELD.search(form.text()).group(1)
    answer = page.request.post(
        "/accounts/login/",
        form={"csrfmiddlewaretoken": token, "username": email, "password": password},
        max_redirects=0,
    )
    assert answer.status == 302, f"signing in as {email}: {answer.status}, not a redirect"
    page.goto(answer.headers["location"])
    page.wait_for_load_state()


@pytest.fixture
def no_seeded_content(demo):
    """The demo people and workspaces without the seeded flows, scans, audience, templates,
    assets and brand kits, for tests that count content from zero."""
    from workspaces.models import (
        Asset,
        AudienceContact,
        BrandKit,
        Flow,
        FlowTemplate,
        Scan,
        ScanDay,
    )

    for model in (ScanDay, Scan, AudienceContact, Flow, FlowTemplate, Asset, BrandKit):
        model.objects.all().delete()
