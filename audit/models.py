"""The activity log (SPEC §5): one append-only entry per change, hash-chained per org.

Entries outlive what they describe: the org, workspace and actor are kept as plain ids (foreign
keys without a database constraint, never cascaded) next to copied labels (actor email,
workspace name, entity label), so deleting an org, a workspace or a user leaves the log whole.

Entries are only ever written by `audit.recording` (which numbers them and computes their hash
under a per-org lock); the model refuses updates and deletes, and on PostgreSQL triggers refuse
UPDATE, DELETE and TRUNCATE of entries and any rewinding of the chain heads (migrations 0001,
0002). Each hash is an HMAC under a chain key kept outside the database (`audit.keys`).
"""

from __future__ import annotations

import datetime
import hashlib
import hmac
import json

from django.conf import settings
from django.db import models
from django.utils import timezone


class Action(models.TextChoices):
    CREATED = "created", "Created"
    UPDATED = "updated", "Updated"
    DELETED = "deleted", "Deleted"
    EXPORTED = "exported", "Exported"


# Entity type slugs with their labels, in the order the filter offers them.
ENTITY_TYPES = {
    "org": "Org",
    "org_member": "Org member",
    "user": "User account",
    "invitation": "Invitation",
    "team": "Team",
    "team_member": "Team member",
    "workspace": "Workspace",
    "workspace_member": "Workspace member",
    "team_access": "Team access",
    "domain": "Domain",
    "integration": "Integration",
    "secrets": "Stored secrets",
    "sso": "SSO",
    "sso_join": "SSO join",
    "two_factor": "Two-factor authentication",
    "scim_token": "SCIM token",
    "scim_user": "SCIM user",
    "flow": "Flow",
    "flow_template": "Flow template",
    "asset": "Asset",
    "brand_kit": "Brand kit",
    "audience_export": "Audience export",
    "activity_export": "Activity export",
    "access_report": "Access report",
    "expiry_reminder": "Expiry reminder",
    "access_review": "Access review",
    "access_reviewer": "Access reviewer",
    "access_review_decision": "Access review decision",
    "activity_stream": "Activity stream",
}


class AppendOnlyError(Exception):
    """Raised on any attempt to change or remove an activity entry."""

    def __init__(self, what="Activity entries"):
        super().__init__(f"{what} are append-only: they cannot be changed or deleted.")


class ActivityEntryQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError()

    def delete(self):
        raise AppendOnlyError()

    def bulk_update(self, objs, fields, batch_size=None):
        raise AppendOnlyError()

    def update_or_create(self, *args, **kwargs):
        raise AppendOnlyError()

    def create(self, **kwargs):
        raise TypeError("Write activity entries with audit.recording.record(), not create().")

    def bulk_create(self, objs, *args, **kwargs):
        objs = list(objs)
        if not all(obj.hash and obj.seq for obj in objs):
            raise TypeError("Write activity entries with audit.recording.bulk_record().")
        return super().bulk_create(objs, *args, **kwargs)


# The fields an entry's hash covers, in a fixed order (the id is the database's, not hashed).
HASHED_FIELDS = (
    "seq",
    "org_id",
    "created_at",
    "workspace_id",
    "workspace_name",
    "actor_id",
    "actor_email",
    "ip",
    "action",
    "entity_type",
    "entity_id",
    "entity_label",
    "changes",
    "prev_hash",
)


def _canonical(value):
    if hasattr(value, "isoformat"):
        return value.astimezone(datetime.UTC).isoformat()
    return value


class UnknownKeyError(LookupError):
    """An entry names a chain key id that is not configured."""


def compute_hash(values: dict, keys: dict[str, bytes] | None = None) -> str:
    """An entry's hash (64 hex digits) from `values` (HASHED_FIELDS and "key_id").

    Keyed entries: HMAC-SHA256 under the chain key `values["key_id"]` (from `keys`, default
    `audit.keys.chain_keys()`) over the canonical JSON of HASHED_FIELDS plus the key id.
    Key id "legacy" (entries written before keys): plain SHA-256 over HASHED_FIELDS.
    Raises UnknownKeyError when the key id is not configured."""
    from .keys import LEGACY_KEY_ID, chain_keys

    key_id = values["key_id"]
    payload = [[name, _canonical(values[name])] for name in HASHED_FIELDS]
    if key_id == LEGACY_KEY_ID:
        text = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        return hashlib.sha256(text.encode()).hexdigest()
    key = (keys if keys is not None else chain_keys()).get(key_id)
    if key is None:
        raise UnknownKeyError(key_id)
    payload.append(["key_id", key_id])
    text = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hmac.new(key, text.encode(), hashlib.sha256).hexdigest()


def _no_cascade_fk(to, **kwargs):
    return models.ForeignKey(
        to,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,
        related_name="+",
        **kwargs,
    )


