"""Flows: list, create, detail, edit, delete, and their QR codes (SVG and PNG)."""

import io

import segno
from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.defaultfilters import pluralize
from django.utils.html import format_html
from django.utils.http import content_disposition_header
from django.utils.safestring import mark_safe
from django.utils.text import slugify
from django.views.decorators.http import require_GET, require_http_methods

from flowadmin import params
from flowadmin.htmx import paginate, partial_or_page, render_page
from orgs.errors import GoneError, ServiceError, StaleError
from workspaces.decorators import workspace_view

from .. import charts, selectors, services
from ..forms.flows import FlowEditForm, FlowFilterForm, FlowForm, PeriodForm
from ..models import Flow, FlowTemplate
from ._content import ws_url

PAGE_SIZE = 25


def get_flow(request, flow_id) -> Flow:
    """A flow of the current workspace (another workspace's or org's id → 404)."""
    flow = get_object_or_404(
        Flow.objects.select_related("created_by"), pk=flow_id, workspace=request.workspace
    )
    flow.workspace = request.workspace  # already loaded with its whitelabel domain
    return flow


@require_GET
@workspace_view("ws.view")
def workspace_home(request):
    """The workspace's front page is its flows."""
    return redirect(ws_url(request, "flow_list"))


@require_GET
@workspace_view("ws.view")
def flow_list(request):
    filters = FlowFilterForm(request.GET)
    flows = selectors.flow_listing(request.workspace, **filters.filters())
    page = paginate(request, flows, PAGE_SIZE)
    for flow in page.object_list:
        flow.workspace = request.workspace  # short links without a query per row
    context = {"filters": filters, "page": page, "filtered": any(filters.filters().values())}
    template = partial_or_page(request, "workspaces/flows/list.html", "results")
    return render(request, template, context)


def _template_initial(request) -> dict:
    """Prefill a new flow from one of the workspace's flow templates (`?template=<id>`)."""
    template_id = params.integer(request.GET, "template")
    if template_id is None:
        return {}
    template = FlowTemplate.objects.filter(pk=template_id, workspace=request.workspace).first()
    if template is None:
        return {}
    return {"name": template.name, "destination_url": template.default_destination}


@require_http_methods(["GET", "POST"])
@workspace_view("ws.manage_flows")
def flow_create(request):
    if request.method == "POST":
        form = FlowForm(request.POST)
        if form.is_valid():
            try:
                flow = services.flow_create(
                    actor=request.user, workspace=request.workspace, **form.cleaned_data
                )
            except ServiceError as error:
                form.add_error(None, error)
            else:
                messages.success(request, f"Flow “{flow.name}” created: {flow.short_link}")
                return redirect(ws_url(request, "flow_detail", flow.pk))
    else:
        form = FlowForm(initial=_template_initial(request))
    context = {"form": form, "flow": None}
    return render_page(request, "workspaces/flows/form.html", context, refused=form.errors)


@require_GET
@workspace_view("ws.view")
def flow_detail(request, flow_id):
    flow = get_flow(request, flow_id)
    period_form = PeriodForm(request.GET)
    period = selectors.Period.last(period_form.chosen_days)
    analytics = selectors.scan_analytics(selectors.flow_scans(flow), period, breakdowns=False)
    context = {
        "flow": flow,
        "period_form": period_form,
        "analytics": analytics,
        "chart": charts.bar_chart(analytics.daily),
        "all_time_scans": flow.scans.count(),
    }
    template = partial_or_page(request, "workspaces/flows/detail.html", "scans")
    return render(request, template, context)


@require_http_methods(["GET", "POST"])
@workspace_view("ws.manage_flows")
def flow_edit(request, flow_id):
    flow = get_flow(request, flow_id)
    form = FlowEditForm.for_flow(flow, request.POST if request.method == "POST" else None)
    if form.is_bound and form.is_valid():
        try:
            flow = services.flow_update(actor=request.user, flow=flow, **form.cleaned_data)
        except GoneError as error:
            raise Http404(error.text) from None
        except StaleError as error:
            form.add_error(None, error)
            form.show_current_version(error.current)
        except ServiceError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"Flow “{flow.name}” saved.")
            return redirect(ws_url(request, "flow_detail", flow.pk))
    context = {"form": form, "flow": flow}
    return render_page(request, "workspaces/flows/form.html", context, refused=form.errors)


@require_http_methods(["GET", "POST"])
@workspace_view("ws.manage_flows")
def flow_delete(request, flow_id):
    flow = get_flow(request, flow_id)
    if request.method == "POST":
        try:
            services.flow_delete(actor=request.user, flow=flow)
        except GoneError as error:
            raise Http404(error.text) from None
        messages.success(request, f"Flow “{flow.name}” deleted; its short link now answers 404.")
        return redirect(ws_url(request, "flow_list"))
    scans = flow.scans.count()
    context = {
        "title": f"Delete flow “{flow.name}”?",
        "consequences": [
            format_html(
                "Its short link <code>{}</code> will answer 404, so every printed copy of its QR "
                "code stops working.",
                flow.short_link,
            ),
            f"Its {scans} recorded scan{pluralize(scans)} will be deleted with it. Audience "
            "contacts it collected are kept.",
        ],
        "note": mark_safe(
            "<strong>This cannot be undone.</strong> To stop the link for a while instead, pause "
            "the flow."
        ),
        "button": "Delete flow",
        "cancel": ws_url(request, "flow_detail", flow.pk),
    }
    return render(request, "workspaces/confirm.html", context)


# --- QR codes ------------------------------------------------------------------------------

QR_ERROR_LEVEL = "m"  # survives ~15% damage: fine for print
QR_SVG_SCALE = 8
QR_PNG_SCALE = 12
QR_BORDER = 4  # the quiet zone the QR standard asks for


def flow_qr(flow: Flow) -> segno.QRCode:
    return segno.make(flow.short_link, error=QR_ERROR_LEVEL, micro=False)


def _qr_response(request, flow, content: bytes, content_type: str, extension: str):
    response = HttpResponse(content, content_type=content_type)
    filename = f"{slugify(flow.name) or 'flow'}-qr.{extension}"
    as_attachment = request.GET.get("download") == "1"
    response["Content-Disposition"] = content_disposition_header(as_attachment, filename)
    response["Cache-Control"] = "private, no-cache"
    return response


@require_GET
@workspace_view("ws.view")
def flow_qr_svg(request, flow_id):
    flow = get_flow(request, flow_id)
    buffer = io.BytesIO()
    flow_qr(flow).save(
        buffer,
        kind="svg",
        scale=QR_SVG_SCALE,
        border=QR_BORDER,
        title=f"QR code for {flow.short_link}",
        dark="#000",
        light="#fff",
    )
    return _qr_response(request, flow, buffer.getvalue(), "image/svg+xml", "svg")


@require_GET
@workspace_view("ws.view")
def flow_qr_png(request, flow_id):
    flow = get_flow(request, flow_id)
    buffer = io.BytesIO()
    flow_qr(flow).save(buffer, kind="png", scale=QR_PNG_SCALE, border=QR_BORDER)
    return _qr_response(request, flow, buffer.getvalue(), "image/png", "png")
