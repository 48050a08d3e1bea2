import re
from datetime import datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.factories import (
    AudienceContactFactory,
    FlowFactory,
    OrganizationFactory,
    OrgMembershipFactory,
    ScanFactory,
    TeamFactory,
    WorkspaceFactory,
    WorkspaceMembershipFactory,
)
from tests.orgs.console import HTMX, html, logged_in
from workspaces import selectors
from workspaces.models import Workspace
from workspaces.selectors.stats import org_totals

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_seeded_content")]

DASHBOARD = "/orgs/acme/"


def add_content(workspace, *, flows=1, scans_per_flow=2, contacts=1, days_ago=1):
    """Flows with scans on the calendar day `days_ago` days before today (the current time
    zone's date, as the dashboard counts): in its first minutes, whatever the clock says, so
    that "today" never spills into yesterday just after midnight."""
    day = timezone.localdate() - timedelta(days=days_ago)
    start = datetime.combine(day, datetime.min.time(), tzinfo=timezone.get_current_timezone())
    for _ in range(flows):
        flow = FlowFactory(workspace=workspace)
        for n in range(scans_per_flow):
            ScanFactory(flow=flow, scanned_at=start + timedelta(seconds=n))
    for _ in range(contacts):
        AudienceContactFactory(workspace=workspace)


def test_totals_count_every_workspace_of_the_org_and_nothing_else(acme, globex):
    marketing = Workspace.objects.get(org=acme, slug="marketing")
    sales = Workspace.objects.get(org=acme, slug="sales")
    add_content(marketing, flows=2, scans_per_flow=3, contacts=4)
    add_content(sales, flows=1, scans_per_flow=1, contacts=0)
    add_content(sales, flows=1, scans_per_flow=5, contacts=0, days_ago=45)  # outside window
    add_content(Workspace.objects.get(org=globex), flows=3, scans_per_flow=3, contacts=3)

    totals = org_totals(acme, selectors.Period.last(30))

    assert totals == {
        "workspaces": 3,
        "members": 8,
        "teams": 1,
        "flows": 4,
        "scans": 7,
        "audience": 4,
    }
    # given the chart's total, the totals do not read the daily rollups again; members,
    # flows and contacts come from the org's running counts (OrgTally), not their tables
    with CaptureQueriesContext(connection) as queries:
        assert org_totals(acme, selectors.Period.last(30), scans=7) == totals
    (sql,) = (query["sql"] for query in queries.captured_queries)
    assert "scanday" not in sql.lower()
    tables = set(re.findall(r"\b(?:orgs|workspaces)_[a-z]+\b", sql))
    assert tables == {"workspaces_workspace", "orgs_team", "workspaces_orgtally"}


def test_the_chart_reads_a_row_a_day_of_the_org(acme):
    """Its time does not grow with the org's workspaces: it reads the org's daily scans
    (OrgScanDay), not each workspace's (ScanDay)."""
    add_content(Workspace.objects.get(org=acme, slug="marketing"), scans_per_flow=3)
    add_content(Workspace.objects.get(org=acme, slug="sales"), scans_per_flow=2, days_ago=2)
    with CaptureQueriesContext(connection) as queries:
        analytics = selectors.org_daily_scans(acme, selectors.Period.last(30))
    (sql,) = (query["sql"] for query in queries.captured_queries)
    assert '"workspaces_orgscanday"' in sql and '"workspaces_scanday"' not in sql
    assert analytics.total == 5 and analytics.daily[-2][1] == 3 and analytics.daily[-3][1] == 2


def test_dashboard_shows_the_totals(client, demo, acme):
    add_content(Workspace.objects.get(org=acme, slug="marketing"), flows=2, scans_per_flow=3)
    page = html(logged_in(client, demo).get(DASHBOARD))
    assert '<dt class="label">Scans, last 30 days</dt><dd class="value">6</dd>' in page
    assert '<dt class="label">Flows</dt><dd class="value">2</dd>' in page
    assert '<dt class="label">Members</dt><dd class="value">8</dd>' in page


