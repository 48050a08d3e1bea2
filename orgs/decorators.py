"""Resolve the org from the URL and check a capability, answering exactly as SPEC §3.3:
anonymous → 302 to login; not a member (or no such org) → 404; a member of an org
that requires two-factor authentication without it → 302 to enrol (orgs.two_factor); member
lacking the capability → 403 naming the role or flag that would allow it.

The view receives the resolved objects on the request: `request.org` and `request.org_access`
(workspaces.decorators.workspace_view adds `request.workspace` and `request.workspace_access`).
"""

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404

from . import permissions, selectors, two_factor
from . import sso as sso_reads


class CapabilityDenied(PermissionDenied):
    """A refusal the 403 page can explain."""

    def __init__(self, capability: str):
        self.capability = capability
        super().__init__(permissions.requirement(capability))


def require(request, capability: str, obj) -> None:
    """Raise CapabilityDenied unless the request's user may `capability` on obj."""
    if not request.user.has_perm(capability, obj):
        raise CapabilityDenied(capability)


# One sentence for "no such org", "not a member" and "a workspace of an org you are not in": a
# non-member learns nothing about which orgs or workspaces exist.
NOT_A_MEMBER = "No organization here that you are a member of."


def member_access(request, org_id):
    """The request user's OrgAccess in org `org_id`; Http404 (NOT_A_MEMBER) if none."""
    access = permissions.org_access(request.user, org_id) if org_id else None
    if access is None or not access.is_member:
        raise Http404(NOT_A_MEMBER)
    return access


def resolve_org(request, org_slug):
    """The org of `org_slug`, with `request.org` and `request.org_access` set; Http404 unless the
    request user is a member. Read among the user's orgs (selectors.user_orgs: one query, which
    the org switcher then reuses): an org the user is not in is not read at all."""
    org = next((org for org, _ in selectors.user_orgs(request.user) if org.slug == org_slug), None)
    access = member_access(request, org.pk if org else None)
    request.org, request.org_access = org, access
    return org


def entry_gate(request, org):
    """None when the request's session may go on into `org` (a member's); else where to send
    it: to the login page when the org's enforced SSO does not admit this session
    (orgs.sso.session_gate, which ends it), or to enrol in two-factor authentication when the
    org requires it (orgs.two_factor.gate). Checked on every request, so sessions opened
    before the org changed either setting are held to it from their next request."""
    return sso_reads.session_gate(request, org) or two_factor.gate(request, org)


def org_view(capability="org.view_console"):
    """For views under /orgs/<org_slug>/ ."""

    def decorator(view):
        @wraps(view)
        def wrapper(request, org_slug, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            org = resolve_org(request, org_slug)
            if (turned_away := entry_gate(request, org)) is not None:
                return turned_away
            require(request, capability, org)
            return view(request, *args, **kwargs)

        return wrapper

    return decorator
