"""Large activity-log CSV exports as background jobs: the request records the export and queues
it (audit.tasks.build_activity_export); a worker writes the CSV to storage with its progress on
the job row, and the console offers the file for download when it is ready. Exports of at most
settings.EXPORT_INLINE_MAX_ROWS entries still stream from the request."""

from __future__ import annotations

import tempfile

from django.core.files import File
from django.db import transaction
from django.http import QueryDict
from django.utils import timezone

from . import export, recording
from .filters import ActivityFilterForm, filter_entries
from .models import Action, ActivityExport, ExportStatus

PROGRESS_EVERY = 5000  # rows between progress updates


def record_export(org, filters: dict, *, background: bool) -> None:
    """The activity-log entry of an export (who exported what, with which filters)."""
    changes = {"format": [None, "csv"], "filters": [None, filters]}
    if background:
        changes["delivery"] = [None, "background"]
    recording.record(
        action=Action.EXPORTED,
        org=org,
        entity_type="activity_export",
        entity_label="Activity log (CSV)",
        changes=changes,
    )


@transaction.atomic
def export_start(*, actor, org, query: str, filters: dict, rows: int) -> ActivityExport:
    """Record the export and queue it for a worker once this transaction commits. `query`: the
    page's query string; `filters`: its active filters (for the log); `rows`: how many entries
    match now (the progress bar's total)."""
    from .tasks import build_activity_export

    record_export(org, filters, background=True)
    job = ActivityExport.objects.create(
        org=org, requested_by=actor, query=query[:2000], rows_total=rows
    )
    transaction.on_commit(lambda: build_activity_export.delay(job.pk))
    return job


def export_build(*, actor, job_id: int) -> bool:
    """Write the job's CSV to storage, updating `rows_done` every PROGRESS_EVERY rows. Runs
    again from the start if a worker died mid-way; does nothing once DONE. Returns whether it
    wrote the file."""
    job = ActivityExport.objects.select_related("org").filter(pk=job_id).first()
    if job is None or job.status == ExportStatus.DONE:
        return False
    form = ActivityFilterForm(QueryDict(job.query))
    if not form.is_valid():
        _finish(job, ExportStatus.FAILED, error="The filters are no longer valid.")
        return False
    ActivityExport.objects.filter(pk=job.pk).update(status=ExportStatus.RUNNING, rows_done=0)
    entries = filter_entries(job.org, {**form.cleaned_data, "before": None})
    with tempfile.TemporaryFile("w+b") as out:
        done = -1  # the header line
        for line in export.csv_lines(entries):
            out.write(line.encode())
            done += 1
            if done and done % PROGRESS_EVERY == 0:
                ActivityExport.objects.filter(pk=job.pk).update(rows_done=done)
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
        job.file.save(f"activity-{job.org.slug}-{stamp}.csv", File(out), save=False)
    job.rows_done = done
    job.rows_total = max(job.rows_total, done)
    _finish(job, ExportStatus.DONE)
    return True


def export_failed(*, actor, job_id: int, error: str) -> None:
    job = ActivityExport.objects.filter(pk=job_id).first()
    if job is not None:
        _finish(job, ExportStatus.FAILED, error=error)


def _finish(job: ActivityExport, status: str, error: str = "") -> None:
    job.status = status
    job.error = error[:300]
    job.finished_at = timezone.now()
    job.save(update_fields=["status", "error", "finished_at", "file", "rows_done", "rows_total"])
