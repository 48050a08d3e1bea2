"""Access reviews in /admin/, read-only: evidence an operator can browse — the reviews (by org
and status), their items with the decisions, and the decisions — but never write. Reviews are
started, decided and closed in the console (orgs.reviews.services: the reviewer rules, the
normal services for each change, the activity log), so every screen here is a ReadOnlyAdmin
(no add, change or delete, hence no "Delete selected") with a link to the console page.

The review page shows its reviewers and its first `SHOWN_ITEMS` items as the evidence rows
(orgs.reviews.evidence.row_of, the CSV's columns) and links to the whole list of items here
and to the printable evidence and its CSV in the console."""

from __future__ import annotations

from django.contrib import admin
from django.db.models import Count
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.http import urlencode

from ..admin_services import ReadOnlyAdmin
from .evidence import HEADER, UNREVIEWED, row_of
from .models import AccessReview, AccessReviewDecision, AccessReviewItem, Decision
from .selectors import evidence_items

SHOWN_ITEMS = 100  # evidence rows on a review's admin page; the rest behind a link


def _review_url(review, name="orgs:review") -> str:
    return reverse(name, args=[review.org.slug, review.pk])


def _table(header, rows, caption: str) -> str:
    """An HTML table (escaped cells) for a read-only field of the admin page."""
    head = format_html_join("", "<th scope='col'>{}</th>", ((cell,) for cell in header))
    body = format_html_join(
        "",
        "<tr>{}</tr>",
        ((format_html_join("", "<td>{}</td>", ((cell,) for cell in row)),) for row in rows),
    )
    return format_html(
        "<table><caption>{}</caption><thead><tr>{}</tr></thead><tbody>{}</tbody></table>",
        caption,
        head,
        body,
    )


class DecidedFilter(admin.SimpleListFilter):
    """An item's decision: keep / change / remove, or none yet ("unreviewed")."""

    title = "decision"
    parameter_name = "decision"

    def lookups(self, request, model_admin):
        return [*Decision.choices, (UNREVIEWED, "Unreviewed")]

    def queryset(self, request, queryset):
        value = self.value()
        if value == UNREVIEWED:
            return queryset.filter(decision__isnull=True)
        if value in Decision.values:
            return queryset.filter(decision__decision=value)
        return queryset


@admin.register(AccessReview)
class AccessReviewAdmin(ReadOnlyAdmin):
    list_display = [
        "name",
        "org",
        "status",
        "started_by_email",
        "started_at",
        "deadline",
        "on_deadline",
        "progress",
    ]
    list_filter = ["status", "on_deadline", "org"]
    search_fields = ["name", "org__name", "started_by_email"]
    list_select_related = ["org"]
    date_hierarchy = "started_at"
    fields = [
        "console_link",
        "evidence_links",
        "name",
        "org",
        "status",
        "started_by_email",
        "started_at",
        "deadline",
        "all_workspaces",
        "workspaces",
        "include_org_roles",
        "on_deadline",
        "closed_at",
        "closed_by",
        "progress",
        "reviewers_table",
        "items_table",
    ]
    readonly_fields = ["evidence_links", "progress", "reviewers_table", "items_table"]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(item_count=Count("items"), decided_count=Count("items__decision"))
        )

    def console_url(self, obj):
        return _review_url(obj)

    @admin.display(description="Decided")
    def progress(self, obj):
        return f"{obj.decided_count} of {obj.item_count}"

    @admin.display(description="Evidence")
    def evidence_links(self, obj):
        items = reverse("admin:orgs_accessreviewitem_changelist")
        return format_html(
            '<a href="{}">Printable evidence</a> · <a href="{}">CSV</a> (console) · '
            '<a href="{}?{}">All {} items here</a>',
            _review_url(obj, "orgs:review_evidence"),
            _review_url(obj, "orgs:review_evidence_csv"),
            items,
            urlencode({"review__id__exact": obj.pk}),
            obj.item_count,
        )

    @admin.display(description="Reviewers")
    def reviewers_table(self, obj):
        reviewers = obj.reviewers.select_related("user", "workspace").order_by(
            "workspace__name", "user__email"
        )
        rows = [(r.workspace.name if r.workspace else "Org roles", r.user.email) for r in reviewers]
        return _table(("Reviews", "Reviewer"), rows, f"Reviewers of {obj.name}")

    @admin.display(description="Items and decisions")
    def items_table(self, obj):
        rows = [row_of(item) for item in evidence_items(obj)[:SHOWN_ITEMS]]
        caption = f"The first {len(rows)} of {obj.item_count} items, as in the evidence"
        return _table(HEADER, rows, caption)


@admin.register(AccessReviewItem)
class AccessReviewItemAdmin(ReadOnlyAdmin):
    list_display = [
        "email",
        "full_name",
        "kind",
        "workspace_name",
        "role",
        "decision_label",
        "decided_by",
        "review",
    ]
    list_filter = [DecidedFilter, "kind", "review__status", "review__org"]
    search_fields = ["email", "full_name", "workspace_name", "review__name"]
    list_select_related = ["review__org", "decision"]
    fields = [
        "console_link",
        "review",
        "kind",
        "workspace_name",
        "email",
        "full_name",
        "org_role",
        "role",
        "flags",
        "sources",
        "decision_label",
        "decided_by",
        "decided_at",
        "new_role",
        "note",
        "outcome",
    ]
    readonly_fields = [
        "decision_label",
        "decided_by",
        "decided_at",
        "new_role",
        "note",
        "outcome",
    ]

    def console_url(self, obj):
        return _review_url(obj.review)

    def _decision(self, obj):
        return getattr(obj, "decision", None)

    @admin.display(description="Decision")
    def decision_label(self, obj):
        decision = self._decision(obj)
        return decision.get_decision_display() if decision else "Unreviewed"

    @admin.display(description="Decided by")
    def decided_by(self, obj):
        decision = self._decision(obj)
        return decision.reviewer_email if decision else "—"

    @admin.display(description="Decided at")
    def decided_at(self, obj):
        decision = self._decision(obj)
        return decision.decided_at if decision else "—"

    @admin.display(description="New role")
    def new_role(self, obj):
        decision = self._decision(obj)
        return (decision.new_role if decision else "") or "—"

    @admin.display(description="Note")
    def note(self, obj):
        decision = self._decision(obj)
        return (decision.note if decision else "") or "—"

    @admin.display(description="Outcome")
    def outcome(self, obj):
        decision = self._decision(obj)
        return (decision.outcome if decision else "") or "—"


@admin.register(AccessReviewDecision)
class AccessReviewDecisionAdmin(ReadOnlyAdmin):
    list_display = ["item", "decision", "reviewer_email", "decided_at", "automatic", "outcome"]
    list_filter = ["decision", "automatic", "item__review__org", "item__review__status"]
    search_fields = ["item__email", "reviewer_email", "item__review__name", "outcome", "note"]
    list_select_related = ["item__review__org"]
    date_hierarchy = "decided_at"
    exclude = ["reviewer"]  # a user picker; the email copied at the decision is the evidence

    def console_url(self, obj):
        return _review_url(obj.item.review)
