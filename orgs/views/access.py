"""The access report download (SPEC §10): Org Admins only (capability org.export_access)."""

from django.http import StreamingHttpResponse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET

from ..access_report import access_report
from ..decorators import org_view


@org_view("org.export_access")
@require_GET
def access_csv(request):
    """Every person × workspace they can reach, streamed as CSV (constant memory). Read from
    the primary: the policy's bulk loader (`members_access`) queries it directly."""
    response = StreamingHttpResponse(
        access_report(org=request.org), content_type="text/csv; charset=utf-8"
    )
    filename = f"access-{request.org.slug}-{timezone.localdate():%Y-%m-%d}.csv"
    response["Content-Disposition"] = content_disposition_header(True, filename)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
