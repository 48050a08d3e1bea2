"""The access report (SPEC §10): one CSV row per person × workspace they can reach, with the
effective workspace role, each Fine-Grained Permission, where the access comes from and when
it ends (`until`: the last day it counts, empty when some source does not end). The
view (/orgs/<org>/access.csv) and `manage.py export_access` both stream `access_report()`."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from audit.recording import record
from flowadmin.downloads import csv_stream
from workspaces.models import Workspace

from . import expiry, permissions
from .models import User
from .roles import FLAGS, OrgRole

HEADER = (
    "email",
    "name",
    "primary_role",
    "workspace",
    "workspace_role",
    *FLAGS,
    "sources",
    "until",
)


def source_text(source: permissions.Source) -> str:
    """'direct', 'via team <name>' or 'as Org Admin', with ' until YYYY-MM-DD' (the last day
    it counts, orgs.expiry) when the source ends."""
    if source.kind == permissions.TEAM:
        text = f"via team {source.team}"
    else:
        text = "as Org Admin" if source.kind == permissions.ORG_ADMIN else "direct"
    return f"{text} until {day_text(source.until)}" if source.until else text


def day_text(until) -> str:
    """The last day a grant ending at `until` counts, YYYY-MM-DD ("" for no end)."""
    day = expiry.last_day(until)
    return day.isoformat() if day else ""


@dataclass(frozen=True)
class AccessRow:
    """One person's effective access to one workspace (the report's row, and the snapshot an
    access review starts from)."""

    user_id: int
    email: str
    name: str
    org_role: str
    workspace_id: int
    workspace_name: str
    access: permissions.WorkspaceAccess

    @property
    def sources(self) -> list[str]:
        return [source_text(source) for source in self.access.sources]


def access_rows(org, workspace_ids=None, *, members=None) -> Iterator[AccessRow]:
    """Every person × workspace of `org` they reach (only `workspace_ids` when given), by
    email then workspace name: three queries whatever the size (the org's members, its
    workspaces, and the policy's bulk loader `members_access`, unless given as `members`)."""
    access = permissions.members_access(org) if members is None else members
    people = User.objects.filter(org_memberships__org=org).order_by("email")
    workspaces = Workspace.objects.filter(org=org)
    if workspace_ids is not None:
        workspaces = workspaces.filter(pk__in=list(workspace_ids))
    workspaces = list(workspaces.order_by("name", "pk").values_list("pk", "name"))
    for user_id, email, name in people.values_list("pk", "email", "full_name").iterator(2000):
        member = access.get(user_id)
        for ws_id, ws_name in workspaces if member else ():
            ws_access = member.workspace(ws_id)
            if ws_access is not None:
                yield AccessRow(user_id, email, name, member.org_role, ws_id, ws_name, ws_access)


def _rows(org) -> Iterator[tuple]:
    """Rows in HEADER order."""
    for row in access_rows(org):
        yield (
            row.email,
            row.name,
            OrgRole(row.org_role).label,
            row.workspace_name,
            row.access.role_label,
            *("yes" if row.access.flags[flag] else "no" for flag in FLAGS),
            "; ".join(row.sources),
            day_text(row.access.until),
        )


def access_report(*, org) -> Iterator[str]:
    """The report of `org` as CSV lines (str, header first), cells formula-escaped by the
    shared exporter. Every access report goes through here, which logs it for the current
    actor (action `exported`, entity `access_report`) before the first line is produced."""
    record(
        action="exported",
        org=org,
        entity_type="access_report",
        entity_id=org.pk,
        entity_label=f"Access report of {org.name}",
        changes={"format": [None, "csv"]},
    )
    return csv_stream(HEADER, _rows(org))
