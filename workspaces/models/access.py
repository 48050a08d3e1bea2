"""Workspaces and who has access to them (directly or through a team)."""

from django.conf import settings
from django.db import models
from django.utils import timezone

from orgs.roles import FLAGS, WorkspaceRole


class Workspace(models.Model):
    org = models.ForeignKey(
        "orgs.Organization", on_delete=models.CASCADE, related_name="workspaces"
    )
    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=60)
    description = models.TextField(blank=True)
    avatar = models.ImageField(upload_to="avatars/workspaces/", blank=True)
    whitelabel_domain = models.ForeignKey(
        "orgs.Domain",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="A verified domain used in this workspace's flow short links.",
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["org", "slug"], name="workspace_slug_unique_in_org")
        ]

    def __str__(self):
        return self.name


class AccessGrant(models.Model):
    """A workspace role with its Fine-Grained Permissions, one boolean column per flag of
    orgs.roles.FLAGS (shared by direct and team access)."""

    role = models.CharField(max_length=10, choices=WorkspaceRole.choices)

    class Meta:
        abstract = True

    @property
    def flags(self):
        return {flag: getattr(self, flag) for flag in FLAGS}


for _flag in FLAGS:
    AccessGrant.add_to_class(_flag, models.BooleanField(default=False))


class WorkspaceMembership(AccessGrant):
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="workspace_memberships"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = "workspace member"
        ordering = ["workspace", "user__email"]
        constraints = [
            models.UniqueConstraint(fields=["workspace", "user"], name="wsmembership_unique"),
            models.CheckConstraint(
                condition=models.Q(role__in=WorkspaceRole.values), name="wsmembership_role_valid"
            ),
        ]

    def __str__(self):
        return f"{self.user} in {self.workspace} ({self.get_role_display()})"


class TeamAccess(AccessGrant):
    team = models.ForeignKey("orgs.Team", on_delete=models.CASCADE, related_name="workspace_access")
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="team_access")
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = "team access"
        verbose_name_plural = "team access"
        ordering = ["workspace", "team__name"]
        constraints = [
            models.UniqueConstraint(fields=["team", "workspace"], name="teamaccess_unique"),
            models.CheckConstraint(
                condition=models.Q(role__in=WorkspaceRole.values), name="teamaccess_role_valid"
            ),
        ]

    def __str__(self):
        return f"{self.team} → {self.workspace} ({self.get_role_display()})"
