"""Resolve org → workspace from the URL and check a capability, answering exactly as SPEC §3.3:
anonymous → 302 to login; not a member (or no such org/workspace) → 404; a member of an org
that requires two-factor authentication without it → 302 to enrol (orgs.two_factor); member
lacking the capability → 403 naming the role or flag that would allow it.

The view receives the resolved objects on the request: `request.org`, `request.org_access`
and, for workspace views, `request.workspace` and `request.workspace_access`.
"""

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404

from workspaces.models import Workspace

from . import permissions, two_factor
from .models import Organization


class CapabilityDenied(PermissionDenied):
    """A refusal the 403 page can explain."""

    def __init__(self, capability: str):
        self.capability = capability
        super().__init__(permissions.requirement(capability))


def require(request, capability: str, obj) -> None:
    """Raise CapabilityDenied unless the request's user may `capability` on obj."""
    if not request.user.has_perm(capability, obj):
        raise CapabilityDenied(capability)


def _resolve_org(request, org_slug):
    org = Organization.objects.filter(slug=org_slug).first()
    access = permissions.org_access(request.user, org.pk) if org else None
    if access is None or not access.is_member:
        raise Http404("No organization here that you are a member of.")
    request.org, request.org_access = org, access
    return org


def org_view(capability="org.view_console"):
    """For views under /orgs/<org_slug>/ ."""

    def decorator(view):
        @wraps(view)
        def wrapper(request, org_slug, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            org = _resolve_org(request, org_slug)
            if (enrol := two_factor.gate(request, org)) is not None:
                return enrol
            require(request, capability, org)
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


def workspace_view(capability="ws.view"):
    """For views under /orgs/<org_slug>/w/<ws_slug>/ ."""

    def decorator(view):
        @wraps(view)
        def wrapper(request, org_slug, ws_slug, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            workspace = (
                Workspace.objects.select_related("org", "whitelabel_domain")
                .filter(org__slug=org_slug, slug=ws_slug)
                .first()
            )
            if workspace is None:
                # Tell "no such org / not a member" and "no such workspace" apart only for members.
                _resolve_org(request, org_slug)
                raise Http404("No workspace here that you can see.")
            access = permissions.org_access(request.user, workspace.org_id)
            ws_access = access.workspace(workspace.pk)
            if ws_access is None:
                raise Http404("No workspace here that you can see.")
            request.org, request.org_access = workspace.org, access
            request.workspace, request.workspace_access = workspace, ws_access
            if (enrol := two_factor.gate(request, workspace.org)) is not None:
                return enrol
            require(request, capability, workspace)
            return view(request, *args, **kwargs)

        return wrapper

    return decorator
