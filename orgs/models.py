import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth.models import (
    AbstractBaseUser,
    BaseUserManager,
    PermissionsMixin,
)
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone

from .errors import CrossOrgError
from .names import display_name as shown_name
from .names import fold
from .permissions import CAPABILITIES, has_capability
from .roles import OrgRole, WorkspaceRole


class OrgBound(models.Model):
    """A model whose `org` is fixed once created: moving it to another org would carry its
    members and access across tenants (PostgreSQL: a trigger refuses it too)."""

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        self.check_org_unchanged()
        super().save(*args, **kwargs)

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        instance._stored_org_id = instance.__dict__.get("org_id")
        return instance

    def clean(self):
        super().clean()
        self.check_org_unchanged()

    def check_org_unchanged(self):
        stored = getattr(self, "_stored_org_id", None)
        if stored is not None and self.org_id != stored:
            raise CrossOrgError(f"{self} cannot move to another organization.")


class NamedInOrg(OrgBound):
    """An org-bound model whose name is unique in its org as people read it: `name_key` is
    orgs.names.fold(name), set on every save, under a unique (org, name_key) constraint."""

    name = models.CharField(max_length=120)
    name_key = models.CharField(max_length=480, editable=False, default="")

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        self.name_key = fold(self.name)
        if kwargs.get("update_fields") is not None and "name" in kwargs["update_fields"]:
            kwargs["update_fields"] = {*kwargs["update_fields"], "name_key"}
        super().save(*args, **kwargs)


# Grants with an end (orgs.expiry): the expiry job and the reminders read them by `until`.
ENDS = models.Q(until__isnull=False)


def current(now=None) -> models.Q:
    """Grants (of a model with `until`) that still count at `now` (default: this moment): the
    ORM form of orgs.expiry.is_current, for querysets that must agree with the policy."""
    return models.Q(until__isnull=True) | models.Q(until__gt=now or timezone.now())


def until_field():
    """The optional end of a grant (orgs.expiry): from this instant the policy ignores it."""
    return models.DateTimeField(
        "access until",
        null=True,
        blank=True,
        help_text="Access ends at this moment (empty: it does not end).",
    )


def require_org_member(org_id, user_id, what: str) -> None:
    """CrossOrgError unless the user is a member of the org (one query). `what` names the row
    being written, for the message."""
    if not OrgMembership.objects.filter(org_id=org_id, user_id=user_id).exists():
        raise CrossOrgError(f"Only members of the organization can be {what}.")


