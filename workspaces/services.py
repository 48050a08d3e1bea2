"""Writes to workspaces and workspace memberships (atomic; actor keyword-only)."""

from django.db import transaction

from orgs import permissions
from orgs.errors import ServiceError
from orgs.services import apply_grant, require_member, unique_slug

from .models import Asset, BrandKit, Workspace, WorkspaceMembership


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
def workspace_delete(*, actor, workspace) -> None:
    """Delete a workspace with everything in it: memberships, team access, flows and their
    scans, templates, assets, brand kits, audience, its own domains and integrations. Stored
    files (assets, logos, avatar) are removed once the deletion is committed."""
    storage_files = [
        (field.storage, field.name)
        for obj, attr in [
            *((a, "file") for a in Asset.objects.filter(workspace=workspace).only("file")),
            *((b, "logo") for b in BrandKit.objects.filter(workspace=workspace).only("logo")),
            (workspace, "avatar"),
        ]
        if (field := getattr(obj, attr))
    ]
    workspace.delete()

    def delete_files():
        for storage, name in storage_files:
            storage.delete(name)

    transaction.on_commit(delete_files)


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
