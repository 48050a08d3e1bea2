"""The Org Admin console's Dashboard: org totals, scans per day, a row per workspace."""

from django.views.decorators.http import require_GET

from audit.selectors import recent_entries
from flowadmin.htmx import paginate, render_page, wants_partial
from workspaces import charts, selectors
from workspaces.selectors.stats import DASHBOARD_ORDERS, WorkspacesWithCounts, org_totals

from ..dashboard_rows import entry_rows, workspace_rows
from ..decorators import org_view

DAYS = 30  # the dashboard counts scans over the last 30 days


@require_GET
@org_view("org.view_console")
def dashboard(request):
    org = request.org
    period = selectors.Period.last(DAYS)
    sort = request.GET.get("sort") if request.GET.get("sort") in DASHBOARD_ORDERS else "name"
    rows = WorkspacesWithCounts(org, period, sort)
    context = {
        "sort": sort,
        "sorts": [
            ("name", "Workspace"),
            ("members", "Members"),
            ("flows", "Flows"),
            ("scans", "Scans (30 days)"),
            ("audience", "Audience"),
        ],
    }
    count = None  # the paginator counts the workspaces unless the totals did
    if not wants_partial(request):
        analytics = selectors.org_daily_scans(org, period)
        # the scans total is the chart's: the daily rollups are read once
        context["totals"] = totals = org_totals(org, period, scans=analytics.total)
        context["analytics"] = analytics
        context["chart"] = charts.bar_chart(analytics.daily)
        context["recent_rows"] = entry_rows(org, recent_entries(org, limit=8))
        count = totals["workspaces"]
    page = paginate(request, rows, per_page=25, count=count)
    context["page"] = page
    context["workspace_rows"] = workspace_rows(org, page)
    return render_page(request, "orgs/dashboard.html", context, partial="workspace_table")
