"""The page of a background export (ExportJob) and its download, for every kind: the activity
log's views and the audience's call these with the job they looked up inside the request's org
(and workspace), so both show the same progress and serve the file the same way."""

from __future__ import annotations

from django.http import FileResponse, Http404
from django.shortcuts import render

from flowadmin.htmx import partial_or_page

from .models import ExportJob, ExportStatus


def progress(request, job: ExportJob, template: str, *, download_url: str, back_url: str):
    """`template` (a page with a `progress` partial that includes audit/_export_progress.html):
    the job's status and progress; htmx polls the partial every 2 s until the job is done or
    failed, then it offers `download_url` (or, failed, links back to `back_url`)."""
    context = {
        "job": job,
        "done": ExportStatus.DONE,
        "download_url": download_url,
        "back_url": back_url,
    }
    return render(request, partial_or_page(request, template, "progress"), context)


def download(job: ExportJob) -> FileResponse:
    """The finished export's file, streamed from storage (404 until it is ready)."""
    if job.status != ExportStatus.DONE or not job.file:
        raise Http404("This export is not ready.")
    response = FileResponse(
        job.file.open("rb"),
        as_attachment=True,
        filename=job.file.name.rsplit("/", 1)[-1],
        content_type="text/csv; charset=utf-8",
    )
    response["Cache-Control"] = "private, no-store"
    return response
