"""/healthz, /readyz, /metrics and request ids: in-process with the zero-setup defaults, then
on a gunicorn instance with a Redis broker, S3 and a Celery worker that comes and goes."""

import json
import re
import time

import pytest
import requests

from orgs.models import Invitation, InvitationDelivery
from orgs.roles import OrgRole
from tests.factories import PASSWORD, OrganizationFactory, OrgMembershipFactory

from .conftest import post_form, sign_in


def test_liveness_and_readiness_with_the_defaults(client, db):
    assert client.get("/healthz").content == b"ok"
    ready = client.get("/readyz?format=json")
    assert ready.status_code == 200
    # No broker configured: tasks run in the web process, so no worker is required.
    assert ready.json() == {
        "Database(alias='default')": "OK",
        "Cache(alias='default')": "OK",
        "Storage(alias='default')": "OK",
    }


def test_readiness_fails_when_storage_fails(client, db, settings, tmp_path):
    blocked = tmp_path / "file-not-dir"
    blocked.write_text("")
    settings.MEDIA_ROOT = blocked  # nothing can be saved below a file
    assert client.get("/readyz?format=json").status_code == 500


def test_metrics_only_for_allowed_addresses(client, db, settings):
    settings.METRICS_ALLOWED_IPS = ["127.0.0.1", "10.9.0.0/16"]
    client.get("/accounts/login/")
    metrics = client.get("/metrics").content.decode()
    assert re.search(
        r'django_http_requests_latency_seconds_by_view_method_count\{method="GET",'
        r'view="login"\} [1-9]',
        metrics,
    )
    assert client.get("/metrics", REMOTE_ADDR="10.9.3.4").status_code == 200
    assert client.get("/metrics", REMOTE_ADDR="10.8.0.1").status_code == 404
    assert client.get("/metrics", REMOTE_ADDR="203.0.113.7").status_code == 404


def test_the_request_id_is_kept_and_returned(client, db):
    response = client.get("/accounts/login/", headers={"X-Request-ID": "lb-1234"})
    assert response["X-Request-ID"] == "lb-1234"
    made = client.get("/accounts/login/")["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{32}", made)


# --- on a real instance ---------------------------------------------------------------------


def queue_depth(base: str) -> float:
    metrics = requests.get(f"{base}/metrics", timeout=20).text
    return float(re.search(r"^flowadmin_task_queue_depth\{[^}]*\} (\S+)$", metrics, re.M)[1])


def wait_until(condition, timeout=60):
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.3)


@pytest.mark.postgres
def test_readiness_queue_depth_and_json_logs_on_an_instance(cluster, real_hashers, tmp_path):
    org = OrganizationFactory(slug="ops")
    admin = OrgMembershipFactory(org=org, role=OrgRole.ADMIN, user__email="admin@ops.test").user
    web = cluster.start_web("web", LOG_JSON="1")

    # No worker yet: not ready, and a queued invitation email waits in the queue.
    ready = requests.get(f"{web}/readyz?format=json", timeout=20)
    assert ready.status_code == 500
    assert ready.json()["Database(alias='default')"] == "OK"
    assert ready.json()["Storage(alias='default')"] == "OK"
    assert "Ping" in "".join(k for k, v in ready.json().items() if v != "OK")
    assert queue_depth(web) == 0
    browser = requests.Session()
    sign_in(browser, web, admin.email, PASSWORD)
    post_form(browser, f"{web}/orgs/ops/users/invite/", {"email": "x@ops.test", "role": "user"})
    assert queue_depth(web) == 1

    cluster.start_worker("worker", EMAIL_URL=f"filemail:///{tmp_path / 'mails'}")
    invitation = Invitation.objects.get(email="x@ops.test")
    wait_until(lambda: Invitation.objects.get(pk=invitation.pk).delivery == InvitationDelivery.SENT)
    assert queue_depth(web) == 0
    wait_until(lambda: requests.get(f"{web}/readyz", timeout=20).status_code == 200)

    missing = requests.get(f"{web}/no-such-page", headers={"X-Request-ID": "trace-42"}, timeout=20)
    assert missing.headers["X-Request-ID"] == "trace-42"
    lines = [json.loads(line) for line in cluster.log("web").splitlines() if line.startswith("{")]
    [entry] = [line for line in lines if line["message"] == "Not Found: /no-such-page"]
    assert entry["request_id"] == "trace-42"
    assert entry["level"] == "WARNING"
