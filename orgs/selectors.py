"""Reads that views, templates and commands share."""

from workspaces.models import Workspace

from . import permissions
from .models import Organization


def user_orgs(user):
    """The orgs the user belongs to, with their access (ordered by name)."""
    access = permissions.all_access(user)
    if not access:
        return []
    return [
        (org, access[org.pk]) for org in Organization.objects.filter(pk__in=access).order_by("name")
    ]


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
