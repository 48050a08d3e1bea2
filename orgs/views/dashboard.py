"""The Org Admin console's Dashboard: org totals, scans per day, a row per workspace."""

from django.views.decorators.http import require_GET

from audit.selectors import recent_entries

from ..charts import BarChart
from ..decorators import org_view
from ..stats import Window, org_totals, scans_per_day, workspaces_with_counts
from .rendering import paginate, render_page, wants_partial

# ?sort= values of the workspace table → ORDER BY
SORTS = {
    "name": ["name", "pk"],
    "members": ["-member_count", "name"],
    "flows": ["-flow_count", "name"],
    "scans": ["-scan_count", "name"],
    "audience": ["-audience_count", "name"],
}


@org_view("org.view_console")
@require_GET
def dashboard(request):
    org = request.org
    window = Window.last_days()
    sort = request.GET.get("sort") if request.GET.get("sort") in SORTS else "name"
    rows = workspaces_with_counts(org, window).order_by(*SORTS[sort])
    context = {
        "window": window,
        "sort": sort,
        "sorts": [
            ("name", "Workspace"),
            ("members", "Members"),
            ("flows", "Flows"),
            ("scans", "Scans (30 days)"),
            ("audience", "Audience"),
        ],
        "page": paginate(request, rows, per_page=25),
    }
    if not wants_partial(request):
        context["totals"] = org_totals(org, window)
        context["chart"] = BarChart(scans_per_day(org, window))
        context["recent_activity"] = recent_entries(org, limit=8)
    return render_page(request, "orgs/dashboard.html", context, partial="workspace_table")
