"""Large activity exports run as background jobs: the request queues the job and shows its
progress; the file, written to storage by the task, downloads when ready. Small exports still
stream. Transactional: the job is queued when the request's transaction commits."""

import csv
import io

import pytest

from audit.models import ActivityEntry, ExportJob, ExportStatus
from orgs.models import OrgMembership
from tests.factories import OrganizationFactory, OrgMembershipFactory, TeamFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def org():
    org = OrganizationFactory(slug="big")
    OrgMembershipFactory(org=org, role="admin", user__email="admin@big.test")
    for n in range(5):
        TeamFactory(org=org, name=f"Team {n}")
    return org


def admin_of(org):
    return OrgMembership.objects.get(org=org).user


def rows(content: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(content.decode())))


def test_a_large_export_becomes_a_job_with_a_download(client, org, settings):
    settings.EXPORT_INLINE_MAX_ROWS = 3
    client.force_login(admin_of(org))
    matching = ActivityEntry.objects.filter(org=org).count()
    assert matching > 3

    started = client.get("/orgs/big/activity/export.csv")
    job = ExportJob.objects.get()
    assert started["Location"] == f"/orgs/big/activity/exports/{job.pk}/"
    assert job.status == ExportStatus.DONE  # the task ran (eagerly) after the commit
    # The export's own log entry (recorded before the task ran) is in it too.
    assert job.rows_total == job.rows_done == matching + 1
    page = client.get(started["Location"]).content.decode()
    assert "Download the CSV" in page
    download = client.get(f"/orgs/big/activity/exports/{job.pk}/download")
    body = b"".join(download.streaming_content)
    lines = rows(body)
    assert lines[0][:2] == ["time", "actor_email"]
    assert len(lines) - 1 == job.rows_done
    assert {f"Team {n}" for n in range(5)} <= {line[7] for line in lines[1:]}
    exported = ActivityEntry.objects.filter(org=org, action="exported").get()
    assert exported.changes["delivery"] == [None, "background"]


def test_progress_is_a_polling_partial_until_ready(client, org, settings):
    settings.EXPORT_INLINE_MAX_ROWS = 3
    client.force_login(admin_of(org))
    job = ExportJob.objects.create(org=org, rows_total=10, rows_done=4)
    partial = client.get(f"/orgs/big/activity/exports/{job.pk}/", headers={"HX-Request": "true"})
    html = partial.content.decode()
    assert html.lstrip().startswith('<section class="card" id="export-progress"')
    assert 'hx-trigger="every 2s"' in html
    assert "4 of 10 entries written (40%)" in html
    assert client.get(f"/orgs/big/activity/exports/{job.pk}/download").status_code == 404


def test_a_small_export_still_streams(client, org, settings):
    settings.EXPORT_INLINE_MAX_ROWS = 1000
    client.force_login(admin_of(org))
    response = client.get("/orgs/big/activity/export.csv")
    assert response.streaming
    assert not ExportJob.objects.exists()


def test_jobs_of_another_org_are_not_found(client, org):
    job = ExportJob.objects.create(org=org, status=ExportStatus.DONE)
    other = OrgMembershipFactory(role="admin")
    client.force_login(other.user)
    slug = other.org.slug
    assert client.get(f"/orgs/{slug}/activity/exports/{job.pk}/").status_code == 404
    assert client.get(f"/orgs/{slug}/activity/exports/{job.pk}/download").status_code == 404
