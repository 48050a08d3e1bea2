"""Deleting whole organizations and user accounts — the writes that span orgs and workspaces,
so they sit above both apps' services (like orgs.invitations) and call them: the last-admin
rule, the cascades and the activity log are the console's."""

from __future__ import annotations

from audit.context import service
from workspaces.models import Workspace
from workspaces.services import workspace_delete

from . import avatars, services
from .models import Organization, OrgMembership, Team, User


@service
def org_delete(*, actor, org: Organization) -> None:
    """Delete an org with everything in it: each workspace through workspace_delete (its
    content and stored files), each team through team_delete, then the org with its members,
    invitations, domains, SSO and integrations. The org's avatar file is removed once the
    deletion commits. (No last-admin check: the org itself goes.)"""
    for workspace in Workspace.objects.filter(org=org).order_by("pk"):
        workspace_delete(actor=actor, workspace=workspace)
    for team in Team.objects.filter(org=org).order_by("pk"):
        services.team_delete(actor=actor, team=team)
    avatars.replace_avatar(org, remove=True)  # the file goes once the deletion commits
    org.delete()


@service
def users_delete(*, actor, users) -> int:
    """Delete user accounts, each first removed from every org through member_remove (so the
    last-admin rule, the cascades and the log are the console's). All or nothing: if any
    removal is refused — e.g. the batch holds every admin of an org — nothing changes and the
    ServiceError says why. Returns how many accounts were deleted."""
    users = list(users)
    memberships = (
        OrgMembership.objects.filter(user__in=users)
        .select_related("org", "user")
        .order_by("org_id", "user_id")
    )
    for membership in memberships:
        services.member_remove(actor=actor, org=membership.org, user=membership.user)
    for user in users:
        User.objects.filter(pk=user.pk).delete()
    return len(users)
