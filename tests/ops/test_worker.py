"""Background work on a real queue: a gunicorn instance queues invitation emails and large
exports on Redis and a Celery worker process runs them. The web instance's email backend points
at a port nothing listens on, so an email that arrives was sent by the worker."""

import time

import pytest
import requests

from audit.models import ExportJob, ExportStatus
from orgs.models import Invitation, InvitationDelivery
from orgs.roles import OrgRole
from tests.factories import PASSWORD, OrganizationFactory, OrgMembershipFactory
from tests.services import s3_client

from .conftest import post_form, sign_in

pytestmark = pytest.mark.postgres


@pytest.fixture
def admin(real_hashers):
    org = OrganizationFactory(slug="queue")
    return OrgMembershipFactory(org=org, role=OrgRole.ADMIN, user__email="admin@queue.test").user


def invite_on(base: str, admin, email: str) -> Invitation:
    browser = requests.Session()
    assert sign_in(browser, base, admin.email, PASSWORD).status_code == 302
    invited = post_form(
        browser, f"{base}/orgs/queue/users/invite/", {"email": email, "role": "user"}
    )
    assert invited.status_code == 302, invited.text[:500]
    return Invitation.objects.get(email=email)


def wait_for_delivery(invitation: Invitation, timeout: float = 60) -> Invitation:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        invitation.refresh_from_db()
        if invitation.delivery != InvitationDelivery.QUEUED:
            return invitation
        time.sleep(0.3)
    raise AssertionError(f"the invitation email was still queued after {timeout:.0f} s")


def test_the_worker_sends_the_invitation_email(cluster, admin, tmp_path):
    mails = tmp_path / "mails"
    web = cluster.start_web("web")
    cluster.start_worker("worker", EMAIL_URL=f"filemail:///{mails}")
    invitation = invite_on(web, admin, "newcomer@queue.test")

    assert wait_for_delivery(invitation).delivery == InvitationDelivery.SENT
    assert invitation.sent_at is not None
    [sent] = list(mails.iterdir())
    message = sent.read_text()
    assert "To: newcomer@queue.test" in message
    assert "/invitations/" in message
    assert "send_invitation_email" in cluster.log("worker")
    assert "send_invitation_email" not in cluster.log("web")


def test_smtp_errors_are_retried_then_shown_as_not_delivered(cluster, admin):
    web = cluster.start_web("web")
    # The worker's SMTP server refuses too: two retries, 1 s then 2 s apart.
    cluster.start_worker("worker", INVITATION_EMAIL_RETRIES="2", INVITATION_EMAIL_RETRY_SECONDS="1")
    invitation = invite_on(web, admin, "unlucky@queue.test")

    assert wait_for_delivery(invitation).delivery == InvitationDelivery.FAILED
    assert "Connection refused" in invitation.delivery_error
    assert cluster.log("worker").count("Retry in") == 2
    browser = requests.Session()
    sign_in(browser, web, admin.email, PASSWORD)
    page = browser.get(f"{web}/orgs/queue/invitations/", timeout=20).text
    assert "not delivered" in page
    assert 'aria-label="Resend the invitation to unlucky@queue.test"' in page


def test_a_large_export_is_written_by_the_worker_to_the_bucket(cluster, admin, s3_server):
    web = cluster.start_web("web", EXPORT_INLINE_MAX_ROWS="1")
    cluster.start_worker("worker")
    browser = requests.Session()
    assert sign_in(browser, web, admin.email, PASSWORD).status_code == 302
    started = browser.get(f"{web}/orgs/queue/activity/export.csv", allow_redirects=False)
    assert started.status_code == 302
    job = ExportJob.objects.get()
    assert started.headers["Location"] == f"/orgs/queue/activity/exports/{job.pk}/"

    deadline = time.monotonic() + 60
    while job.status != ExportStatus.DONE:
        assert time.monotonic() < deadline, f"the export is still {job.status}"
        time.sleep(0.3)
        job.refresh_from_db()
    assert "Download the CSV" in browser.get(web + started.headers["Location"]).text
    download = browser.get(f"{web}/orgs/queue/activity/exports/{job.pk}/download", timeout=20)
    assert download.status_code == 200
    assert download.text.splitlines()[0].startswith("time,actor_email")
    assert len(download.text.splitlines()) - 1 == job.rows_done >= 2
    listed = s3_client(s3_server).list_objects_v2(Bucket=cluster.env["AWS_STORAGE_BUCKET_NAME"])
    assert [item["Key"] for item in listed["Contents"]] == [job.file.name]
    assert job.file.name.startswith("exports/activity/")
    assert "build_export" in cluster.log("worker")
