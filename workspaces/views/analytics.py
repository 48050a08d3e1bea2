"""Workspace analytics: scans per day, per flow, per country and per device over a period."""

from django.shortcuts import render
from django.views.decorators.http import require_GET

from flowadmin.htmx import partial_or_page
from flowadmin.routers import replica_reads
from workspaces.decorators import workspace_view

from .. import charts, selectors
from ..forms.flows import PeriodForm


@require_GET
@workspace_view("ws.view")
@replica_reads
def analytics(request):
    period_form = PeriodForm(request.GET)
    period = selectors.Period.last(period_form.chosen_days)
    report = selectors.scan_analytics(selectors.workspace_scans(request.workspace), period)
    context = {
        "period_form": period_form,
        "analytics": report,
        "chart": charts.bar_chart(report.daily),
    }
    return render(request, partial_or_page(request, "workspaces/analytics.html", "report"), context)
