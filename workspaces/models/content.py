"""What the workspace roles act on: flows and their scans, templates, assets, brand kits,
audience contacts."""

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.utils import timezone

from flowadmin.hosts import short_link_host
from flowadmin.nav_urls import short_link_path

hex_color = RegexValidator(r"^#[0-9a-fA-F]{6}$", "Enter a hex color like #1a2b3c.")


class FlowStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    PAUSED = "paused", "Paused"


class Flow(models.Model):
    workspace = models.ForeignKey(
        "workspaces.Workspace", on_delete=models.CASCADE, related_name="flows"
    )
    name = models.CharField(max_length=200)
    destination_url = models.URLField(max_length=2000)
    short_code = models.CharField(max_length=16, unique=True, editable=False)
    status = models.CharField(max_length=10, choices=FlowStatus.choices, default=FlowStatus.ACTIVE)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)
    # Optimistic concurrency: +1 on every saved edit; the edit form sends the version it showed.
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["workspace", "-created_at"], name="flow_ws_created")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=FlowStatus.values), name="flow_status_valid"
            )
        ]

    def __str__(self):
        return self.name

    @property
    def short_link(self) -> str:
        """https://<whitelabel domain or default host>/s/<code> (SPEC §2)."""
        path = short_link_path(self.short_code)
        domain = self.workspace.whitelabel_domain
        if domain is not None and domain.is_verified:
            return f"https://{domain.hostname}{path}"
        return f"{settings.SHORT_LINK_SCHEME}://{short_link_host()}{path}"


class FlowTemplate(models.Model):
    workspace = models.ForeignKey(
        "workspaces.Workspace", on_delete=models.CASCADE, related_name="flow_templates"
    )
    name = models.CharField(max_length=200)
    default_destination = models.URLField(max_length=2000, blank=True)
    description = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class Asset(models.Model):
    workspace = models.ForeignKey(
        "workspaces.Workspace", on_delete=models.CASCADE, related_name="assets"
    )
    name = models.CharField(max_length=200)
    file = models.FileField(upload_to="assets/%Y/%m/")
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return self.name


class BrandKit(models.Model):
    workspace = models.ForeignKey(
        "workspaces.Workspace", on_delete=models.CASCADE, related_name="brand_kits"
    )
    name = models.CharField(max_length=120)
    primary_color = models.CharField(max_length=7, validators=[hex_color], default="#1f4fd1")
    secondary_color = models.CharField(max_length=7, validators=[hex_color], default="#0f172a")
    accent_color = models.CharField(max_length=7, validators=[hex_color], default="#f59e0b")
    font = models.CharField(max_length=80, blank=True)
    logo = models.ImageField(upload_to="brand-kits/", blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class AudienceContact(models.Model):
    workspace = models.ForeignKey(
        "workspaces.Workspace", on_delete=models.CASCADE, related_name="audience"
    )
    email = models.EmailField()
    name = models.CharField(max_length=150, blank=True)
    source_flow = models.ForeignKey(
        Flow, on_delete=models.SET_NULL, null=True, blank=True, related_name="contacts"
    )
    collected_at = models.DateTimeField(default=timezone.now)
    consent = models.BooleanField(default=False)
    tags = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["-collected_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["workspace", "email"], name="contact_unique_in_ws")
        ]
        indexes = [models.Index(fields=["workspace", "-collected_at"], name="contact_ws_collected")]

    def __str__(self):
        return self.email


class DeviceClass(models.TextChoices):
    MOBILE = "mobile", "Mobile"
    TABLET = "tablet", "Tablet"
    DESKTOP = "desktop", "Desktop"
    OTHER = "other", "Other"


class Scan(models.Model):
    """One scan of a flow's QR code. `workspace` is copied from the flow so analytics and the
    dashboard aggregate without a join. Every scan inserts into each of this table's indexes:
    the two (…, scanned_at) indexes serve every read by flow or by workspace (and the
    foreign keys' checks), so the foreign keys get no single-column index of their own."""

    flow = models.ForeignKey(Flow, on_delete=models.CASCADE, related_name="scans", db_index=False)
    workspace = models.ForeignKey(
        "workspaces.Workspace", on_delete=models.CASCADE, related_name="scans", db_index=False
    )
    scanned_at = models.DateTimeField(default=timezone.now)
    country = models.CharField(max_length=2, blank=True)
    device = models.CharField(max_length=10, choices=DeviceClass.choices, default=DeviceClass.OTHER)

    class Meta:
        indexes = [
            models.Index(fields=["workspace", "scanned_at"], name="scan_ws_time"),
            models.Index(fields=["flow", "scanned_at"], name="scan_flow_time"),
        ]

    def __str__(self):
        return f"{self.flow_id} @ {self.scanned_at:%Y-%m-%d %H:%M}"


class ScanDay(models.Model):
    """How many scans a workspace had on one calendar day (settings.TIME_ZONE): the rollup the
    dashboard reads, so its totals and chart cost the org's workspaces × days rows whatever the
    number of scans and whatever other orgs hold. Kept by workspaces.services (scan_follow adds
    one in the scan's transaction, flow_delete subtracts the flow's, scan_days_rebuild recounts
    after bulk inserts); deleting the workspace deletes its days."""

    workspace = models.ForeignKey(
        "workspaces.Workspace", on_delete=models.CASCADE, related_name="scan_days"
    )
    day = models.DateField()
    scans = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["workspace", "day"], name="scanday_unique_ws_day")
        ]

    def __str__(self):
        return f"{self.workspace_id} {self.day}: {self.scans}"


class OrgTally(models.Model):
    """An org's running counts for the dashboard's totals: its members, its workspaces' flows
    and audience contacts. Kept by the database (triggers of migration
    `workspaces.0008_org_tallies`, PostgreSQL and SQLite) in the statement that inserts,
    deletes or moves such a row, whoever writes it — services, the admin site, SCIM, commands,
    bulk seeding, cascades — so the application never writes it. A missing row means zeros."""

    org = models.OneToOneField(
        "orgs.Organization", on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    members = models.PositiveIntegerField(default=0)
    flows = models.PositiveIntegerField(default=0)
    audience = models.PositiveIntegerField(default=0)

    def __str__(self):
        return f"{self.org_id}: {self.members}/{self.flows}/{self.audience}"


class OrgScanDay(models.Model):
    """How many scans an org's workspaces had on one calendar day (settings.TIME_ZONE): the sum
    of their ScanDay rows, so the dashboard's chart reads 30 rows whatever the number of
    workspaces. Kept by a trigger on ScanDay (migration `workspaces.0008_org_tallies`) in the
    statement that writes the workspace's day: after it, so a scan locks its flow, its
    workspace's day, then its org's day (README "Concurrency")."""

    org = models.ForeignKey(
        "orgs.Organization", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    day = models.DateField()
    scans = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["org", "day"], name="orgscanday_unique_org_day")
        ]

    def __str__(self):
        return f"{self.org_id} {self.day}: {self.scans}"