class ActivityEntry(models.Model):
    org = _no_cascade_fk("orgs.Organization")
    seq = models.PositiveBigIntegerField("number in the org's log")
    created_at = models.DateTimeField("time", default=timezone.now)
    workspace = _no_cascade_fk("workspaces.Workspace", null=True, blank=True)
    workspace_name = models.CharField(max_length=120, blank=True)
    actor = _no_cascade_fk(settings.AUTH_USER_MODEL, null=True, blank=True)
    actor_email = models.CharField("actor email", max_length=254)
    ip = models.CharField("IP address", max_length=45, blank=True)
    action = models.CharField(max_length=10, choices=Action.choices)
    entity_type = models.CharField(max_length=40)
    entity_id = models.CharField(max_length=64, blank=True)
    entity_label = models.CharField(max_length=255, blank=True)
    changes = models.JSONField(default=dict, blank=True)
    prev_hash = models.CharField(max_length=64, blank=True)
    hash = models.CharField(max_length=64)
    key_id = models.CharField("chain key id", max_length=32)

    objects = ActivityEntryQuerySet.as_manager()

    class Meta:
        verbose_name = "activity entry"
        verbose_name_plural = "activity entries"
        ordering = ["-created_at", "-id"]
        constraints = [
            # One entry per position in an org's chain: concurrent writers cannot fork it.
            models.UniqueConstraint(fields=["org", "seq"], name="activity_org_seq_unique"),
            models.CheckConstraint(
                condition=models.Q(action__in=Action.values), name="activity_action_valid"
            ),
        ]
        # Every filter of the page combined with its time ordering (newest first, id breaks
        # ties); PostgreSQL scans these backwards for "newest first".
        indexes = [
            models.Index(fields=["org", "created_at", "id"], name="activity_org_time"),
            models.Index(
                fields=["org", "workspace", "created_at", "id"], name="activity_org_ws_time"
            ),
            models.Index(
                fields=["org", "actor_email", "created_at", "id"], name="activity_org_actor_time"
            ),
            models.Index(
                fields=["org", "action", "created_at", "id"], name="activity_org_action_time"
            ),
            models.Index(
                fields=["org", "entity_type", "created_at", "id"], name="activity_org_entity_time"
            ),
            models.Index(
                fields=["org", "entity_type", "entity_id", "created_at", "id"],
                name="activity_org_entity_id_time",
            ),
        ]

    def __str__(self):
        return (
            f"#{self.seq} {self.actor_email} {self.action} {self.entity_type} {self.entity_label}"
        )

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnlyError()
        if not (self.hash and self.seq):
            raise TypeError("Write activity entries with audit.recording.record().")
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError()

    # --- integrity -------------------------------------------------------------------------
    def hashed_values(self) -> dict:
        return {name: getattr(self, name) for name in (*HASHED_FIELDS, "key_id")}

    def compute_hash(self) -> str:
        return compute_hash(self.hashed_values())

    # --- display -----------------------------------------------------------------------------
    @property
    def change_rows(self) -> list[tuple[str, object, object]]:
        """[(field, old, new), …] for the full before/after view."""
        rows = []
        for field, value in (self.changes or {}).items():
            # `value.__class__ is list` first: what JSON gives, checked without a call
            if (value.__class__ is list or isinstance(value, list | tuple)) and len(value) == 2:
                rows.append((field, value[0], value[1]))
            else:
                rows.append((field, None, value))
        return rows

    @property
    def diff_rows(self) -> list[tuple[str, str, str]]:
        """(field label, before, after) as text, for the full before/after view."""
        from .display import field_label, show

        return [
            (field_label(name), show(old, None), show(new, None))
            for name, old, new in self.change_rows
        ]

    @property
    def entity_type_label(self) -> str:
        return ENTITY_TYPES.get(self.entity_type, self.entity_type.replace("_", " ").capitalize())

    @property
    def summary(self) -> str:
        """A one-line, readable account of what changed."""
        from .display import summarize

        return summarize(self)


class ActivityChain(models.Model):
    """The head of one org's chain: the last number and hash handed out. Writers lock this row
    (SELECT … FOR UPDATE on PostgreSQL) so entries of one org are numbered one at a time; verify
    compares it with the last entry, so removing the newest entries is detected too."""

    org_id = models.PositiveBigIntegerField(primary_key=True)
    seq = models.PositiveBigIntegerField(default=0)
    head_hash = models.CharField(max_length=64, blank=True)

    class Meta:
        verbose_name = "activity chain head"

    def __str__(self):
        return f"org {self.org_id}: #{self.seq}"


class ActivityActor(models.Model):
    """Every actor email seen in an org's log, with the time of its newest entry, so the email
    filter (a substring) resolves to exact emails on this small table and reads only the
    entries of the actors whose newest entries are newest, through the org + actor email + time
    index (`audit.filters.newest_entries`).

    Kept by the database (migration 0007: a trigger on the entries' INSERT adds the actor and
    moves `newest_at` forward in the same statement); entries are never changed or deleted, so
    `newest_at` is the newest `created_at` of the org's entries with this actor email."""

    org_id = models.PositiveBigIntegerField()
    email = models.CharField(max_length=254)
    newest_at = models.DateTimeField("time of the newest entry", null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["org_id", "email"], name="activity_actor_unique")
        ]

    def __str__(self):
        return self.email


