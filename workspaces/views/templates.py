"""Flow templates: list, create, detail, edit, delete (SPEC §3.2: seen by every member,
written with ws.manage_flows)."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from flowadmin.htmx import paginate, partial_or_page, render_page
from orgs.errors import ServiceError
from workspaces.decorators import workspace_view

from ..forms.content import FlowTemplateForm
from ..models import FlowTemplate
from ..selectors import content as content_selectors
from ..services import content as content_services
from ._content import PER_PAGE, confirm_delete, ws_url

LIST = "workspaces/flow_templates/list.html"


def _template(request, template_id) -> FlowTemplate:
    return get_object_or_404(FlowTemplate, pk=template_id, workspace=request.workspace)


@require_GET
@workspace_view("ws.view")
def template_list(request):
    page = paginate(request, content_selectors.flow_templates(request.workspace), PER_PAGE)
    return render(request, partial_or_page(request, LIST, "results"), {"page": page})


@require_http_methods(["GET", "POST"])
@workspace_view("ws.manage_flows")
def template_new(request):
    form = FlowTemplateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            template = content_services.flow_template_create(
                actor=request.user, workspace=request.workspace, **form.cleaned_data
            )
        except ServiceError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"Template “{template.name}” created.")
            return redirect(ws_url(request, "template_detail", template.pk))
    return render_page(
        request, "workspaces/flow_templates/form.html", {"form": form}, refused=form.errors
    )


@require_GET
@workspace_view("ws.view")
def template_detail(request, template_id):
    template = _template(request, template_id)
    return render(request, "workspaces/flow_templates/detail.html", {"template": template})


@require_http_methods(["GET", "POST"])
@workspace_view("ws.manage_flows")
def template_edit(request, template_id):
    template = _template(request, template_id)
    form = FlowTemplateForm.for_template(template, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            content_services.flow_template_update(
                actor=request.user, template=template, **form.cleaned_data
            )
        except ServiceError as error:
            form.add_error(None, error)
            template.refresh_from_db()
        else:
            messages.success(request, f"Template “{template.name}” saved.")
            return redirect(ws_url(request, "template_detail", template.pk))
    context = {"form": form, "template": template}
    return render_page(request, "workspaces/flow_templates/form.html", context, refused=form.errors)


@require_http_methods(["GET", "POST"])
@workspace_view("ws.manage_flows")
def template_delete(request, template_id):
    template = _template(request, template_id)
    if request.method == "POST":
        content_services.flow_template_delete(actor=request.user, template=template)
        messages.success(request, f"Template “{template.name}” deleted.")
        return redirect(ws_url(request, "template_list"))
    return confirm_delete(
        request,
        template,
        kind="flow template",
        consequence="Flows already made from it keep their settings.",
        cancel=ws_url(request, "template_detail", template.pk),
    )
