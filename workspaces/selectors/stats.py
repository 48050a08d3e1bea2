"""Counts for the Org Admin console, computed by the database in a constant number of queries
however many workspaces, members or scans the org has.

Every per-workspace number is a correlated COUNT subquery (no JOIN fan-out between unrelated
tables), so one SELECT returns all rows with their numbers, and one more returns the org totals.
Scans are summed from the daily rollups (ScanDay), never counted row by row; the org totals read
the org's running counts (OrgTally) and daily scans (OrgScanDay), kept by the database.
"""

from django.db import connection, connections, router
from django.db.models import Count, IntegerField, OuterRef, Subquery, Sum

from flowadmin.model_rows import ModelRows
from orgs.models import Domain, IntegrationInstallation, Organization, OrgMembership, Team

from ..models import (
    Asset,
    AudienceContact,
    BrandKit,
    Flow,
    FlowTemplate,
    OrgScanDay,
    OrgTally,
    Scan,
    ScanDay,
    TeamAccess,
    Workspace,
    WorkspaceMembership,
)
from . import Period, scan_days_in


class SubqueryCount(Subquery):
    """COUNT(*) of a queryset as a scalar subquery (0 when empty)."""

    template = "(SELECT COUNT(*) FROM (%(subquery)s) _count)"
    output_field = IntegerField()

    def __init__(self, queryset, **kwargs):
        super().__init__(queryset.order_by().values("pk"), **kwargs)


class SubquerySum(Subquery):
    """SUM of one column of a queryset as a scalar subquery (0 when empty)."""

    template = "(SELECT COALESCE(SUM(_sum.%(column)s), 0) FROM (%(subquery)s) _sum)"
    output_field = IntegerField()

    def __init__(self, queryset, column: str, **kwargs):
        super().__init__(queryset.order_by().values(column), column=column, **kwargs)


def _in_workspace(model, **filters):
    return SubqueryCount(model.objects.filter(workspace=OuterRef("pk"), **filters))


def workspaces_with_counts(org, period: Period | None = None):
    """The org's workspaces annotated with `member_count` (direct members) and `team_count`;
    with a period also `flow_count`, `scan_count` (scans in the period) and `audience_count`."""
    qs = Workspace.objects.filter(org=org).annotate(
        member_count=_in_workspace(WorkspaceMembership),
        team_count=_in_workspace(TeamAccess),
    )
    if period is not None:
        qs = qs.annotate(
            flow_count=_in_workspace(Flow),
            scan_count=SubquerySum(scan_days_in(period, workspace=OuterRef("pk")), "scans"),
            audience_count=_in_workspace(AudienceContact),
        )
    return qs


# The dashboard's workspace table in plain SQL (the numbers of workspaces_with_counts(org,
# period), ordered): through the ORM the five annotated subqueries were compiled on every
# request, ~5,500 Python calls for 25 rows. ORDER BY clauses by sort key (names only).
DASHBOARD_ORDERS = {
    "name": "w.name, w.id",
    "members": "member_count DESC, w.name",
    "flows": "flow_count DESC, w.name",
    "scans": "scan_count DESC, w.name",
    "audience": "audience_count DESC, w.name",
}
_WORKSPACE_COUNTS_SQL = """
SELECT {columns},
    (SELECT count(*) FROM workspaces_workspacemembership m WHERE m.workspace_id = w.id)
        AS member_count,
    (SELECT count(*) FROM workspaces_teamaccess a WHERE a.workspace_id = w.id) AS team_count,
    (SELECT count(*) FROM workspaces_flow f WHERE f.workspace_id = w.id) AS flow_count,
    (SELECT COALESCE(SUM(d.scans), 0) FROM workspaces_scanday d
     WHERE d.workspace_id = w.id AND d.day >= %s AND d.day <= %s) AS scan_count,
    (SELECT count(*) FROM workspaces_audiencecontact c WHERE c.workspace_id = w.id)
        AS audience_count
FROM workspaces_workspace w WHERE w.org_id = %s
ORDER BY {order} LIMIT %s OFFSET %s"""


COUNT_NAMES = ("member_count", "team_count", "flow_count", "scan_count", "audience_count")
_WORKSPACE_ROWS = ModelRows(Workspace)


class WorkspacesWithCounts:
    """The org's workspaces with the numbers of `workspaces_with_counts(org, period)`
    (member_count, team_count, flow_count, scan_count, audience_count), in the order of
    DASHBOARD_ORDERS[sort], for a Paginator: a slice is one query of that page's rows
    (Workspace instances, made by flowadmin.model_rows), `count()` one COUNT."""

    def __init__(self, org, period: Period, sort: str):
        self.org, self.period, self.order = org, period, DASHBOARD_ORDERS[sort]

    def count(self) -> int:
        return Workspace.objects.filter(org=self.org).count()

    def __getitem__(self, window: slice) -> list:
        start, stop = window.start or 0, window.stop
        connection = connections[router.db_for_read(Workspace)]
        columns = _WORKSPACE_ROWS.columns(connection, "w")
        sql = _WORKSPACE_COUNTS_SQL.format(columns=columns, order=self.order)
        params = [self.period.first_day, self.period.last_day, self.org.pk, stop - start, start]
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
        workspaces = []
        for row in rows:
            workspace = _WORKSPACE_ROWS.instance(connection, row)
            for name, value in zip(COUNT_NAMES, row[_WORKSPACE_ROWS.width :], strict=True):
                setattr(workspace, name, value)
            workspaces.append(workspace)
        return workspaces


