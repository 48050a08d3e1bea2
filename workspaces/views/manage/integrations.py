"""Manage → Integrations: install catalog apps for this workspace only, configure them (secrets
encrypted at rest, never shown back), enable/disable, uninstall. Org-wide installations are shown
read-only: Org Admins manage them in the org settings."""

from django.contrib import messages
from django.http import Http404, HttpResponseBadRequest
from django.shortcuts import get_object_or_404
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from flowadmin.htmx import redirect_after_post
from orgs import services as org_services
from orgs.errors import ServiceError
from orgs.forms import IntegrationSettingsForm
from orgs.integrations import get_app
from orgs.models import IntegrationInstallation
from workspaces.decorators import workspace_view
from workspaces.selectors import manage as selectors

from . import manage_url, render_confirm, render_manage


@require_GET
@workspace_view("ws.manage")
def integrations(request):
    return render_manage(
        request,
        "workspaces/manage/integrations.html",
        {"cards": selectors.integration_cards(request.workspace)},
        tab="integrations",
    )


def _installation(request, installation_id):
    """This workspace's installation (org-wide ones and other workspaces' are a 404 here)."""
    return get_object_or_404(
        IntegrationInstallation, pk=installation_id, workspace=request.workspace
    )


def _settings_page(request, form, *, title, installation=None, refused=False):
    return render_manage(
        request,
        "workspaces/manage/integration_form.html",
        {"form": form, "app": form.app, "installation": installation, "title": title},
        tab="integrations",
        refused=refused,
    )


@sensitive_post_parameters()
@require_http_methods(["GET", "POST"])
@workspace_view("ws.manage")
def integration_install(request, app_key):
    app = get_app(app_key)
    if app is None:
        raise Http404("No such app in the catalog.")
    form = IntegrationSettingsForm(app, request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            org_services.integration_install(
                actor=request.user,
                org=request.org,
                app_key=app.key,
                values=form.cleaned_data,
                workspace=request.workspace,
            )
        except ServiceError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"Installed {app.name} for {request.workspace.name}.")
            return redirect_after_post(request, manage_url(request, "integrations"))
    return _settings_page(
        request,
        form,
        title=f"Install {app.name} for {request.workspace.name}",
        refused=form.errors,
    )


@sensitive_post_parameters()
@require_http_methods(["GET", "POST"])
@workspace_view("ws.manage")
def integration_configure(request, installation_id):
    installation = _installation(request, installation_id)
    app = installation.catalog_app
    if app is None:
        raise Http404("This app is no longer in the catalog.")
    form = IntegrationSettingsForm(
        app, request.POST if request.method == "POST" else None, installation=installation
    )
    if request.method == "POST" and form.is_valid():
        try:
            org_services.integration_update(
                actor=request.user, installation=installation, values=form.cleaned_data
            )
        except ServiceError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"Saved the {app.name} settings.")
            return redirect_after_post(request, manage_url(request, "integrations"))
    return _settings_page(
        request,
        form,
        title=f"{app.name} settings",
        installation=installation,
        refused=form.errors,
    )


@require_POST
@workspace_view("ws.manage")
def integration_enabled(request, installation_id):
    installation = _installation(request, installation_id)
    if request.POST.get("enabled") not in ("0", "1"):
        return HttpResponseBadRequest("Send enabled=1 or enabled=0.")
    enabled = request.POST["enabled"] == "1"
    org_services.integration_set_enabled(
        actor=request.user, installation=installation, enabled=enabled
    )
    if request.htmx and installation.catalog_app is not None:
        return render_manage(
            request,
            "workspaces/manage/integrations.html#app_card",
            {"card": selectors.integration_cards(request.workspace, only=installation.app)[0]},
            tab="integrations",
        )
    name = installation.catalog_app.name if installation.catalog_app else installation.app
    messages.success(request, f"{name} is {'enabled' if enabled else 'disabled'}.")
    return redirect_after_post(request, manage_url(request, "integrations"))


@require_http_methods(["GET", "POST"])
@workspace_view("ws.manage")
def integration_uninstall(request, installation_id):
    installation = _installation(request, installation_id)
    name = installation.catalog_app.name if installation.catalog_app else installation.app
    if request.method == "POST":
        org_services.integration_uninstall(actor=request.user, installation=installation)
        messages.success(request, f"Uninstalled {name} from {request.workspace.name}.")
        return redirect_after_post(request, manage_url(request, "integrations"))
    return render_confirm(
        request,
        tab="integrations",
        title=f"Uninstall {name} from {request.workspace.name}?",
        message=(
            f"The settings and stored credentials of {name} in {request.workspace.name} are "
            "deleted. You can install it again later."
        ),
        action=manage_url(request, "integration_uninstall", installation.pk),
        button="Uninstall",
    )
