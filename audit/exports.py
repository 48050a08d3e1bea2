"""Large CSV exports as background jobs (`ExportJob`), of every kind that registers here: the
request records the export and queues the job once its transaction commits (`export_queue`);
a worker (audit.tasks.build_export) writes the CSV to storage with its progress on the job row
(`export_build`), and the page (audit.export_pages) offers the file for download when it is
ready. Exports of at most settings.EXPORT_INLINE_MAX_ROWS rows still stream from the request.

A kind says how its file is written: `register(kind, Exporter(lines, filename))`, where
`lines(job)` gives the CSV text lines (header first; None when the job's filters are no longer
valid) and `filename(job)` the download's name. The activity log's kind is registered here;
the audience's by workspaces (workspaces.services.content, imported by its AppConfig.ready), so
this lower layer never imports the one above it."""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from django.core.files import File
from django.db import transaction
from django.http import QueryDict
from django.utils import timezone

from . import export, recording
from .context import service
from .filters import ActivityFilterForm, filter_entries
from .models import Action, ExportJob, ExportKind, ExportStatus

PROGRESS_EVERY = 5000  # rows between progress updates


@dataclass(frozen=True)
class Exporter:
    lines: Callable[[ExportJob], Iterator[str] | None]
    filename: Callable[[ExportJob], str]


KINDS: dict[str, Exporter] = {}


def register(kind: str, exporter: Exporter) -> None:
    KINDS[kind] = exporter


def stamp() -> str:
    """The local time as it goes into export file names: 20261206-013000."""
    return timezone.localtime().strftime("%Y%m%d-%H%M%S")


# --- the activity log's kind -----------------------------------------------------------------


def record_export(org, filters: dict, *, background: bool) -> None:
    """The activity-log entry of an activity export (who exported what, with which filters)."""
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


def _activity_lines(job: ExportJob) -> Iterator[str] | None:
    form = ActivityFilterForm(QueryDict(job.query))
    if not form.is_valid():
        return None
    return export.csv_lines(filter_entries(job.org, {**form.cleaned_data, "before": None}))


register(
    ExportKind.ACTIVITY,
    Exporter(_activity_lines, lambda job: f"activity-{job.org.slug}-{stamp()}.csv"),
)


@service
def export_start(*, actor, org, query: str, filters: dict, rows: int) -> ExportJob:
    """An activity export as a background job: logged (with `filters`, the active ones), then
    queued. `query`: the activity page's query string; `rows`: how many entries match now."""
    record_export(org, filters, background=True)
    return export_queue(actor=actor, kind=ExportKind.ACTIVITY, org=org, query=query, rows=rows)


# --- every kind ------------------------------------------------------------------------------


@service
def export_queue(*, actor, kind: str, org, query: str, rows: int, workspace=None) -> ExportJob:
    """Create the job (QUEUED) and queue it for a worker once this transaction commits. The
    caller logs the export. `query`: the page's filters as a query string (the kind's `lines`
    re-validates them); `rows`: how many rows match now (the progress bar's total)."""
    from .tasks import build_export

    if kind not in KINDS:
        raise ValueError(f"No exporter is registered for {kind!r}.")
    job = ExportJob.objects.create(
        kind=kind,
        org=org,
        workspace=workspace,
        requested_by=actor if getattr(actor, "is_authenticated", False) else None,
        query=query[:2000],
        rows_total=rows,
    )
    transaction.on_commit(lambda: build_export.delay(job.pk))
    return job


def export_build(*, actor, job_id: int) -> bool:
    """Write the job's CSV to storage, updating `rows_done` every PROGRESS_EVERY rows. Runs
    again from the start if a worker died mid-way; does nothing once DONE (or when the job is
    gone with its org or workspace). Returns whether it wrote the file."""
    job = ExportJob.objects.select_related("org", "workspace").filter(pk=job_id).first()
    if job is None or job.status == ExportStatus.DONE:
        return False
    exporter = KINDS[job.kind]
    lines = exporter.lines(job)
    if lines is None:
        _finish(job, ExportStatus.FAILED, error="The filters are no longer valid.")
        return False
    ExportJob.objects.filter(pk=job.pk).update(status=ExportStatus.RUNNING, rows_done=0)
    with tempfile.TemporaryFile("w+b") as out:
        done = -1  # the header line
        for line in lines:
            out.write(line.encode())
            done += 1
            if done and done % PROGRESS_EVERY == 0:
                ExportJob.objects.filter(pk=job.pk).update(rows_done=done)
        job.file.save(exporter.filename(job), File(out), save=False)
    job.rows_done = done
    job.rows_total = max(job.rows_total, done)
    _finish(job, ExportStatus.DONE)
    return True


def export_failed(*, actor, job_id: int, error: str) -> None:
    job = ExportJob.objects.filter(pk=job_id).first()
    if job is not None:
        _finish(job, ExportStatus.FAILED, error=error)


def _finish(job: ExportJob, status: str, error: str = "") -> None:
    job.status = status
    job.error = error[:300]
    job.finished_at = timezone.now()
    job.save(update_fields=["status", "error", "finished_at", "file", "rows_done", "rows_total"])
