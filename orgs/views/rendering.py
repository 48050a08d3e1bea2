"""Rendering helpers shared by the console views."""

from django.core.paginator import Paginator
from django.http import StreamingHttpResponse
from django.shortcuts import render
from django.utils.http import content_disposition_header

from flowadmin.htmx import wants_partial


def render_page(request, template, context, *, partial=None, status=200):
    """The whole page, or only `partial` of it for htmx: one template per page."""
    if partial and wants_partial(request):
        template = f"{template}#{partial}"
    return render(request, template, context, status=status)


def form_partial(request, name):
    """The partial holding a form that htmx posts: swapped after a POST, never on a GET."""
    return name if request.method == "POST" else None


def paginate(request, queryset, per_page=50):
    return Paginator(queryset, per_page).get_page(request.GET.get("page"))


def csv_attachment(lines, filename):
    """A streamed CSV download of `lines` (str, e.g. from audit.export.csv_stream): private,
    never cached, never sniffed as another type."""
    response = StreamingHttpResponse(lines, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = content_disposition_header(True, filename)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
