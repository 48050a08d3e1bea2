"""The benchmark's URLs: the site's own, plus what its figures are compared with —

- `/bench/stock-admin/`: Django's admin with a **stock** ModelAdmin for the activity log
  (list_filter, search_fields, date_hierarchy, nothing tuned), beside the activity page and the
  project's tuned admin changelist;
- `/bench/redirect` (a bare Django redirect view) and `/bench/select/<code>` (one indexed
  SELECT of the flow, then the redirect): the baselines of the scan redirect `/s/<code>` under
  gunicorn (bench/serving.py).
"""

from django.contrib import admin
from django.http import Http404, HttpResponseRedirect
from django.urls import path

from audit.models import ActivityEntry
from flowadmin.urls import urlpatterns as site_urlpatterns
from workspaces.models import Flow, FlowStatus

stock_site = admin.AdminSite(name="stock_admin")


@admin.register(ActivityEntry, site=stock_site)
class StockActivityAdmin(admin.ModelAdmin):
    """What `admin.site.register(ActivityEntry)` with the obvious options gives."""

    list_display = ["created_at", "actor_email", "action", "entity_type", "entity_label"]
    list_filter = ["action", "entity_type"]
    search_fields = ["actor_email", "entity_label"]
    date_hierarchy = "created_at"


def bare_redirect(request):
    return HttpResponseRedirect("https://example.com/menu")


def select_redirect(request, code):
    row = (
        Flow.objects.filter(short_code=code, status=FlowStatus.ACTIVE)
        .order_by()
        .values_list("destination_url", flat=True)[:1]
    )
    destination = next(iter(row), None)
    if destination is None:
        raise Http404
    return HttpResponseRedirect(destination)


urlpatterns = [
    path("bench/stock-admin/", stock_site.urls),
    path("bench/redirect", bare_redirect),
    path("bench/select/<str:code>", select_redirect),
    *site_urlpatterns,
]