class UserManager(BaseUserManager):
    use_in_migrations = True

    def normalize_email(self, email):
        return (email or "").strip().lower()

    def get_by_natural_key(self, username):
        return self.get(email__iexact=username)

    def _create_user(self, email, password, **extra):
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra):
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email, password=None, **extra):
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """A person. The email address is the login and is unique regardless of case."""

    email = models.EmailField("email address", unique=True)
    full_name = models.CharField(max_length=150, blank=True)
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(
        default=False, help_text="Can log into the Django admin site (operators only)."
    )
    date_joined = models.DateTimeField(default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = []

    class Meta:
        ordering = ["email"]
        constraints = [models.UniqueConstraint(Lower("email"), name="user_email_ci_unique")]
        # On PostgreSQL the member search (orgs.lookups.FoldContains) has trigram indexes,
        # made by migration orgs.0011 (a GIN index SQLite lacks, so not declared here). The
        # users page's orders read OrgMembership's copies of full_name, email and last_login.

    def __str__(self):
        return self.email

    def clean(self):
        super().clean()
        self.email = User.objects.normalize_email(self.email)

    def save(self, *args, **kwargs):
        self.email = User.objects.normalize_email(self.email)
        super().save(*args, **kwargs)

    def get_full_name(self):
        return shown_name(self.full_name, self.email)

    def get_short_name(self):
        return (self.full_name.split() or [self.email])[0]

    @property
    def display_name(self):
        return shown_name(self.full_name, self.email)

    def has_perm(self, perm, obj=None):
        """Capabilities on an org or workspace come from membership alone: unlike Django's
        default, a superuser who is not a member is refused there like anyone else. The policy
        is asked directly, as orgs.backends.PolicyBackend would answer, without Django's loop
        that imports and instantiates every configured backend on each call (half the cost):
        once the user's access is loaded a check is a few dictionary lookups (`make bench`)."""
        if perm in CAPABILITIES:
            return self.is_active and has_capability(self, perm, obj)
        return super().has_perm(perm, obj)


class Organization(models.Model):
    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=60, unique=True)
    description = models.TextField(blank=True)
    avatar = models.ImageField(upload_to="avatars/orgs/", blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    require_two_factor = models.BooleanField(
        "require two-factor authentication",
        default=False,
        help_text="Members without two-factor authentication must enrol before they reach the org.",
    )
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, through="OrgMembership", related_name="organizations"
    )

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class OrgMembership(models.Model):
    org = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="org_memberships"
    )
    role = models.CharField(max_length=10, choices=OrgRole.choices, default=OrgRole.USER)
    joined_at = models.DateTimeField(default=timezone.now)
    until = until_field()
    # Copies of the user's full_name, email and last_login, kept by the database (migration
    # orgs.0012: triggers on both tables, PostgreSQL and SQLite), so the users page's orders
    # walk one index of the org's memberships (orgs.people.MEMBER_SORTS). Never set them:
    # whatever a save writes there is replaced by the user's values.
    user_full_name = models.CharField(max_length=150, blank=True, default="", editable=False)
    user_email = models.CharField(max_length=254, blank=True, default="", editable=False)
    user_last_login = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["org", "user_email"]
        verbose_name = "org member"
        # The users page's name order; its last-login order has an index with NULLS FIRST,
        # made by migration orgs.0012 (SQLite has no NULLS FIRST in CREATE INDEX).
        indexes = [
            models.Index(fields=["org", "role"], name="orgmembership_org_role"),
            models.Index(fields=["until"], condition=ENDS, name="orgmembership_until"),
            models.Index(
                fields=["org", "user_full_name", "user_email", "id"],
                name="orgmembership_name_order",
            ),
        ]
        constraints = [
            models.UniqueConstraint(fields=["org", "user"], name="orgmembership_unique"),
            models.CheckConstraint(
                condition=models.Q(role__in=OrgRole.values), name="orgmembership_role_valid"
            ),
        ]

    def __str__(self):
        return f"{self.user} in {self.org} ({self.get_role_display()})"


# OrgMembership's copies of its user's columns (never logged: they are the user's, not the
# membership's).
USER_COPIES = ("user_full_name", "user_email", "user_last_login")


class Team(NamedInOrg):
    org = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="teams")
    description = models.TextField(blank=True)
    avatar = models.ImageField(upload_to="avatars/teams/", blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, through="TeamMembership", related_name="teams", blank=True
    )
    # A team created by SCIM: its members come from the identity provider's group and are
    # read-only in the console (orgs.services refuses other writers); workspace access is
    # still set in flowadmin.
    managed_by_idp = models.BooleanField(
        "managed by your identity provider", default=False, editable=False
    )
    external_id = models.CharField(
        "SCIM externalId", max_length=255, blank=True, help_text="The IdP's id for the group."
    )

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["org", "name_key"], name="team_name_key_unique")
        ]

    def __str__(self):
        return self.name


class TeamMembership(models.Model):
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="team_memberships"
    )
    added_at = models.DateTimeField(default=timezone.now)
    until = until_field()

    class Meta:
        verbose_name = "team member"
        constraints = [
            models.UniqueConstraint(fields=["team", "user"], name="teammembership_unique")
        ]
        indexes = [models.Index(fields=["until"], condition=ENDS, name="teammembership_until")]

    def __str__(self):
        return f"{self.user} in {self.team}"

    def save(self, *args, **kwargs):
        self.check_same_org()
        super().save(*args, **kwargs)

    def check_same_org(self):
        """The member must belong to the team's org. (`team.members.add()` writes without
        save(): the services check first, and on PostgreSQL a trigger stands behind both.)"""
        org_id = Team.objects.filter(pk=self.team_id).values("org_id")[:1]
        require_org_member(org_id, self.user_id, "team members")

    def clean(self):
        super().clean()
        if self.team_id and self.user_id:
            self.check_same_org()


class InvitationStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    ACCEPTED = "accepted", "Accepted"
    REVOKED = "revoked", "Revoked"
    EXPIRED = "expired", "Expired"


class InvitationDelivery(models.TextChoices):
    """Where the invitation email is: sent by a background task (orgs.tasks), retried with
    backoff on SMTP errors; FAILED once the retries are spent (the console offers a resend)."""

    NOT_EMAILED = "not_emailed", "Not emailed"
    QUEUED = "queued", "Sending"
    SENT = "sent", "Sent"
    FAILED = "failed", "Not delivered"


@dataclass(frozen=True)
class OfferedRole:
    """A workspace role an invitation offers: `until` (orgs.expiry) is when it ends, None for
    no end; the org membership's end bounds it anyway."""

    workspace: str
    role: str
    until: datetime | None


def role_end(item: dict) -> datetime | None:
    """The end of one stored workspace role of an invitation (Invitation.workspace_roles: an
    ISO 8601 instant under "until", absent for no end)."""
    return datetime.fromisoformat(item["until"]) if item.get("until") else None


class Invitation(models.Model):
    """An emailed invitation to join an org. Only a hash of the token is stored."""

    org = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField()
    role = models.CharField(max_length=10, choices=OrgRole.choices, default=OrgRole.USER)
    # When the org membership made at acceptance ends (copied to it; orgs.expiry).
    until = until_field()
    # [{"workspace": <id>, "role": "editor", "until": <ISO instant or absent>}, ...]
    workspace_roles = models.JSONField(default=list, blank=True)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    status = models.CharField(
        max_length=10, choices=InvitationStatus.choices, default=InvitationStatus.PENDING
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    sent_at = models.DateTimeField(null=True, blank=True)
    delivery = models.CharField(
        max_length=12, choices=InvitationDelivery.choices, default=InvitationDelivery.NOT_EMAILED
    )
    # The last SMTP error, while delivery is QUEUED (being retried) or FAILED.
    delivery_error = models.CharField(max_length=300, blank=True)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(role__in=OrgRole.values), name="invitation_role_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=InvitationStatus.values),
                name="invitation_status_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(delivery__in=InvitationDelivery.values),
                name="invitation_delivery_valid",
            ),
            # At most one pending invitation per email and org.
            models.UniqueConstraint(
                Lower("email"),
                "org",
                condition=models.Q(status="pending"),
                name="invitation_one_pending_per_email",
            ),
        ]
        indexes = [
            models.Index(fields=["org", "status", "-created_at"], name="invitation_org_status")
        ]

    def __str__(self):
        return f"{self.email} → {self.org}"

    def offered_roles(self, names: dict[int, str]) -> list[OfferedRole]:
        """The workspace roles offered, in the stored order, as OfferedRole (workspace name,
        role label, end). `names`: {workspace id: name} of the org's workspaces; a workspace
        not in it (deleted since) is left out, as acceptance skips it."""
        return [
            OfferedRole(names[item["workspace"]], WorkspaceRole(item["role"]).label, role_end(item))
            for item in self.workspace_roles
            if item.get("workspace") in names and item.get("role") in WorkspaceRole.values
        ]


class DomainStatus(models.TextChoices):
    PENDING = "pending", "Pending verification"
    VERIFIED = "verified", "Verified"


def new_verification_token():
    return "flowadmin-verify=" + secrets.token_urlsafe(24)