class StreamDestination(models.TextChoices):
    SINK = "sink", "Checkpoint storage (directory and S3 bucket)"
    WEBHOOK = "webhook", "HTTPS webhook"


class ActivityStream(models.Model):
    """An org's stream of its new entries to an external sink (SPEC §5): JSON lines
    written to the checkpoint sinks, or POSTed to an HTTPS webhook signed with HMAC-SHA256
    (`audit.streaming`). Its settings are changed through `audit.services` and logged; the
    delivery state below is moved with QuerySet.update, which the log does not record."""

    org = models.OneToOneField(
        "orgs.Organization", on_delete=models.CASCADE, related_name="activity_stream"
    )
    destination = models.CharField(max_length=10, choices=StreamDestination.choices)
    url = models.URLField("webhook URL", max_length=500, blank=True)
    secrets_encrypted = models.TextField(blank=True, editable=False)
    enabled = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)
    # Delivery state: the last entry the sink acknowledged, and the retry schedule.
    delivered_seq = models.PositiveBigIntegerField("last delivered entry", default=0)
    failures = models.PositiveIntegerField("failed attempts in a row", default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    last_delivered_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)
    last_error_at = models.DateTimeField(null=True, blank=True)

    DELIVERY_FIELDS = (
        "delivered_seq",
        "failures",
        "next_attempt_at",
        "last_delivered_at",
        "last_error",
        "last_error_at",
    )

    class Meta:
        verbose_name = "activity stream"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(destination__in=StreamDestination.values),
                name="activity_stream_destination_valid",
            ),
        ]

    def __str__(self):
        return f"Activity stream ({self.get_destination_display()})"

    def secret(self) -> str:
        """The webhook's signing secret (decrypted), or ""."""
        from orgs import crypto

        return crypto.decrypt_json(self.secrets_encrypted).get("secret", "")


class ActivityVerification(models.Model):
    """The result of the newest `verify_activity` run for one org's chain, for the Integrity
    page (the command itself is the proof; this row only reports when it last ran)."""

    org_id = models.PositiveBigIntegerField(primary_key=True)
    verified_at = models.DateTimeField()
    ok = models.BooleanField()
    entries = models.PositiveBigIntegerField()
    checkpoint_seq = models.PositiveBigIntegerField(null=True, blank=True)
    problem = models.TextField(blank=True)

    class Meta:
        verbose_name = "activity verification"

    def __str__(self):
        return f"org {self.org_id}: {'intact' if self.ok else 'TAMPERED'} at {self.verified_at}"


class ActivityWorkspaceName(models.Model):
    """Every name a workspace had in an org's log (the entries' workspace name, and the label of
    entries about the workspace itself), so the workspace filter (a substring) resolves to
    workspace ids on this small table — renamed and deleted workspaces included — and the
    entries are then read through the org + workspace + time index."""

    org_id = models.PositiveBigIntegerField()
    workspace_id = models.PositiveBigIntegerField()
    name = models.CharField(max_length=120)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["org_id", "workspace_id", "name"], name="activity_ws_name_unique"
            )
        ]

    def __str__(self):
        return self.name


class ExportStatus(models.TextChoices):
    QUEUED = "queued", "Waiting for a worker"
    RUNNING = "running", "Writing"
    DONE = "done", "Ready"
    FAILED = "failed", "Failed"


class ExportKind(models.TextChoices):
    """What a background export writes: each kind registers how in audit.exports (KINDS)."""

    ACTIVITY = "activity", "Activity log (CSV)"
    AUDIENCE = "audience", "Audience (CSV)"


# What the rows of each kind are called on the progress page.
EXPORT_ROW_NOUNS = {ExportKind.ACTIVITY: "entries", ExportKind.AUDIENCE: "contacts"}


def export_upload_to(job: ExportJob, filename: str) -> str:
    return f"exports/{job.kind}/{filename}"


class ExportJob(models.Model):
    """A large CSV export written by a background task (audit.tasks.build_export) to storage,
    offered for download when done; small exports stream from the request instead. `kind`
    says what it exports (audit.exports.KINDS), `query` the page's filters as a query string
    (re-validated by the task), `workspace` the workspace of a workspace-level kind
    (audience)."""

    kind = models.CharField(max_length=20, choices=ExportKind.choices, default=ExportKind.ACTIVITY)
    org = models.ForeignKey("orgs.Organization", on_delete=models.CASCADE, related_name="+")
    workspace = models.ForeignKey(
        "workspaces.Workspace", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    query = models.CharField(max_length=2000, blank=True)
    status = models.CharField(
        max_length=10, choices=ExportStatus.choices, default=ExportStatus.QUEUED
    )
    rows_total = models.PositiveIntegerField(default=0)
    rows_done = models.PositiveIntegerField(default=0)
    file = models.FileField(upload_to=export_upload_to, blank=True)
    error = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.get_kind_display()} export #{self.pk} ({self.status})"

    @property
    def percent(self) -> int:
        return 100 if not self.rows_total else min(100, self.rows_done * 100 // self.rows_total)

    @property
    def rows_noun(self) -> str:
        """What the rows are called, plural ("entries", "contacts")."""
        return EXPORT_ROW_NOUNS[self.kind]
