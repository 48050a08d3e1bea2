"""The console's Workspaces page: every workspace of the org, create, delete."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect
from django.template.defaultfilters import pluralize
from django.urls import reverse
from django.utils.html import format_html
from django.views.decorators.http import require_http_methods

from flowadmin.htmx import paginate, render_page, wants_partial
from workspaces import services as workspace_services
from workspaces.models import Workspace
from workspaces.selectors.stats import workspace_contents, workspaces_with_counts

from .. import impact, previews, selectors
from ..decorators import org_view, require
from ..errors import ServiceError
from ..forms import ConfirmForm, WorkspaceCreateForm


@require_http_methods(["GET", "POST"])
@org_view("org.view_console")
def workspace_list(request):
    org = request.org
    if request.method == "POST":
        require(request, "org.manage_workspaces", org)
        form = WorkspaceCreateForm(request.POST, org=org)
        if form.is_valid():
            try:
                workspace = workspace_services.workspace_create(
                    actor=request.user,
                    org=org,
                    name=form.cleaned_data["name"],
                    slug=form.cleaned_data["slug"] or None,
                    description=form.cleaned_data["description"],
                )
            except ServiceError as error:
                form.add_error("name" if error.code == "duplicate_name" else None, error)
            else:
                messages.success(request, f"Workspace {workspace.name} created.")
                return redirect("orgs:workspaces", org_slug=org.slug)
        form.suggest_slug(request.POST.get("name", ""))
    else:
        form = WorkspaceCreateForm(org=org)
        if wants_partial(request) and request.GET.get("suggest_slug"):
            # The slug suggestion while the name is typed (the typed slug is kept).
            form = WorkspaceCreateForm(org=org, initial={"slug": request.GET.get("slug", "")})
            form.suggest_slug(request.GET.get("name", ""))
            return render_page(
                request, "orgs/workspaces.html", {"form": form}, partial="slug_field"
            )
    context = {
        "form": form,
        "page": paginate(request, workspaces_with_counts(org).order_by("name", "pk")),
    }
    return render_page(request, "orgs/workspaces.html", context, refused=form.errors)


@require_http_methods(["GET", "POST"])
@org_view("org.manage_workspaces")
def workspace_delete(request, workspace_id):
    workspace = get_object_or_404(Workspace, pk=workspace_id, org=request.org)
    form = ConfirmForm(request.POST or None, expected=workspace.slug)
    if request.method == "POST" and form.is_valid():
        workspace_services.workspace_delete(actor=request.user, workspace=workspace)
        messages.success(request, f"Workspace {workspace.name} deleted.")
        return redirect("orgs:workspaces", org_slug=request.org.slug)
    back = reverse("orgs:workspaces", args=[request.org.slug])
    context = {
        "standalone": True,
        "back_url": back,
        "back_label": "Workspaces",
        "title": f"Delete the workspace {workspace.name}?",
        "message": "This deletes, for good:",
        "consequences": _deleted_with(request.org, workspace),
        "preview": previews.impact_preview(request.org, impact.DeleteWorkspace(workspace.pk)),
        "note": "There is no undo. Export the audience first if you need it.",
        "form": form,
        "button": f"Delete {workspace.name}",
        "cancel": back,
    }
    return render_page(request, "orgs/confirm.html", context, refused=form.errors)


def _deleted_with(org, workspace) -> list[str]:
    """What deleting `workspace` deletes with it, one line each (the confirmation's list)."""
    counts = workspace_contents(workspace)

    def n(key, noun):  # "3 flows", "1 flow"
        return f"{counts[key]} {noun}{pluralize(counts[key])}"

    lines = [
        f"the access of {n('members', 'direct member')} and {n('teams', 'team')} (the people "
        f"stay in {org.name})",
        f"{n('flows', 'flow')} with {n('scans', 'recorded scan')} — their QR codes and short "
        "links stop working",
        f"{n('templates', 'flow template')}, {n('assets', 'asset')} and "
        f"{n('brand_kits', 'brand kit')}",
        n("audience", "audience contact"),
    ]
    # Its own domains go through domain_remove: SSO stops covering these.
    lines += [
        format_html(
            "single sign-on stops covering <code>{}</code>, one of the domains the workspace added",
            hostname,
        )
        for hostname in selectors.sso_covered_hostnames(workspace)
    ]
    lines.append(
        f"{n('integrations', 'workspace integration')} with their stored credentials, and "
        f"{n('domains', 'domain')} the workspace added"
    )
    return lines
