"""Writes to workspaces and workspace memberships (atomic; actor keyword-only)."""

import secrets

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import IntegrityError, transaction

from orgs import permissions
from orgs.errors import ServiceError
from orgs.services import apply_grant, require_member, unique_slug

from .models import Flow, FlowStatus, Scan, Workspace, WorkspaceMembership


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


# --- flows ---------------------------------------------------------------------------------

SHORT_CODE_BYTES = 6  # 48 random bits → 8 URL-safe characters
SHORT_CODE_ATTEMPTS = 5

http_url = URLValidator(schemes=["http", "https"], message="Enter a full http:// or https:// URL.")


def new_short_code() -> str:
    """A random, URL-safe short code ([A-Za-z0-9_-], 8 characters, 2^48 possibilities)."""
    return secrets.token_urlsafe(SHORT_CODE_BYTES)


def _clean_flow_fields(name, destination_url, status):
    name = (name or "").strip()
    if not name:
        raise ServiceError("A flow needs a name.")
    destination_url = (destination_url or "").strip()
    try:
        http_url(destination_url)
    except ValidationError:
        raise ServiceError(
            "The destination must be a full http:// or https:// URL.", code="bad_destination"
        ) from None
    if status not in FlowStatus.values:
        raise ServiceError(f"Unknown flow status {status!r}: use active or paused.")
    return name, destination_url, status


@transaction.atomic
def flow_create(
    *, actor, workspace, name: str, destination_url: str, status: str = FlowStatus.ACTIVE
) -> Flow:
    """A new flow with a fresh short code; retried with another code on the (rare) collision."""
    name, destination_url, status = _clean_flow_fields(name, destination_url, status)
    created_by = actor if getattr(actor, "is_authenticated", False) else None
    for _attempt in range(SHORT_CODE_ATTEMPTS):
        flow = Flow(
            workspace=workspace,
            name=name,
            destination_url=destination_url,
            status=status,
            short_code=new_short_code(),
            created_by=created_by,
        )
        try:
            with transaction.atomic():  # a savepoint: a collision leaves the outer one usable
                flow.save(force_insert=True)
        except IntegrityError:
            if not Flow.objects.filter(short_code=flow.short_code).exists():
                raise
            continue
        return flow
    raise ServiceError("Could not find a free short code; please try again.")


@transaction.atomic
def flow_update(
    *,
    actor,
    flow: Flow,
    name: str | None = None,
    destination_url: str | None = None,
    status: str | None = None,
) -> Flow:
    """Change a flow's name, destination or status (its short code never changes)."""
    name, destination_url, status = _clean_flow_fields(
        flow.name if name is None else name,
        flow.destination_url if destination_url is None else destination_url,
        flow.status if status is None else status,
    )
    changed = [
        field
        for field, value in [
            ("name", name),
            ("destination_url", destination_url),
            ("status", status),
        ]
        if getattr(flow, field) != value
    ]
    if changed:
        flow.name, flow.destination_url, flow.status = name, destination_url, status
        flow.save(update_fields=[*changed, "updated_at"])
    return flow


@transaction.atomic
def flow_delete(*, actor, flow: Flow) -> None:
    """Delete a flow with its scans; audience contacts keep existing without a source flow."""
    flow.delete()


# --- scans (the public hot path) -------------------------------------------------------------


def scan_record(*, flow_id: int, workspace_id: int, country: str = "", device: str) -> Scan:
    """Record one scan of a flow's QR code: a single INSERT, no transaction of its own and no
    actor (scans are anonymous and not activity-log entries)."""
    return Scan.objects.create(
        flow_id=flow_id, workspace_id=workspace_id, country=country, device=device
    )
