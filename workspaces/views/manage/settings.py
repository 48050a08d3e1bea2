"""Manage → Settings: the workspace's name, slug, description and avatar."""

from django.contrib import messages
from django.views.decorators.http import require_http_methods

from flowadmin.htmx import redirect_after_post
from orgs.errors import ServiceError
from workspaces import services
from workspaces.decorators import workspace_view
from workspaces.forms.manage import WorkspaceSettingsForm

from . import manage_url, render_manage


@require_http_methods(["GET", "POST"])
@workspace_view("ws.manage")
def settings(request):
    ws = request.workspace
    form = WorkspaceSettingsForm(
        *((request.POST, request.FILES) if request.method == "POST" else ()), workspace=ws
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.workspace_update(
                actor=request.user,
                workspace=ws,
                name=data["name"],
                slug=data["slug"],
                description=data["description"],
                avatar=data["avatar"],
                remove_avatar=data.get("remove_avatar", False),
            )
        except ServiceError as error:
            field = {"duplicate_name": "name", "name_required": "name"}.get(error.code)
            if error.code and "slug" in error.code:
                field = "slug"
            form.add_error(field, error)
            ws.refresh_from_db()
        else:
            messages.success(request, f"Saved the settings of {ws.name}.")
            # The slug may have changed: the new address of this page.
            return redirect_after_post(request, manage_url(request, "settings"))
    return render_manage(
        request,
        "workspaces/manage/settings.html",
        {"form": form},
        tab="settings",
        refused=form.errors,
    )
