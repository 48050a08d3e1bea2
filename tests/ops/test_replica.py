"""Read replicas for real: tests/ops/pg_replica.sh starts a PostgreSQL primary and a streaming
replica made with `pg_basebackup -R`; a gunicorn instance reads the activity page from the
replica, except right after its browser wrote. Replay on the replica is paused to make it lag,
so which server answered shows in the page."""

import shutil
import subprocess
import time
import uuid
from pathlib import Path

import pytest
import requests
from django.db import connection

from tests.conftest import require_service
from tests.services import BIN, free_port

from .conftest import post_form, sign_in

pytestmark = pytest.mark.postgres

SCRIPT = Path(__file__).with_name("pg_replica.sh")
EMAIL, PASSWORD = "admin@replica.test", "replica-pass-123"


def psql(port: int, sql: str, db: str = "postgres") -> str:
    return subprocess.run(
        ["psql", "-h", "127.0.0.1", "-p", str(port), "-U", "postgres", "-d", db, "-Atqc", sql],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()


@pytest.fixture
def replica_pair():
    """(primary port, replica port), a database "flowadmin" on the primary holding a copy of
    the test database's schema and data; both servers stopped and removed at the end."""
    found = shutil.which("pg_basebackup") and list(Path("/usr/lib/postgresql").glob("*/bin/initdb"))
    require_service("PostgreSQL server binaries", bool(found), "apt-get install postgresql")
    directory = f"/tmp/fa-replica-{uuid.uuid4().hex[:12]}"  # the postgres user must reach it
    primary, replica = free_port(), free_port()
    try:
        subprocess.run(
            ["bash", str(SCRIPT), "start", directory, str(primary), str(replica)],
            check=True,
            capture_output=True,
        )
        psql(primary, "CREATE DATABASE flowadmin")
        dump = subprocess.run(
            ["pg_dump", "-h", "127.0.0.1", "-U", "postgres", "--no-owner"]
            + [
                "-p",
                str(connection.settings_dict["PORT"] or 5432),
                connection.settings_dict["NAME"],
            ],
            check=True,
            capture_output=True,
        ).stdout
        subprocess.run(
            ["psql", "-h", "127.0.0.1", "-p", str(primary), "-U", "postgres", "-d", "flowadmin"]
            + ["-q", "-v", "ON_ERROR_STOP=1"],
            input=dump,
            check=True,
            capture_output=True,
        )
        yield primary, replica
    finally:
        subprocess.run(["bash", str(SCRIPT), "stop", directory], check=False)


SET_PASSWORD = "from orgs.models import User; u = User.objects.get(email='{}'); " + (
    "u.set_password('{}'); u.save()"
)


def manage(env: dict, *args: str) -> None:
    done = subprocess.run(
        [str(BIN / "python"), "manage.py", *args], env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr[-2000:]


def caught_up(primary: int, replica: int, timeout: float = 30) -> None:
    lsn = psql(primary, "SELECT pg_current_wal_lsn()")
    deadline = time.monotonic() + timeout
    while psql(replica, f"SELECT pg_last_wal_replay_lsn() >= '{lsn}'") != "t":
        assert time.monotonic() < deadline, "the replica did not catch up"
        time.sleep(0.2)


def test_activity_reads_the_replica_except_right_after_a_write(
    cluster, replica_pair, transactional_db
):
    primary, replica = replica_pair
    url = "postgres://postgres@127.0.0.1:{}/flowadmin"
    env = {**cluster.env, "DATABASE_URL": url.format(primary)}
    manage(env, "create_org", "Replica", "--admin", EMAIL)
    manage(env, "shell", "-c", SET_PASSWORD.format(EMAIL, PASSWORD))
    pin = 3
    web = cluster.start_web(
        "web",
        DATABASE_URL=url.format(primary),
        DATABASE_REPLICA_URL=url.format(replica),
        REPLICA_PIN_SECONDS=str(pin),
    )
    browser = requests.Session()
    assert sign_in(browser, web, EMAIL, PASSWORD).status_code == 302
    activity = f"{web}/orgs/replica/activity/"

    def describe(text):
        saved = post_form(browser, f"{web}/orgs/replica/settings/", {"description": text})
        assert saved.status_code == 302
        assert "fa_primary" in saved.cookies  # pinned to the primary for a few seconds

    describe("marker-one")
    caught_up(primary, replica)
    psql(replica, "SELECT pg_wal_replay_pause()")  # from now on the replica lags
    describe("marker-two")
    # Right after the write: the primary answers, with the new entry.
    assert "marker-two" in browser.get(activity, timeout=20).text
    time.sleep(pin + 0.5)
    browser.cookies.clear(domain="127.0.0.1", path="/", name="fa_primary")
    # Pin expired: the replica answers, without it.
    page = browser.get(activity, timeout=20).text
    assert "marker-one" in page
    assert "marker-two" not in page
    # Other pages always read the primary.
    settings_page = browser.get(f"{web}/orgs/replica/settings/", timeout=20).text
    assert "marker-two" in settings_page

    psql(replica, "SELECT pg_wal_replay_resume()")
    caught_up(primary, replica)
    assert "marker-two" in browser.get(activity, timeout=20).text