# The org's totals in one statement of plain SQL: through the ORM (five annotated subqueries
# compiled on every request) it cost the dashboard ~5,000 Python calls for a query of 0.3 ms.
_TOTALS_SQL = """
SELECT (SELECT count(*) FROM workspaces_workspace WHERE org_id = %s),
       (SELECT count(*) FROM orgs_team WHERE org_id = %s),
       COALESCE(t.members, 0), COALESCE(t.flows, 0), COALESCE(t.audience, 0), {scans}
FROM (SELECT 1 AS one) AS org_row LEFT JOIN workspaces_orgtally t ON t.org_id = %s"""
_PERIOD_SCANS_SQL = """(SELECT COALESCE(SUM(scans), 0) FROM workspaces_orgscanday
    WHERE org_id = %s AND day >= %s AND day <= %s)"""


def org_totals(org, period: Period, *, scans: int | None = None) -> dict:
    """{"workspaces", "members", "teams", "flows", "scans", "audience": int} for the whole org,
    in one query: workspaces and teams counted, members, flows and audience contacts read from
    the org's running counts (OrgTally, one row), scans in the period summed from its daily
    scans (OrgScanDay, a row a day). `scans`: the period's total when the caller already has it
    (the dashboard's chart, org_daily_scans), so those rows are not read twice."""
    params = [org.pk, org.pk]
    if scans is None:
        sql = _TOTALS_SQL.format(scans=_PERIOD_SCANS_SQL)
        params += [org.pk, period.first_day, period.last_day]
    else:
        sql = _TOTALS_SQL.format(scans="NULL")
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, org.pk])
        workspaces, teams, members, flows, audience, in_period = cursor.fetchone()
    return {
        "workspaces": workspaces,
        "members": members,
        "teams": teams,
        "flows": flows,
        "scans": in_period if scans is None else scans,
        "audience": audience,
    }


def _counts_of(queryset, counts: dict) -> dict:
    """Evaluate the `counts` subqueries for the single row of `queryset`, in one query.
    (Aliased with a prefix: names like "flows" are also reverse relations of the models.)"""
    row = queryset.annotate(**{f"n_{name}": expr for name, expr in counts.items()}).values(
        *(f"n_{name}" for name in counts)
    )
    return {name[2:]: value for name, value in row.get().items()}


def workspace_contents(workspace) -> dict:
    """What deleting a workspace destroys, counted in one query."""
    counts = {
        "members": _in_workspace(WorkspaceMembership),
        "teams": _in_workspace(TeamAccess),
        "flows": _in_workspace(Flow),
        "scans": _in_workspace(Scan),
        "templates": _in_workspace(FlowTemplate),
        "assets": _in_workspace(Asset),
        "brand_kits": _in_workspace(BrandKit),
        "audience": _in_workspace(AudienceContact),
        "integrations": _in_workspace(IntegrationInstallation),
        "domains": _in_workspace(Domain),
    }
    return _counts_of(Workspace.objects.filter(pk=workspace.pk), counts)


def teams_with_counts(org):
    """The org's teams with `member_count` and `workspace_count`."""
    return Team.objects.filter(org=org).annotate(
        member_count=SubqueryCount(Team.members.through.objects.filter(team=OuterRef("pk"))),
        workspace_count=SubqueryCount(TeamAccess.objects.filter(team=OuterRef("pk"))),
    )


def org_tallies_drift() -> list[tuple[str, int, object, int, int]]:
    """Where the running counts differ from the rows: [(what, org id, day or None, kept,
    counted)] with what one of "members", "flows", "audience", "scans"; [] when they agree.
    Reads every org's rows (for tests and checks, not for pages)."""
    drift = []
    kept = {t.org_id: t for t in OrgTally.objects.all()}
    counted = {
        "members": dict(
            OrgMembership.objects.order_by()
            .values("org")
            .annotate(n=Count("pk"))
            .values_list("org", "n")
        ),
        "flows": dict(
            Flow.objects.order_by()
            .values("workspace__org")
            .annotate(n=Count("pk"))
            .values_list("workspace__org", "n")
        ),
        "audience": dict(
            AudienceContact.objects.order_by()
            .values("workspace__org")
            .annotate(n=Count("pk"))
            .values_list("workspace__org", "n")
        ),
    }
    for org_id in Organization.objects.values_list("pk", flat=True):
        for what, counts in counted.items():
            have = getattr(kept[org_id], what) if org_id in kept else 0
            if have != counts.get(org_id, 0):
                drift.append((what, org_id, None, have, counts.get(org_id, 0)))
    days = {
        (org, day): n
        for org, day, n in ScanDay.objects.order_by()
        .values("workspace__org", "day")
        .annotate(n=Sum("scans"))
        .values_list("workspace__org", "day", "n")
    }
    org_days = dict(
        ((org, day), n) for org, day, n in OrgScanDay.objects.values_list("org", "day", "scans")
    )
    for key in sorted(set(days) | set(org_days), key=str):
        if days.get(key, 0) != org_days.get(key, 0):
            drift.append(("scans", key[0], key[1], org_days.get(key, 0), days.get(key, 0)))
    return drift
