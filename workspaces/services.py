"""Writes to workspaces and workspace memberships (atomic; actor keyword-only)."""

from django.db import transaction

from orgs import permissions
from orgs.errors import ServiceError
from orgs.services import apply_grant, require_member, unique_slug

from .models import Workspace, WorkspaceMembership


@transaction.atomic
def workspace_create(
    *, actor, org, name: str, slug: str | None = None, description: str = ""
) -> Workspace:
    name = name.strip()
    if not name:
        raise ServiceError("A workspace needs a name.")
    slug = slug or unique_slug(Workspace.objects.filter(org=org), name)
    if Workspace.objects.filter(org=org, slug=slug).exists():
        raise ServiceError(f"{org.name} already has a workspace with the slug {slug!r}.")
    return Workspace.objects.create(org=org, name=name, slug=slug, description=description)


@transaction.atomic
def workspace_member_set(
    *, actor, workspace, user, role: str | None = None, flags: dict | None = None
) -> WorkspaceMembership:
    """Add `user` to the workspace or change their role and flags (SPEC §3.2 defaults)."""
    require_member(workspace.org, user)
    membership = (
        WorkspaceMembership.objects.select_for_update()
        .filter(workspace=workspace, user=user)
        .first()
    )
    if membership is None:
        if role is None:
            raise ServiceError(f"Choose a role for {user.email} in {workspace.name}.")
        membership = WorkspaceMembership(workspace=workspace, user=user)
    if apply_grant(membership, role, flags) or membership.pk is None:
        membership.save()
    permissions.forget_access(user)
    return membership


@transaction.atomic
def workspace_member_remove(*, actor, workspace, user) -> None:
    membership = WorkspaceMembership.objects.filter(workspace=workspace, user=user).first()
    if membership is None:
        raise ServiceError(f"{user.email} is not a direct member of {workspace.name}.")
    membership.delete()
    permissions.forget_access(user)


@transaction.atomic
def workspace_access_save(
    *, actor, workspace, user, role: str | None, flags: dict | None = None
) -> WorkspaceMembership | None:
    """Save a member's direct access as submitted from a form showing their current role and
    flags: no role removes the direct membership; a new or changed role re-applies its flag
    defaults (SPEC §3.2) and keeps only the flags the person changed on the form; the same role
    sets the flags as given. Returns the membership, or None when there is none (any more)."""
    membership = (
        WorkspaceMembership.objects.select_for_update()
        .filter(workspace=workspace, user=user)
        .first()
    )
    if not role:
        if membership is not None:
            workspace_member_remove(actor=actor, workspace=workspace, user=user)
        return None
    flags = dict(flags or {})
    if membership is None or membership.role != role:
        shown = membership.flags if membership else dict.fromkeys(permissions.FLAGS, False)
        flags = {flag: value for flag, value in flags.items() if shown.get(flag) != value}
    return workspace_member_set(actor=actor, workspace=workspace, user=user, role=role, flags=flags)
