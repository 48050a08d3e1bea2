"""Resolve org → workspace from the URL and check a capability, answering as orgs.decorators
does (SPEC §3.3): anonymous → 302 to login; not a member of the org, no such workspace or no
access to it → 404; two-factor required but missing → 302 to enrol; lacking the capability →
403 naming the role or flag that would allow it.

The view receives `request.org`, `request.org_access`, `request.workspace` and
`request.workspace_access`.
"""

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.http import Http404

from orgs.decorators import entry_gate, member_access, require, resolve_org

from .selectors.opened import workspace_by_slugs


def workspace_view(capability="ws.view"):
    """For views under /orgs/<org_slug>/w/<ws_slug>/ ."""

    def decorator(view):
        @wraps(view)
        def wrapper(request, org_slug, ws_slug, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            workspace = workspace_by_slugs(org_slug, ws_slug)
            if workspace is None:
                # Tell "no such org / not a member" and "no such workspace" apart only for members.
                resolve_org(request, org_slug)
                raise Http404("No workspace here that you can see.")
            access = member_access(request, workspace.org_id)
            ws_access = access.workspace(workspace.pk)
            if ws_access is None:
                raise Http404("No workspace here that you can see.")
            request.org, request.org_access = workspace.org, access
            request.workspace, request.workspace_access = workspace, ws_access
            if (turned_away := entry_gate(request, workspace.org)) is not None:
                return turned_away
            require(request, capability, workspace)
            return view(request, *args, **kwargs)

        return wrapper

    return decorator
