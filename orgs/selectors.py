"""Reads that views, templates and commands share."""

from workspaces.models import Workspace

from . import permissions
from .models import Organization

# Where user_orgs() keeps its answer on the user: (the access it was read for, the orgs).
_ORGS_ATTR = "_flowadmin_orgs"


def user_orgs(user):
    """The orgs the user belongs to, with their access (ordered by name; each org's SSO
    settings loaded): one query, read once for the user's loaded access (so the org a page is
    under and the org switcher share it; a new access, after forget_access, reads them anew)."""
    access = permissions.all_access(user)
    if not access:
        return []
    cached = getattr(user, _ORGS_ATTR, None)
    if cached is not None and cached[0] is access:
        return cached[1]
    orgs = [
        (org, access[org.pk])
        for org in Organization.objects.select_related("sso").filter(pk__in=access).order_by("name")
    ]
    setattr(user, _ORGS_ATTR, (access, orgs))
    return orgs


def visible_workspaces(user, org):
    """The workspaces of `org` the user can see and enter: all of them for an Org Admin."""
    access = permissions.org_access(user, org)
    qs = Workspace.objects.filter(org=org).order_by("name")
    if access.sees_every_workspace:
        return qs
    if not access.is_member:
        return qs.none()
    return qs.filter(pk__in=access.workspace_ids)


def home_listing(user):
    """[(org, org_access, [(workspace, workspace_access), ...]), ...] in two queries."""
    orgs = user_orgs(user)
    if not orgs:
        return []
    by_org = {org.pk: [] for org, _ in orgs}
    access = permissions.all_access(user)
    for ws in Workspace.objects.filter(org__in=by_org).order_by("name"):
        ws_access = access[ws.org_id].workspace(ws.pk)
        if ws_access:
            by_org[ws.org_id].append((ws, ws_access))
    return [(org, org_acc, by_org[org.pk]) for org, org_acc in orgs]
