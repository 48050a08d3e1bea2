"""The activity log page and its CSV export (SPEC §4, §5): Org Admins only."""

from django.conf import settings
from django.http import HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.views.decorators.http import require_GET

from flowadmin.downloads import csv_attachment
from flowadmin.htmx import wants_partial
from flowadmin.routers import replica_reads
from orgs.decorators import org_view

from . import export, export_pages, exports, selectors
from .filters import ActivityFilterForm, activity_url, export_url, filter_entries
from .models import ExportJob, ExportKind


@require_GET
@org_view("org.view_activity")
@replica_reads
def activity(request):
    form = ActivityFilterForm(request.GET)
    page = selectors.activity_page(request.org, form.cleaned_data) if form.is_valid() else None
    filters = form.active_filters
    typed_workspace = form.data.get("workspace", "")[: ActivityFilterForm.WORKSPACE_MAX].strip()
    context = {
        "form": form,
        "page": page,
        "filters": filters,
        "export_url": export_url(request.org, **filters),
        "newest_url": activity_url(request.org, **filters),
        "older_url": (
            activity_url(request.org, **filters, before=page.older_cursor)
            if page and page.has_older
            else None
        ),
        # The workspace filter's suggestions, for what is typed there: called by the template
        # when it renders them (the whole page, or an htmx update from the filters).
        "workspace_names": lambda: selectors.workspace_names(request.org, typed_workspace),
    }
    if not wants_partial(request):
        return render(request, "audit/activity.html", context)
    html = render_to_string("audit/activity.html#results", context, request)
    if request.htmx.trigger == FILTERS_FORM_ID:
        # typing in the filters: the suggestions follow (htmx swaps them out of band)
        options = {**context, "out_of_band": True}
        html += render_to_string("audit/activity.html#workspace_options", options, request)
    return HttpResponse(html)


# The id of the activity page's filter form (templates/audit/activity.html): htmx names it in
# HX-Trigger on the requests the form makes.
FILTERS_FORM_ID = "activity-filters"


@require_GET
@org_view("org.view_activity")
@replica_reads
def export_csv(request):
    form = ActivityFilterForm(request.GET)
    if not form.is_valid():
        return HttpResponseBadRequest(
            "Invalid filters: " + "; ".join(form.error_lines()), content_type="text/plain"
        )
    filters = {**form.cleaned_data, "before": None}
    entries = filter_entries(request.org, filters)
    rows = entries.count()
    if rows > settings.EXPORT_INLINE_MAX_ROWS:
        job = exports.export_start(
            actor=request.user,
            org=request.org,
            query=request.GET.urlencode(),
            filters=form.active_filters,
            rows=rows,
        )
        return redirect("audit:export_job", org_slug=request.org.slug, job_id=job.pk)
    exports.record_export(request.org, form.active_filters, background=False)
    filename = f"activity-{request.org.slug}-{exports.stamp()}.csv"
    return csv_attachment(export.csv_lines(entries), filename)


def _job(request, job_id) -> ExportJob:
    return get_object_or_404(ExportJob, pk=job_id, org=request.org, kind=ExportKind.ACTIVITY)


@require_GET
@org_view("org.view_activity")
def export_job(request, job_id):
    """A background export's progress (htmx polls the `progress` partial until it is ready)."""
    job = _job(request, job_id)
    return export_pages.progress(
        request,
        job,
        "audit/export_job.html",
        download_url=reverse("audit:export_download", args=[request.org.slug, job.pk]),
        back_url=reverse("audit:activity", args=[request.org.slug]),
    )


@require_GET
@org_view("org.view_activity")
def export_download(request, job_id):
    """The finished export's file, streamed from storage."""
    return export_pages.download(_job(request, job_id))


@require_GET
@org_view("org.view_activity")
def integrity(request):
    """The log's integrity for an auditor: newest checkpoint, entries since, newest verify."""
    context = {"integrity": selectors.integrity(request.org)}
    return render(request, "audit/integrity.html", context)