def test_scans_are_grouped_per_day_with_empty_days(acme):
    period = selectors.Period.last(30)
    flow = FlowFactory(workspace=Workspace.objects.get(org=acme, slug="events"))
    noon = datetime.combine(
        period.last_day, datetime.min.time(), tzinfo=timezone.get_current_timezone()
    )
    for offset in [0, 0, 2, 29, 30]:
        ScanFactory(flow=flow, scanned_at=noon - timedelta(days=offset) + timedelta(hours=12))

    per_day = selectors.org_daily_scans(acme, period).daily

    assert per_day == selectors.daily_scan_counts(selectors.org_scans(acme), period)
    assert len(per_day) == 30
    assert per_day[-1] == (period.last_day, 2)
    assert per_day[-3] == (period.last_day - timedelta(days=2), 1)
    assert per_day[0] == (period.first_day, 1)
    assert sum(n for _, n in per_day) == 4  # 30 days ago is outside the period


def test_chart_is_an_accessible_svg_with_a_table(client, demo, acme):
    add_content(Workspace.objects.get(org=acme, slug="marketing"), scans_per_flow=3, days_ago=0)
    page = html(logged_in(client, demo).get(DASHBOARD))
    assert '<svg class="chart"' in page
    assert 'role="group" aria-labelledby="chart-title" aria-describedby="chart-summary"' in page
    assert page.count('<rect class="bar"') == 30
    assert page.count('role="listitem" tabindex="0"') == 1  # one tab stop: the last day
    assert "3 scans from" in page
    assert ": 3 scans</title>" in page
    assert "Scans per day as a table" in page


def test_todays_scans_are_todays_just_after_midnight(client, demo, acme, monkeypatch):
    """Run at 00:01 the test above once split its three scans over two days (they were made
    at now − n minutes); the scans of a day are counted on that day at any hour."""
    start = datetime.combine(
        timezone.localdate(), datetime.min.time(), tzinfo=timezone.get_current_timezone()
    )
    monkeypatch.setattr(timezone, "now", lambda: start + timedelta(minutes=1))
    add_content(Workspace.objects.get(org=acme, slug="marketing"), scans_per_flow=3, days_ago=0)
    analytics = logged_in(client, demo).get(DASHBOARD).context["analytics"]
    assert analytics.daily[-1] == (start.date(), 3)
    assert analytics.daily[-2][1] == 0


def test_a_row_per_workspace_with_its_numbers(client, demo, acme):
    marketing = Workspace.objects.get(org=acme, slug="marketing")
    add_content(marketing, flows=2, scans_per_flow=2, contacts=3)
    response = logged_in(client, demo).get(DASHBOARD)
    row = next(ws for ws in response.context["page"] if ws.slug == "marketing")
    assert (row.member_count, row.flow_count, row.scan_count, row.audience_count) == (5, 2, 4, 3)
    sales = next(ws for ws in response.context["page"] if ws.slug == "sales")
    assert (sales.member_count, sales.team_count) == (0, 1)
    assert 'href="/orgs/acme/w/marketing/"' in html(response)


def test_workspace_table_sorts_by_scans(client, demo, acme):
    add_content(Workspace.objects.get(org=acme, slug="sales"), scans_per_flow=5)
    add_content(Workspace.objects.get(org=acme, slug="events"), scans_per_flow=2)
    response = logged_in(client, demo).get(DASHBOARD + "?sort=scans")
    assert [ws.slug for ws in response.context["page"]] == ["sales", "events", "marketing"]


def test_unknown_sort_falls_back_to_name(client, demo):
    response = logged_in(client, demo).get(DASHBOARD + "?sort=password")
    assert response.context["sort"] == "name"
    assert [ws.slug for ws in response.context["page"]] == ["events", "marketing", "sales"]


