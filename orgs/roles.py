"""Role and flag vocabularies. The rules that use them live in orgs.permissions."""

from dataclasses import dataclass

from django.db import models


class OrgRole(models.TextChoices):
    ADMIN = "admin", "Admin"
    USER = "user", "User"


class WorkspaceRole(models.TextChoices):
    # Declared lowest first: the order is the hierarchy (see permissions.ROLE_RANK).
    VIEWER = "viewer", "Viewer"
    EDITOR = "editor", "Editor"
    ADMIN = "admin", "Admin"


# A form's "No access" for a workspace: no grant at all (the profile removes one, the invitation
# gives none), offered before the roles.
NO_ACCESS = ""
WORKSPACE_ROLE_OR_NO_ACCESS = [(NO_ACCESS, "No access"), *WorkspaceRole.choices]


@dataclass(frozen=True)
class Flag:
    """A Fine-Grained Permission: one workspace capability granted to a role below the one that
    has it anyway. Everything about flags is generated from FLAG_DEFINITIONS: the columns of
    WorkspaceMembership and TeamAccess (a new flag needs its migration), the access SQL, the
    capability table (orgs.permissions), the form fields, the admin columns and the bench."""

    name: str  # column, form field and `set_role --grant` name
    label: str
    capability: str  # the orgs.permissions capability it grants
    allows: str  # what that capability allows, for 403 pages and the capability table
    editor_default: bool  # on when a grant becomes Editor (always on for Admin, off for Viewer)


FLAG_DEFINITIONS = (
    Flag(
        "flows_manager",
        "Flows Manager",
        "ws.manage_flows",
        "create, edit and delete flows and flow templates",
        editor_default=True,
    ),
    Flag(
        "brand_kits_manager",
        "Brand Kits Manager",
        "ws.manage_brand_kits",
        "create, edit and delete brand kits",
        editor_default=True,
    ),
    Flag(
        "audience_viewer",
        "Audience Viewer",
        "ws.view_audience",
        "view, manage and export audience data",
        editor_default=False,
    ),
)
FLAGS = tuple(flag.name for flag in FLAG_DEFINITIONS)
FLAG_LABELS = {flag.name: flag.label for flag in FLAG_DEFINITIONS}
# A role's label by its value ("editor" → "Editor"): a lookup, where WorkspaceRole(value).label
# or membership.get_role_display() costs an enum call or a choices lookup (~1 µs; list rows
# ask it per cell).
WORKSPACE_ROLE_LABELS = dict(WorkspaceRole.choices)
ORG_ROLE_LABELS = dict(OrgRole.choices)
