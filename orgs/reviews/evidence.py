"""The evidence of an access review for an auditor: one CSV row per item — what the person
had when the review started, who decided what and when, and what the decision changed —
streamed through the shared CSV writer (`flowadmin.downloads.csv_stream`, formula cells escaped).
The printable page (orgs/views/reviews.py) shows the same rows."""

from __future__ import annotations

from collections.abc import Iterator

from audit.recording import record
from flowadmin.downloads import csv_stream

from ..roles import FLAGS, OrgRole, WorkspaceRole
from .models import Decision, ItemKind
from .selectors import evidence_items

HEADER = (
    "scope",
    "email",
    "name",
    "org_role_at_start",
    "role_at_start",
    *FLAGS,
    "sources_at_start",
    "decision",
    "reviewer",
    "decided_at",
    "new_role",
    "outcome",
    "note",
)
UNREVIEWED = "unreviewed"


def role_label(kind: str, role: str) -> str:
    if not role:
        return ""
    return OrgRole(role).label if kind == ItemKind.ORG_ROLE else WorkspaceRole(role).label


def row_of(item) -> tuple:
    """An item as evidence cells, in HEADER order (flags yes/no; blank for org roles)."""
    decision = getattr(item, "decision", None)
    org_item = item.kind == ItemKind.ORG_ROLE
    return (
        "org role" if org_item else item.workspace_name,
        item.email,
        item.full_name,
        OrgRole(item.org_role).label,
        role_label(item.kind, item.role),
        *("" if org_item else ("yes" if item.flags.get(flag) else "no") for flag in FLAGS),
        "; ".join(item.sources),
        Decision(decision.decision).label.lower() if decision else UNREVIEWED,
        decision.reviewer_email if decision else "",
        decision.decided_at.isoformat() if decision else "",
        role_label(item.kind, decision.new_role) if decision else "",
        decision.outcome if decision else "",
        decision.note if decision else "",
    )


def _rows(review) -> Iterator[tuple]:
    for item in evidence_items(review).iterator(2000):
        yield row_of(item)


def evidence_csv(*, review) -> Iterator[str]:
    """The review's evidence as CSV lines (header first). Logged for the current actor as an
    `exported` access_review entry before the first line is produced."""
    record(
        action="exported",
        org=review.org_id,
        entity_type="access_review",
        entity_id=review.pk,
        entity_label=review.name,
        changes={"format": [None, "csv"]},
    )
    return csv_stream(HEADER, _rows(review))
