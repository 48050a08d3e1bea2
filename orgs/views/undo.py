"""POST /orgs/<org>/undo/: undo a removal offered by orgs.undo (a team member, a team's access
to a workspace, a member's direct access). The row comes back through the service that adds
it — a new, logged change — if the person may still make that change (the policy decides),
and the page they came from (`next`) shows what happened."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from workspaces import services as workspace_services
from workspaces.models import Workspace

from .. import services, undo
from ..decorators import org_view, require
from ..errors import ServiceError
from ..models import Team, User
from ..roles import WorkspaceRole


def _team(request, data):
    return get_object_or_404(Team, pk=data["team"], org=request.org)


def _workspace(request, data):
    return get_object_or_404(Workspace, pk=data["workspace"], org=request.org)


def _user(request, data):
    return get_object_or_404(User, pk=data["user"], org_memberships__org=request.org)


def _role_label(data) -> str:
    return WorkspaceRole(data["role"]).label


def _restore_team_member(request, data) -> str:
    team, user = _team(request, data), _user(request, data)
    require(request, "org.manage_teams", request.org)
    services.team_member_add(actor=request.user, team=team, user=user, until=undo.end_of(data))
    return f"Undone: {user.email} is back in {team.name}."


def _restore_team_access(request, data) -> str:
    team, workspace = _team(request, data), _workspace(request, data)
    # Given from the team's page (Org Admins) or the workspace's Manage → Teams.
    if not request.user.has_perm("org.manage_teams", request.org):
        require(request, "ws.manage", workspace)
    workspace_services.team_access_set(
        actor=request.user,
        team=team,
        workspace=workspace,
        role=data["role"],
        flags=data["flags"],
        until=undo.end_of(data),
        refuse_existing=f"{team.name} has access to {workspace.name} again already.",
    )
    return f"Undone: {team.name} has {_role_label(data)} access to {workspace.name} again."


def _restore_workspace_member(request, data) -> str:
    workspace, user = _workspace(request, data), _user(request, data)
    require(request, "ws.manage", workspace)
    # The role and flags exactly as they were (a new or changed role's defaults, then these
    # flags: workspaces.services.apply_grant), whether the grant is gone or was lowered.
    workspace_services.workspace_member_set(
        actor=request.user,
        workspace=workspace,
        user=user,
        role=data["role"],
        flags=data["flags"],
        until=undo.end_of(data),
    )
    return (
        f"Undone: {user.display_name} is {_role_label(data)} of {workspace.name} again, with "
        "the permissions they had."
    )


RESTORE = {
    undo.TEAM_MEMBER: _restore_team_member,
    undo.TEAM_ACCESS: _restore_team_access,
    undo.WORKSPACE_MEMBER: _restore_workspace_member,
}


@require_POST
@org_view("org.view")
def undo_removal(request):
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        back = "home"
    try:
        data = undo.read(request.POST.get("token", ""), org=request.org, actor=request.user)
        done = RESTORE[data["kind"]](request, data)
    except ServiceError as error:
        messages.error(request, error.text)
    else:
        messages.success(request, done)
    return redirect(back)
