"""Activity streams and S3 checkpoints against real servers on loopback: a small
HTTP server in the test that checks the webhook signature, and moto's S3 server process."""

import datetime
import hashlib
import hmac
import json
import threading
import uuid
from http.server import BaseHTTPRequestHandler, HTTPServer
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from audit import services, streaming
from audit.checkpoints import load, write_checkpoints
from audit.context import Actor, acting_as
from audit.models import ActivityEntry, ActivityStream, ActivityVerification
from tests.services import free_port, s3_client

pytestmark = pytest.mark.django_db

SECRET = "a-webhook-secret-of-some-length"


class Receiver:
    """An HTTP server on a loopback port that accepts POSTs whose signature header is the
    HMAC-SHA256 of the body under SECRET (401 otherwise) and keeps their JSON lines."""

    def __init__(self, port=0):
        self.lines, self.bad_signatures, self.status = [], 0, 200
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                expected = "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
                if not hmac.compare_digest(self.headers["X-Flowadmin-Signature"], expected):
                    receiver.bad_signatures += 1
                    status = 401
                else:
                    status = receiver.status
                    if status == 200:
                        receiver.lines += [json.loads(line) for line in body.splitlines()]
                self.send_response(status)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = HTTPServer(("127.0.0.1", port), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()

    @property
    def seqs(self):
        return [line["seq"] for line in self.lines]


@pytest.fixture
def receiver():
    server = Receiver()
    yield server
    server.stop()


def write(org, n):
    """n changes, as the console makes them (each entry commits with its change)."""
    with acting_as(Actor(None, "boss@initech.test")):
        for i in range(n):
            org.description = f"v{uuid.uuid4()}{i}"
            org.save()


def stream_to(org, **values):
    return services.activity_stream_save(actor="boss@initech.test", org=org, **values)


def deliver():
    out = StringIO()
    call_command("deliver_activity_streams", stdout=out, stderr=StringIO())
    return out.getvalue()


def test_webhook_receives_new_entries_signed_and_in_order(org, receiver):
    stream = stream_to(org, destination="webhook", url=receiver.url, secret=SECRET)
    created = ActivityEntry.objects.get(org=org, entity_type="activity_stream").seq
    write(org, 3)
    assert "initech: 4 entries delivered." in deliver()
    assert receiver.seqs == [created, created + 1, created + 2, created + 3]
    assert receiver.lines[1]["actor_email"] == "boss@initech.test"
    stream.refresh_from_db()
    assert (stream.delivered_seq, stream.failures, stream.last_error) == (created + 3, 0, "")


def test_webhook_batches_resume_after_the_last_delivered_entry(org, receiver):
    stream = stream_to(org, destination="webhook", url=receiver.url, secret=SECRET)
    write(org, 5)
    result = streaming.deliver(stream, batch_size=2)
    assert result.delivered == 6
    write(org, 2)
    assert streaming.deliver(stream).delivered == 2
    assert receiver.seqs == list(range(receiver.seqs[0], receiver.seqs[0] + 8))


def test_a_wrong_secret_is_refused_by_the_receiver(org, receiver):
    stream = stream_to(org, destination="webhook", url=receiver.url, secret="not-" + SECRET)
    write(org, 1)
    assert streaming.deliver(stream).error == "the webhook answered HTTP 401"
    assert receiver.bad_signatures == 1 and receiver.lines == []


def test_a_webhook_that_is_down_holds_up_nothing_and_delivery_resumes(org):
    port = free_port()
    stream = stream_to(org, destination="webhook", url=f"http://127.0.0.1:{port}/h", secret=SECRET)
    write(org, 2)  # the changes and their entries commit while the receiver is down
    with pytest.raises(CommandError, match="initech: delivery failed: the webhook could not"):
        deliver()
    stream.refresh_from_db()
    assert stream.failures == 1
    assert stream.next_attempt_at > timezone.now() + datetime.timedelta(seconds=25)
    assert "could not be reached" in stream.last_error
    assert "initech: 0 entries" not in deliver()  # not due yet: nothing attempted
    receiver = Receiver(port)
    try:
        ActivityStream.objects.update(next_attempt_at=timezone.now())
        assert "initech: 3 entries delivered." in deliver()
        assert len(receiver.seqs) == 3
    finally:
        receiver.stop()
    stream.refresh_from_db()
    assert (stream.failures, stream.next_attempt_at) == (0, None)


def test_failures_back_off_exponentially():
    assert [streaming.retry_delay(n).total_seconds() for n in (1, 2, 3, 9)] == [30, 60, 120, 3600]


def test_webhooks_must_be_https(org):
    with pytest.raises(Exception, match="must use https://"):
        stream_to(org, destination="webhook", url="http://example.com/h", secret=SECRET)


def test_stream_settings_are_logged_without_the_secret(org, receiver, log):
    stream_to(org, destination="webhook", url=receiver.url, secret=SECRET)
    [entry] = log(org, entity_type="activity_stream")
    assert entry.actor_email == "boss@initech.test"
    assert SECRET not in json.dumps(entry.changes)
    assert "delivered_seq" not in entry.changes


# --- S3 (moto's server process) ---------------------------------------------------------------


@pytest.fixture
def bucket(s3_server, settings):
    """A fresh bucket on the moto server, configured as the activity S3 sink."""
    name = f"activity-{uuid.uuid4().hex[:12]}"
    s3_client(s3_server).create_bucket(Bucket=name)
    configure_s3(settings, s3_server["endpoint_url"], name, s3_server["env"])
    return name


def configure_s3(settings, endpoint_url, bucket, env):
    from botocore.config import Config

    settings.STORAGES = {
        **settings.STORAGES,
        "activity_s3": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": bucket,
                "endpoint_url": endpoint_url,
                "access_key": env["AWS_ACCESS_KEY_ID"],
                "secret_key": env["AWS_SECRET_ACCESS_KEY"],
                "region_name": env["AWS_DEFAULT_REGION"],
                "file_overwrite": False,
                "client_config": Config(
                    retries={"max_attempts": 1}, connect_timeout=2, read_timeout=5
                ),
            },
        },
    }


