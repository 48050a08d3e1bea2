"""The public scan redirect `GET /s/<code>`: the hot path of the whole product.

It runs for anonymous visitors at print-campaign volume, so it reads one row, inserts one row
and answers: no session, no user, no template, no CSRF token. On the console's hosts it serves
every flow; on a whitelabel domain only the flows of workspaces that use that domain.
"""

import re

from django.http import HttpResponseNotFound, HttpResponseRedirect
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from flowadmin.hosts import is_app_host, request_hostname
from orgs.models import DomainStatus

from .. import services, visitors
from ..models import Flow, FlowStatus

_SHORT_CODE = re.compile(r"^[A-Za-z0-9_-]{1,16}$")


def not_found() -> HttpResponseNotFound:
    return HttpResponseNotFound(
        "No active flow has this short link.\n", content_type="text/plain; charset=utf-8"
    )


@never_cache  # every scan must reach the server to be counted
@require_safe
def scan_redirect(request, code):
    if not _SHORT_CODE.match(code):
        return not_found()
    flows = Flow.objects.filter(short_code=code, status=FlowStatus.ACTIVE)
    hostname = request_hostname(request)
    if not is_app_host(hostname):
        # A whitelabel domain serves only the flows of the workspaces that use it: no tenant
        # can mint links on another tenant's brand.
        flows = flows.filter(
            workspace__whitelabel_domain__hostname=hostname,
            workspace__whitelabel_domain__status=DomainStatus.VERIFIED,
        )
    flow = flows.order_by().values_list("pk", "workspace_id", "destination_url")[:1]
    row = next(iter(flow), None)
    if row is None:
        return not_found()
    flow_id, workspace_id, destination = row
    if request.method == "GET":  # HEAD (link checkers, unfurlers) is answered, not counted
        services.scan_record(
            flow_id=flow_id,
            workspace_id=workspace_id,
            country=visitors.country_from_meta(request.META),
            device=visitors.device_class(request.headers.get("User-Agent", "")),
        )
    return HttpResponseRedirect(destination)
