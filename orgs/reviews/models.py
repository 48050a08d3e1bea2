"""Access reviews (SPEC §10): an Org Admin starts a review of who reaches what;
reviewers keep, change or remove each item; at the deadline the unreviewed items are reported
or removed. Rows are written only by `orgs.reviews.services` (which log each change)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from ..roles import FLAG_LABELS


class ReviewStatus(models.TextChoices):
    OPEN = "open", "Open"
    CLOSED = "closed", "Closed"


class DeadlineAction(models.TextChoices):
    REPORT = "report", "Report the unreviewed items to me"
    REMOVE = "remove", "Remove the unreviewed access"


class ItemKind(models.TextChoices):
    WORKSPACE = "workspace", "Workspace access"
    ORG_ROLE = "org_role", "Org role"


class Decision(models.TextChoices):
    KEEP = "keep", "Keep"
    CHANGE = "change", "Change"
    REMOVE = "remove", "Remove"


class AccessReview(models.Model):
    org = models.ForeignKey(
        "orgs.Organization", on_delete=models.CASCADE, related_name="access_reviews"
    )
    name = models.CharField(max_length=120)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    started_by_email = models.CharField(max_length=254)  # copied at start: the evidence keeps it
    started_at = models.DateTimeField(default=timezone.now)
    deadline = models.DateTimeField()
    all_workspaces = models.BooleanField(default=True)
    # Chosen workspaces when not all of them (kept for the evidence; items are the snapshot).
    workspaces = models.ManyToManyField("workspaces.Workspace", blank=True, related_name="+")
    include_org_roles = models.BooleanField(default=True)
    on_deadline = models.CharField(
        max_length=10, choices=DeadlineAction.choices, default=DeadlineAction.REPORT
    )
    status = models.CharField(max_length=10, choices=ReviewStatus.choices, default="open")
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.CharField(max_length=254, blank=True)  # an email, or "review" (the job)

    class Meta:
        ordering = ["-started_at", "-pk"]
        indexes = [models.Index(fields=["status", "deadline"], name="review_due")]

    def __str__(self):
        return self.name

    @property
    def is_open(self) -> bool:
        return self.status == ReviewStatus.OPEN


class AccessReviewer(models.Model):
    """`user` reviews `workspace`'s items in `review` (workspace None: the org roles)."""

    review = models.ForeignKey(AccessReview, on_delete=models.CASCADE, related_name="reviewers")
    workspace = models.ForeignKey(
        "workspaces.Workspace", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["review", "workspace", "user"],
                condition=Q(workspace__isnull=False),
                name="reviewer_unique_workspace",
            ),
            models.UniqueConstraint(
                fields=["review", "user"],
                condition=Q(workspace__isnull=True),
                name="reviewer_unique_org_roles",
            ),
        ]

    def __str__(self):
        return f"reviewer #{self.user_id} of {self.workspace_id or 'the org roles'}"


class AccessReviewItem(models.Model):
    """One person's access as it was when the review started: to one workspace (effective
    role, flags, sources), or their org role. Snapshots are copied so the evidence survives
    renames and removals."""

    review = models.ForeignKey(AccessReview, on_delete=models.CASCADE, related_name="items")
    kind = models.CharField(max_length=10, choices=ItemKind.choices)
    workspace = models.ForeignKey(
        "workspaces.Workspace", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    workspace_name = models.CharField(max_length=120, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    email = models.CharField(max_length=254)
    full_name = models.CharField(max_length=150, blank=True)
    org_role = models.CharField(max_length=10)  # the person's org role at the start
    role = models.CharField(max_length=10)  # effective workspace role, or the org role
    flags = models.JSONField(default=dict, blank=True)  # {flag: bool}; empty for org roles
    sources = models.JSONField(default=list, blank=True)  # ["direct", "via team X", …]

    class Meta:
        ordering = ["kind", "workspace_name", "email", "pk"]
        indexes = [
            models.Index(fields=["review", "workspace", "email"], name="review_item_queue"),
        ]

    def __str__(self):
        where = self.workspace_name if self.kind == ItemKind.WORKSPACE else "org role"
        return f"{self.email} in {where}"

    @property
    def scope(self):
        """The reviewer scope: the workspace id, or None for an org-role item."""
        return self.workspace_id if self.kind == ItemKind.WORKSPACE else None

    @property
    def flag_labels(self) -> list[str]:
        return [FLAG_LABELS[flag] for flag, on in self.flags.items() if on and flag in FLAG_LABELS]


class AccessReviewDecision(models.Model):
    """The decision on one item (at most one): who decided, when, what, and what changed."""

    item = models.OneToOneField(AccessReviewItem, on_delete=models.CASCADE, related_name="decision")
    decision = models.CharField(max_length=10, choices=Decision.choices)
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    reviewer_email = models.CharField(max_length=254)  # "review" when the deadline removed it
    decided_at = models.DateTimeField(default=timezone.now)
    new_role = models.CharField(max_length=10, blank=True)
    new_flags = models.JSONField(default=dict, blank=True)
    note = models.CharField(max_length=500, blank=True)
    outcome = models.CharField(max_length=500, blank=True)  # what the decision changed
    automatic = models.BooleanField(default=False)

    def __str__(self):
        return f"{self.get_decision_display()} {self.item}"
