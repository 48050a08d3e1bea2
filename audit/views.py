"""The activity log page and its CSV export (SPEC §4, §5): Org Admins only."""

from django.http import HttpResponseBadRequest, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from flowadmin.htmx import wants_partial
from flowadmin.routers import replica_reads
from orgs.decorators import org_view

from . import export, recording, selectors
from .filters import ActivityFilterForm, activity_url, export_url, filter_entries
from .models import Action


@org_view("org.view_activity")
@require_GET
@replica_reads
def activity(request):
    form = ActivityFilterForm(request.GET)
    page = selectors.activity_page(request.org, form.cleaned_data) if form.is_valid() else None
    filters = form.active_filters
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
        # Called by the template only when it renders the whole page (not for htmx updates).
        "workspace_names": lambda: selectors.workspace_names(request.org),
    }
    partial = wants_partial(request)
    response = render(
        request, "audit/activity.html#results" if partial else "audit/activity.html", context
    )
    return response


@org_view("org.view_activity")
@require_GET
@replica_reads
def export_csv(request):
    form = ActivityFilterForm(request.GET)
    if not form.is_valid():
        return HttpResponseBadRequest(
            "Invalid filters: " + "; ".join(form.error_lines()), content_type="text/plain"
        )
    filters = {**form.cleaned_data, "before": None}
    recording.record(
        action=Action.EXPORTED,
        org=request.org,
        entity_type="activity_export",
        entity_label="Activity log (CSV)",
        changes={"format": [None, "csv"], "filters": [None, form.active_filters]},
    )
    response = StreamingHttpResponse(
        export.csv_lines(filter_entries(request.org, filters)),
        content_type="text/csv; charset=utf-8",
    )
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
    response["Content-Disposition"] = (
        f'attachment; filename="activity-{request.org.slug}-{stamp}.csv"'
    )
    return response


@org_view("org.view_activity")
@require_GET
def integrity(request):
    """The log's integrity for an auditor: newest checkpoint, entries since, newest verify."""
    context = {"integrity": selectors.integrity(request.org)}
    return render(request, "audit/integrity.html", context)
