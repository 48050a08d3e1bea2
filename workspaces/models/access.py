"""Workspaces and who has access to them (directly or through a team)."""

from django.conf import settings
from django.db import models
from django.utils import timezone

from orgs.errors import CrossOrgError
from orgs.models import ENDS, NamedInOrg, Team, require_org_member, until_field
from orgs.permissions import effective_flags, flag_defaults
from orgs.roles import FLAGS, WorkspaceRole

# SPEC §3.2, as a database rule: an admin grant has every fine-grained flag.
ADMIN_HAS_EVERY_FLAG = ~models.Q(role=WorkspaceRole.ADMIN) | models.Q(**dict.fromkeys(FLAGS, True))


class Workspace(NamedInOrg):
    org = models.ForeignKey(
        "orgs.Organization", on_delete=models.CASCADE, related_name="workspaces"
    )
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
            models.UniqueConstraint(fields=["org", "slug"], name="workspace_slug_unique_in_org"),
            models.UniqueConstraint(
                fields=["org", "name_key"], name="workspace_name_unique_in_org"
            ),
        ]

    def __str__(self):
        return self.name


def grant_constraints(prefix: str, holder_fields: list[str]) -> list:
    """A grant table's constraints, named `<prefix>_…`: one grant per (workspace, holder), a
    known role, and an admin with every flag (SPEC §3.2)."""
    return [
        models.UniqueConstraint(fields=holder_fields, name=f"{prefix}_unique"),
        models.CheckConstraint(
            condition=models.Q(role__in=WorkspaceRole.values), name=f"{prefix}_role_valid"
        ),
        models.CheckConstraint(
            condition=ADMIN_HAS_EVERY_FLAG, name=f"{prefix}_admin_has_every_flag"
        ),
    ]


class AccessGrant(models.Model):
    """A workspace role with its Fine-Grained Permissions, one boolean column per flag of
    orgs.roles.FLAGS (shared by direct and team access)."""

    role = models.CharField(max_length=10, choices=WorkspaceRole.choices)
    until = until_field()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        self.apply_role_rules()
        if self._state.adding or self.keys() != getattr(self, "_stored_keys", None):
            self.check_same_org()
        super().save(*args, **kwargs)
        self._stored_grant, self._stored_keys = (self.role, self.flags), self.keys()

    @property
    def flags(self):
        return {flag: getattr(self, flag) for flag in FLAGS}

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        instance._stored_grant = (instance.__dict__.get("role"), instance.flags)
        instance._stored_keys = instance.keys()
        return instance

    def keys(self) -> tuple:
        """The foreign keys that tie the grant to its org (checked when they change)."""
        raise NotImplementedError(
            f"{type(self).__name__} must define keys(): the tuple of foreign key ids that tie "
            "the grant to its org, e.g. (self.workspace_id, self.user_id)."
        )

    def apply_role_rules(self) -> None:
        """SPEC §3.2 on every save: a changed role whose flags were left as loaded gets the new
        role's defaults; an admin has every flag. (Services set explicit flags after the
        defaults through workspaces.services.apply_grant.)"""
        stored = getattr(self, "_stored_grant", None)
        values = self.flags
        if stored is not None and stored[0] != self.role and stored[1] == values:
            values = flag_defaults(self.role)
        for flag, value in effective_flags(self.role, values).items():
            setattr(self, flag, value)

    def check_same_org(self) -> None:
        """CrossOrgError unless everything the grant ties together is in one org."""
        raise NotImplementedError(
            f"{type(self).__name__} must define check_same_org(): raise CrossOrgError unless "
            "the rows of keys() belong to one org."
        )

    def clean(self):
        super().clean()
        self.apply_role_rules()
        if all(self.keys()):
            self.check_same_org()


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
        constraints = grant_constraints("wsmembership", ["workspace", "user"])
        indexes = [models.Index(fields=["until"], condition=ENDS, name="wsmembership_until")]

    def __str__(self):
        return f"{self.user} in {self.workspace} ({self.get_role_display()})"

    def keys(self):
        return (self.workspace_id, self.user_id)

    def check_same_org(self):
        org_id = Workspace.objects.filter(pk=self.workspace_id).values("org_id")[:1]
        require_org_member(org_id, self.user_id, "workspace members")


class TeamAccess(AccessGrant):
    team = models.ForeignKey("orgs.Team", on_delete=models.CASCADE, related_name="workspace_access")
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="team_access")
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = "team access"
        verbose_name_plural = "team access"
        ordering = ["workspace", "team__name"]
        constraints = grant_constraints("teamaccess", ["team", "workspace"])
        indexes = [models.Index(fields=["until"], condition=ENDS, name="teamaccess_until")]

    def __str__(self):
        return f"{self.team} → {self.workspace} ({self.get_role_display()})"

    def keys(self):
        return (self.team_id, self.workspace_id)

    def check_same_org(self):
        org_id = Workspace.objects.filter(pk=self.workspace_id).values("org_id")[:1]
        if not Team.objects.filter(pk=self.team_id, org_id=org_id).exists():
            raise CrossOrgError("A team can only get access to workspaces of its own org.")
