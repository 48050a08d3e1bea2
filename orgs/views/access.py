"""The access report download (SPEC §10): Org Admins only (capability org.export_access)."""

from django.utils import timezone
from django.views.decorators.http import require_GET

from flowadmin.downloads import csv_attachment

from ..access_report import access_report
from ..decorators import org_view


@require_GET
@org_view("org.export_access")
def access_csv(request):
    """Every person × workspace they can reach, streamed as CSV (constant memory). Read from
    the primary: the policy's bulk loader (`members_access`) queries it directly."""
    filename = f"access-{request.org.slug}-{timezone.localdate():%Y-%m-%d}.csv"
    return csv_attachment(access_report(org=request.org), filename)