def test_htmx_gets_only_the_workspace_table(client, demo):
    response = logged_in(client, demo).get(DASHBOARD + "?sort=members", headers=HTMX)
    page = html(response)
    assert page.lstrip().startswith('<section id="workspace-table"')
    assert "<svg" not in page
    assert "<html" not in page


def test_workspace_table_paginates(client, demo, acme):
    for n in range(30):
        WorkspaceFactory(org=acme, name=f"Zz {n:02}")
    response = logged_in(client, demo).get(DASHBOARD + "?page=2")
    assert len(response.context["page"]) == 8
    assert "Page 2 of 2" in html(response)


def test_empty_org_shows_an_empty_state(client, db):
    membership = OrgMembershipFactory(admin=True, org__slug="empty")
    client.force_login(membership.user)
    page = html(client.get("/orgs/empty/"))
    assert "has no workspaces yet" in page
    assert "No scans yet between" in page


def grow(org, workspaces):
    """More of everything the dashboard counts."""
    for _ in range(workspaces):
        ws = WorkspaceFactory(org=org)
        WorkspaceMembershipFactory(workspace=ws, user=OrgMembershipFactory(org=org).user)
        add_content(ws, flows=2, scans_per_flow=3, contacts=2)
    TeamFactory(org=org)


def test_dashboard_query_count_does_not_grow_with_the_org(
    client, demo, acme, django_assert_max_num_queries
):
    logged_in(client, demo)
    grow(acme, 1)
    with django_assert_max_num_queries(9):
        client.get(DASHBOARD)
    grow(acme, 12)
    with django_assert_max_num_queries(9):
        client.get(DASHBOARD)


def test_dashboard_reads_daily_rollups_not_scans(client, demo, acme):
    """Its time does not grow with the scans, nor with other orgs' data: no query reads the
    scans table; scans come from the org's ScanDay rows."""
    add_content(Workspace.objects.get(org=acme, slug="sales"), scans_per_flow=5)
    logged_in(client, demo)
    with CaptureQueriesContext(connection) as queries:
        for url in (DASHBOARD, DASHBOARD + "?sort=scans"):
            assert client.get(url).status_code == 200
    tables = set(re.findall(r"\bworkspaces_[a-z]+\b", " ".join(q["sql"] for q in queries)))
    assert "workspaces_scan" not in tables
    assert {"workspaces_scanday", "workspaces_orgscanday"} <= tables


def test_no_other_org_sees_the_dashboard_numbers(client, demo):
    other = OrganizationFactory(slug="other")
    OrgMembershipFactory(org=other, user=demo["admin@acme.test"], role="user")
    client.force_login(demo["admin@acme.test"])
    assert client.get("/orgs/other/").status_code == 403


@pytest.mark.parametrize(
    ("sort", "order"),
    [
        ("name", ["name", "pk"]),
        ("members", ["-member_count", "name"]),
        ("flows", ["-flow_count", "name"]),
        ("scans", ["-scan_count", "name"]),
        ("audience", ["-audience_count", "name"]),
    ],
)
def test_the_tables_sql_gives_the_orms_rows_and_order(acme, sort, order):
    """WorkspacesWithCounts (plain SQL, the dashboard's) pages through the same workspaces with
    the same numbers, in the same order, as workspaces_with_counts ordered through the ORM."""
    from workspaces.selectors.stats import WorkspacesWithCounts, workspaces_with_counts

    grow(acme, 7)
    add_content(Workspace.objects.get(org=acme, slug="sales"), flows=2, scans_per_flow=4)
    period = selectors.Period.last(30)
    fields = ["pk", "name", "slug", "member_count", "team_count", "flow_count", "scan_count"]
    fields.append("audience_count")

    def shown(rows):
        return [tuple(getattr(ws, name) for name in fields) for ws in rows]

    orm = workspaces_with_counts(acme, period).order_by(*order)
    sql = WorkspacesWithCounts(acme, period, sort)
    assert sql.count() == orm.count() == 10
    for window in (slice(0, 4), slice(4, 8), slice(8, 12)):
        assert shown(sql[window]) == shown(orm[window])
