"""The workspace Manage page (SPEC §3.2, §4): Members, Teams, Domains, Integrations and
Settings, each a page of its own under /orgs/<org>/w/<ws>/manage/, for Workspace Admins (and Org
Admins). Every view is guarded by `@workspace_view("ws.manage")` and looks objects up inside
`request.workspace`, so an id of another workspace or org is a 404."""

from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_GET

from flowadmin.htmx import came_from, in_main, redirect_after_post, render_page
from flowadmin.nav_urls import MANAGE_PAGES, nav_url
from orgs import permissions
from workspaces.decorators import workspace_view

MANAGE_TABS = [
    ("members", "Members"),
    ("teams", "Teams"),
    ("domains", "Domains"),
    ("integrations", "Integrations"),
    ("settings", "Settings"),
]


def manage_url(request, name: str, *args) -> str:
    """reverse("workspaces:manage_<name>") for the request's workspace (and `args`); a tab's
    or the add-a-member page's URL is reversed once per process (nav_url), not per link."""
    viewname = f"workspaces:manage_{name}"
    if not args and viewname in MANAGE_PAGES:
        return nav_url(viewname, request.org.slug, request.workspace.slug)
    return reverse(viewname, args=[request.org.slug, request.workspace.slug, *args])


def render_manage(request, template, context=None, *, tab, partial=None, refused=False):
    """Render a Manage page (or only its `partial` for htmx) with the layout's context;
    `refused`: it shows a form it refused (`flowadmin.htmx.render_page`)."""
    context = {
        "ws": request.workspace,
        "org": request.org,
        "tab": tab,
        "manage_tabs": [(name, label, manage_url(request, name)) for name, label in MANAGE_TABS],
        **(context or {}),
    }
    return render_page(request, template, context, partial=partial, refused=refused)


def render_confirm(request, *, tab, title, message, action, button, fields=None, preview=None):
    """The confirmation step of a removal or a lowered role (a page, so it works without JS):
    the button POSTs to `action` with `fields` (name → value, hidden), Cancel goes back to the
    page it came from (the tab's page). `preview`: who loses what (orgs.previews). Asked by an
    htmx in-place save, the page replaces the main content."""
    response = render_manage(
        request,
        "workspaces/manage/confirm.html",
        {
            "title": title,
            "message": message,
            "action": action,
            "button": button,
            "fields": fields or {},
            "cancel": came_from(request, manage_url(request, tab)),
            "preview": preview,
        },
        tab=tab,
    )
    return in_main(request, response)


def left_manage(request, user) -> bool:
    """After a change to `user`'s access: True when it was the acting user's own access and
    they can no longer manage this workspace (then they are sent home with a message)."""
    if user.pk != request.user.pk:
        return False
    permissions.forget_access(request.user)
    if request.user.has_perm("ws.manage", request.workspace):
        return False
    messages.info(request, f"You are no longer a Workspace Admin of {request.workspace.name}.")
    return True


def saved_row(request, *, lost_manage: bool, name: str, notice: str, row, tab: str):
    """How a saved Manage row answers: home when the acting admin can no longer manage the
    workspace (`lost_manage`, from left_manage), else the row again with `notice` for htmx
    (`row(notice)` renders it), else the `tab` page with "`name`: `notice`" as a message."""
    if lost_manage:
        return redirect_after_post(request, reverse("home"))
    if request.htmx:
        return row(notice)
    messages.success(request, f"{name}: {notice}")
    return redirect(manage_url(request, tab))


@require_GET
@workspace_view("ws.manage")
def index(request):
    return redirect(manage_url(request, "members"))
