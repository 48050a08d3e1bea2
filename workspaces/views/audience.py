"""Audience: contacts with search, tag filter and pagination; tag and delete a contact; export
the filtered contacts as CSV. Everything here needs ws.view_audience (SPEC §3.2)."""

from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers

from audit import export_pages
from audit.models import ExportJob, ExportKind
from flowadmin.downloads import csv_attachment
from flowadmin.htmx import paginate, partial_or_page
from flowadmin.routers import replica_reads
from orgs.errors import ServiceError
from workspaces.decorators import workspace_view

from ..forms.content import TagForm
from ..models import AudienceContact
from ..selectors.content import AudienceFilters, audience_contacts
from ..services import content as content_services
from ._content import confirm_delete, safe_next, ws_url

LIST = "workspaces/audience/list.html"
PER_PAGE = 50


def _contact(request, contact_id) -> AudienceContact:
    return get_object_or_404(AudienceContact, pk=contact_id, workspace=request.workspace)


@require_GET
@workspace_view("ws.view_audience")
@vary_on_headers("HX-Request")
def audience_list(request):
    filters = AudienceFilters.from_query(request.GET)
    contacts = audience_contacts(request.workspace, filters).select_related("source_flow")
    page = paginate(request, contacts, PER_PAGE)
    query = urlencode(filters.as_dict())
    return render(
        request,
        partial_or_page(request, LIST, "results"),
        {
            "page": page,
            "filters": filters,
            "query": query,
            "back": request.get_full_path(),
            "audience_url": ws_url(request, "audience"),
        },
    )


@require_POST
@workspace_view("ws.view_audience")
def contact_tags(request, contact_id):
    """Add the posted `tag`, or remove the tag named by `remove`. htmx swaps the contact's tag
    cell in place; without JavaScript it goes back to the list."""
    contact = _contact(request, contact_id)
    form = TagForm()
    if "remove" in request.POST:
        content_services.contact_tag_remove(
            actor=request.user, contact=contact, tag=request.POST["remove"]
        )
    else:
        form = TagForm(request.POST)
        if form.is_valid():
            try:
                content_services.contact_tag_add(
                    actor=request.user, contact=contact, tag=form.cleaned_data["tag"]
                )
            except ServiceError as error:
                form.add_error("tag", error)
            else:
                form = TagForm()
    if request.htmx:
        return render(
            request,
            f"{LIST}#contact-tags",
            {"contact": contact, "tag_form": form, "back": safe_next(request, "")},
        )
    for error in form.errors.get("tag", []):
        messages.error(request, f"{contact.email}: {error}")
    return redirect(safe_next(request, ws_url(request, "audience")))


@require_http_methods(["GET", "POST"])
@workspace_view("ws.view_audience")
def contact_delete(request, contact_id):
    contact = _contact(request, contact_id)
    back = safe_next(request, ws_url(request, "audience"))
    if request.method == "POST":
        content_services.contact_delete(actor=request.user, contact=contact)
        messages.success(request, f"{contact.email} deleted from the audience.")
        return redirect(back)
    return confirm_delete(
        request,
        contact,
        kind="contact",
        consequence="Their email, name, consent and tags are removed from this workspace.",
        cancel=back,
        next=back,
    )


@require_GET
@workspace_view("ws.view_audience")
@replica_reads
def audience_export_csv(request):
    """The contacts matching the list's filters as CSV: streamed row by row (constant memory)
    up to settings.EXPORT_INLINE_MAX_ROWS contacts; beyond, a background job whose progress
    page offers the file when it is written (the activity log's export machinery)."""
    filters = AudienceFilters.from_query(request.GET)
    workspace = request.workspace
    rows = audience_contacts(workspace, filters).count()
    if rows > settings.EXPORT_INLINE_MAX_ROWS:
        job = content_services.audience_export_start(
            actor=request.user, workspace=workspace, filters=filters, rows=rows
        )
        return redirect(ws_url(request, "audience_export_job", job.pk))
    lines = content_services.audience_export(
        actor=request.user, workspace=workspace, filters=filters
    )
    return csv_attachment(lines, content_services.audience_export_filename(workspace))


def _job(request, job_id) -> ExportJob:
    return get_object_or_404(
        ExportJob, pk=job_id, kind=ExportKind.AUDIENCE, workspace=request.workspace
    )


@require_GET
@workspace_view("ws.view_audience")
def audience_export_job(request, job_id):
    """A background audience export's progress (htmx polls it until the file is ready)."""
    job = _job(request, job_id)
    return export_pages.progress(
        request,
        job,
        "workspaces/audience/export_job.html",
        download_url=ws_url(request, "audience_export_download", job.pk),
        back_url=ws_url(request, "audience"),
    )


@require_GET
@workspace_view("ws.view_audience")
def audience_export_download(request, job_id):
    return export_pages.download(_job(request, job_id))