class Domain(models.Model):
    """A custom hostname. Owned by the org; `workspace` is set when a workspace added it as its
    own whitelabel domain (SPEC §2)."""

    org = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="domains")
    workspace = models.ForeignKey(
        "workspaces.Workspace",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="own_domains",
    )
    # Unique among verified domains only: a pending claim blocks nobody (constraints below).
    hostname = models.CharField(max_length=253, db_index=True)
    verification_token = models.CharField(max_length=80, default=new_verification_token)
    status = models.CharField(
        max_length=10, choices=DomainStatus.choices, default=DomainStatus.PENDING
    )
    verified_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["hostname"]
        constraints = [
            models.UniqueConstraint(
                Lower("hostname"),
                condition=models.Q(status="verified"),
                name="domain_verified_hostname_unique",
            ),
            models.UniqueConstraint(Lower("hostname"), "org", name="domain_hostname_unique_in_org"),
            models.CheckConstraint(
                condition=models.Q(status__in=DomainStatus.values), name="domain_status_valid"
            ),
        ]

    def __str__(self):
        return self.hostname

    @property
    def is_verified(self):
        return self.status == DomainStatus.VERIFIED

    @property
    def claim_expires_at(self):
        """When a pending claim lapses (settings.DOMAIN_CLAIM_TTL_DAYS after it was added)."""
        return self.created_at + timedelta(days=settings.DOMAIN_CLAIM_TTL_DAYS)

    @property
    def claim_expired(self) -> bool:
        return not self.is_verified and self.claim_expires_at <= timezone.now()

    @property
    def txt_record_name(self):
        return f"_flowadmin.{self.hostname}"


class SSOProtocol(models.TextChoices):
    SAML = "saml", "SAML 2.0"
    OIDC = "oidc", "OpenID Connect"


class SSOConfiguration(models.Model):
    org = models.OneToOneField(Organization, on_delete=models.CASCADE, related_name="sso")
    protocol = models.CharField(max_length=10, choices=SSOProtocol.choices)
    entity_id = models.CharField(
        "IdP entity id / issuer",
        max_length=500,
        help_text="SAML IdP entity id, or the OIDC issuer URL.",
    )
    metadata_url = models.URLField(
        "metadata / discovery URL",
        max_length=500,
        help_text="SAML metadata URL, or the OIDC discovery document URL.",
    )
    enforced = models.BooleanField(default=False, help_text="Members must sign in through the IdP.")
    domains = models.ManyToManyField(Domain, blank=True, related_name="sso_configurations")
    client_id = models.CharField(
        "OIDC client id / SAML SP entity id",
        max_length=255,
        blank=True,
        help_text="The client id the IdP issued (OIDC). SAML: blank uses this site's metadata "
        "URL as the SP entity id.",
    )
    # {"client_secret": …} (OIDC) or {"x509cert": …} (SAML IdP signing certificate), encrypted
    # with orgs.crypto like integration secrets; never shown back.
    secrets_encrypted = models.TextField(blank=True, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "SSO configuration"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(protocol__in=SSOProtocol.values), name="sso_protocol_valid"
            ),
        ]

    def __str__(self):
        return f"{self.get_protocol_display()} for {self.org}"

    @property
    def provider_id(self) -> str:
        """The key allauth files this IdP's sign-ins under (SocialAccount.provider) and the
        path segment of its URLs: the org slug."""
        return self.org.slug

    def secrets(self) -> dict:
        """Decrypted secrets: for the sign-in flow only, never for display or logs."""
        from .crypto import decrypt_json

        return decrypt_json(self.secrets_encrypted)

    def idp_origins(self) -> list[str]:
        """The IdP's origins ("https://idp.example.com"), from the issuer / entity id when it
        is a URL and from the metadata / discovery URL, sorted: where "Continue with SSO"
        redirects the browser (the pages with that button allow them in CSP form-action)."""
        origins = set()
        for url in (self.entity_id, self.metadata_url):
            parts = urlsplit(url or "")
            if parts.scheme in ("http", "https") and parts.netloc:
                origins.add(f"{parts.scheme}://{parts.netloc}")
        return sorted(origins)


