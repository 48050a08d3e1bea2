"""File downloads the views stream."""

from django.http import StreamingHttpResponse
from django.utils.http import content_disposition_header


def csv_attachment(lines, filename):
    """A streamed CSV download of `lines` (str, e.g. from audit.export.csv_stream): private,
    never cached, never sniffed as another type."""
    response = StreamingHttpResponse(lines, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = content_disposition_header(True, filename)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
