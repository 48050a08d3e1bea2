"""Role and flag vocabularies. The rules that use them live in orgs.permissions."""

from django.db import models


class OrgRole(models.TextChoices):
    ADMIN = "admin", "Admin"
    USER = "user", "User"


class WorkspaceRole(models.TextChoices):
    # Declared lowest first: the order is the hierarchy (see permissions.ROLE_RANK).
    VIEWER = "viewer", "Viewer"
    EDITOR = "editor", "Editor"
    ADMIN = "admin", "Admin"


FLAGS = ("flows_manager", "brand_kits_manager", "audience_viewer")

FLAG_LABELS = {
    "flows_manager": "Flows Manager",
    "brand_kits_manager": "Brand Kits Manager",
    "audience_viewer": "Audience Viewer",
}