class IntegrationInstallation(models.Model):
    """An app from orgs.integrations.CATALOG installed org-wide (workspace empty) or for one
    workspace. Secret settings are stored encrypted in `secrets_encrypted`."""

    org = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="integrations")
    workspace = models.ForeignKey(
        "workspaces.Workspace",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="integrations",
    )
    app = models.CharField(max_length=40)
    enabled = models.BooleanField(default=True)
    config = models.JSONField(default=dict, blank=True)
    secrets_encrypted = models.TextField(blank=True, editable=False)
    installed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["app"]
        verbose_name = "integration"
        constraints = [
            models.UniqueConstraint(
                fields=["org", "app"],
                condition=models.Q(workspace__isnull=True),
                name="integration_unique_org_wide",
            ),
            models.UniqueConstraint(
                fields=["workspace", "app"],
                condition=models.Q(workspace__isnull=False),
                name="integration_unique_per_workspace",
            ),
        ]

    def __str__(self):
        scope = self.workspace or "org-wide"
        return f"{self.app} ({scope})"

    @property
    def catalog_app(self):
        from .integrations import get_app

        return get_app(self.app)

    @property
    def is_org_wide(self):
        return self.workspace_id is None

    def secrets(self) -> dict:
        """Decrypted secret settings: for the vendor sync only, never for display or logs."""
        from .crypto import decrypt_json

        return decrypt_json(self.secrets_encrypted)

    def masked_secrets(self) -> dict:
        from .crypto import mask

        return {name: mask(value) for name, value in self.secrets().items()}


class ScimToken(models.Model):
    """A SCIM 2.0 bearer token of one org (orgs.scim). Only the SHA-256 of the token is stored;
    the token itself is shown once when created. Revoked tokens are kept for the log."""

    org = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="scim_tokens")
    name = models.CharField(max_length=60, help_text="Who uses it, e.g. “Okta”.")
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    last_used_at = models.DateTimeField(null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "SCIM token"
        constraints = [
            models.UniqueConstraint(
                Lower("name"),
                "org",
                condition=models.Q(revoked_at__isnull=True),
                name="scimtoken_one_active_name",
            )
        ]

    def __str__(self):
        return f"{self.name} ({self.org})"

    @property
    def is_active(self):
        return self.revoked_at is None

    @property
    def actor_label(self) -> str:
        """How the activity log names changes made with this token."""
        return f"scim:{self.name}"


class ScimUser(models.Model):
    """A person the org's identity provider provisioned through SCIM. It outlives the org
    membership, so a deactivated user (`active: false`: membership removed) can be read and
    reactivated under the same id; a SCIM DELETE removes it."""

    org = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="scim_users")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="scim_identities"
    )
    external_id = models.CharField("SCIM externalId", max_length=255, blank=True)
    # The name as the IdP sends it (User.full_name is what the console shows).
    given_name = models.CharField(max_length=150, blank=True)
    family_name = models.CharField(max_length=150, blank=True)
    display_name = models.CharField(max_length=150, blank=True)
    # The Org Role to give back when a deactivated person is reactivated.
    org_role = models.CharField(max_length=10, choices=OrgRole.choices, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "SCIM user"
        constraints = [models.UniqueConstraint(fields=["org", "user"], name="scimuser_unique")]
        indexes = [models.Index(fields=["org", "external_id"], name="scimuser_org_external_id")]

    def __str__(self):
        return f"{self.user} in {self.org} (SCIM)"


class GrantKind(models.TextChoices):
    """The four kinds of grant that can end (orgs.expiry), named as the activity log names
    their entity types."""

    ORG_MEMBER = "org_member", "Org membership"
    WORKSPACE_MEMBER = "workspace_member", "Workspace membership"
    TEAM_MEMBER = "team_member", "Team membership"
    TEAM_ACCESS = "team_access", "Team access"


class ExpiryReminder(models.Model):
    """A reminder email about a grant's end, sent once (orgs.access_expiry): one row per grant
    and end — a new `until` on the same grant is reminded again. Inserted before the email is
    sent, in the same transaction, so two workers at once send one email (the second waits on
    the unique constraint, then skips)."""

    org = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=20, choices=GrantKind.choices)
    grant_id = models.PositiveBigIntegerField()
    until = models.DateTimeField()
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", null=True
    )
    recipients = models.JSONField(default=list)  # the addresses it went to
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "expiry reminder"
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "grant_id", "until"], name="expiryreminder_once"
            ),
            models.CheckConstraint(
                condition=models.Q(kind__in=GrantKind.values), name="expiryreminder_kind_valid"
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} #{self.grant_id} ends {self.until:%Y-%m-%d %H:%M}"


# Access reviews live in their own module (orgs/reviews/); imported here so Django registers
# them with this app.
from .reviews.models import (  # noqa: E402, F401
    AccessReview,
    AccessReviewDecision,
    AccessReviewer,
    AccessReviewItem,
)