def keys_in(s3_server, bucket, prefix):
    listing = s3_client(s3_server).list_objects_v2(Bucket=bucket, Prefix=prefix)
    return [item["Key"] for item in listing.get("Contents", [])]


def test_checkpoints_go_to_the_s3_bucket(org, s3_server, bucket):
    [written] = write_checkpoints()
    assert keys_in(s3_server, bucket, f"org-{org.pk}/") == [written.checkpoint.name]


def test_verify_reads_checkpoints_from_s3_when_the_directory_lost_them(
    org, s3_server, bucket, settings, make_entries, tampering
):
    make_entries(org, 3)
    write_checkpoints()
    for path in (settings.ACTIVITY_CHECKPOINT_DIR / f"org-{org.pk}").iterdir():
        path.unlink()  # someone with the server's disk removes the local copy
    assert load(org.pk).newest(org.pk).seq == 4
    with tampering() as cursor:
        cursor.execute("DELETE FROM audit_activityentry WHERE seq > 2")
        cursor.execute(
            "UPDATE audit_activitychain SET seq = 2, head_hash = %s",
            [ActivityEntry.objects.get(seq=2).hash],
        )
    with pytest.raises(CommandError, match="signed #4: entries #3–#4 were removed"):
        call_command("verify_activity", stdout=StringIO(), stderr=StringIO())


def test_sink_stream_writes_json_lines_to_s3(org, s3_server, bucket):
    stream = stream_to(org, destination="sink")
    write(org, 2)
    assert streaming.deliver(stream).delivered == 3
    [key] = keys_in(s3_server, bucket, f"streams/org-{org.pk}/")
    body = s3_client(s3_server).get_object(Bucket=bucket, Key=key)["Body"].read()
    seqs = [json.loads(line)["seq"] for line in body.splitlines()]
    assert key.endswith(f"{seqs[0]:012d}-{seqs[-1]:012d}.jsonl") and len(seqs) == 3


def test_an_s3_sink_that_is_down_holds_up_nothing_and_delivery_resumes(
    org, s3_server, bucket, settings
):
    stream = stream_to(org, destination="sink")
    configure_s3(settings, f"http://127.0.0.1:{free_port()}", bucket, s3_server["env"])
    write(org, 2)
    result = streaming.deliver(stream)
    assert (result.delivered, result.error.startswith("the s3 sink failed")) == (0, True)
    assert ActivityEntry.objects.filter(org=org).count() == 4  # the changes were logged
    configure_s3(settings, s3_server["endpoint_url"], bucket, s3_server["env"])
    assert streaming.deliver(stream).delivered == 3
    assert len(keys_in(s3_server, bucket, f"streams/org-{org.pk}/")) == 1


def test_the_beat_schedule_delivers_streams_and_checkpoints(org, receiver, settings):
    from audit import tasks

    scheduled = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert {
        f"audit.tasks.{name}" for name in ("checkpoint_activity", "verify_activity")
    } <= scheduled
    assert "audit.tasks.deliver_activity_streams" in scheduled
    stream_to(org, destination="webhook", url=receiver.url, secret=SECRET)
    write(org, 1)
    assert tasks.deliver_activity_streams.apply().get() == 2
    assert tasks.checkpoint_activity.apply().get() == 1
    assert tasks.checkpoint_activity.apply().get() == 0  # the head has not moved
    assert tasks.verify_activity.apply().get() is True
    assert ActivityVerification.objects.get(pk=org.pk).ok
