"""Reads of the access review pages, each a constant number of queries whatever the size."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count

from flowadmin.params import integer

from .models import AccessReview, AccessReviewer, AccessReviewItem, ItemKind

ORG_SCOPE = "org"  # the org roles' scope in URLs (?scope=org); a workspace's is its id


def reviews_for(org, user, *, every: bool):
    """The org's reviews, newest first, with item and decision counts: all of them (`every`,
    for Org Admins) or those `user` reviews."""
    reviews = AccessReview.objects.filter(org=org)
    if not every:
        reviews = reviews.filter(
            pk__in=AccessReviewer.objects.filter(user=user).values("review_id")
        )
    return reviews.annotate(
        item_count=Count("items", distinct=True),
        decided_count=Count("items__decision", distinct=True),
    ).order_by("-started_at", "-pk")


def open_reviews_to_do(user, org_ids) -> dict[int, int]:
    """{org id: open reviews `user` reviews} for the home page: one query (none without
    orgs)."""
    if not org_ids:
        return {}
    rows = (
        AccessReviewer.objects.filter(user=user, review__status="open", review__org_id__in=org_ids)
        .values("review__org_id")
        .annotate(n=Count("review", distinct=True))
    )
    return {row["review__org_id"]: row["n"] for row in rows}


@dataclass
class Scope:
    """One part of a review: a workspace (key its id) or the org roles (key None)."""

    key: int | None
    name: str
    total: int = 0
    decided: int = 0
    reviewers: list = field(default_factory=list)  # AccessReviewer rows with their user

    @property
    def param(self) -> str:
        return ORG_SCOPE if self.key is None else str(self.key)

    @property
    def pending(self) -> int:
        return self.total - self.decided


def scopes(review, user=None) -> list[Scope]:
    """The review's scopes with their counts and reviewers (only those `user` reviews, when
    given), workspaces by name then the org roles: three queries."""
    found: dict = {}
    for ws in review.workspaces.order_by("name", "pk").values("pk", "name"):
        found[ws["pk"]] = Scope(ws["pk"], ws["name"])
    counts = (
        AccessReviewItem.objects.filter(review=review)
        .values("kind", "workspace_id", "workspace_name")
        .annotate(total=Count("pk"), decided=Count("decision"))
        .order_by()
    )
    for row in counts:
        key = row["workspace_id"] if row["kind"] == ItemKind.WORKSPACE else None
        scope = found.get(key)
        if scope is None:
            name = row["workspace_name"] if key is not None else "Org roles"
            scope = found[key] = Scope(key, name or "(deleted workspace)")
        scope.total += row["total"]
        scope.decided += row["decided"]
    if review.include_org_roles and None not in found:
        found[None] = Scope(None, "Org roles")
    if None in found:
        found[None] = found.pop(None)  # last
    reviewers = AccessReviewer.objects.filter(review=review).select_related("user")
    if user is not None:
        reviewers = reviewers.filter(user=user)
    mine = set()
    for reviewer in reviewers.order_by("user__email"):
        if reviewer.workspace_id in found:
            found[reviewer.workspace_id].reviewers.append(reviewer)
            mine.add(reviewer.workspace_id)
    result = list(found.values())
    return [s for s in result if s.key in mine] if user is not None else result


def parse_scope(params, name="scope") -> int | None | bool:
    """The `name` parameter of `params` (request.GET / POST) as a scope key: None for the org
    roles, an int for a workspace, False when absent or malformed."""
    if params.get(name) == ORG_SCOPE:
        return None
    key = integer(params, name)
    return False if key is None else key


def queue_items(review, scope_key):
    """One scope's items with their decisions, in queue order (the view shows a page of them:
    one COUNT, one SELECT)."""
    items = AccessReviewItem.objects.filter(review=review).select_related(
        "decision", "decision__reviewer"
    )
    if scope_key is None:
        items = items.filter(kind=ItemKind.ORG_ROLE)
    else:
        items = items.filter(kind=ItemKind.WORKSPACE, workspace_id=scope_key)
    return items.order_by("email", "pk")


def evidence_items(review):
    """Every item with its decision, in evidence order (one query, read in chunks)."""
    return (
        AccessReviewItem.objects.filter(review=review)
        .select_related("decision")
        .order_by("kind", "workspace_name", "email", "pk")
    )
