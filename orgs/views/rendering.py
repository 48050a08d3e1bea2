"""Rendering helpers shared by the console views."""

from django.core.paginator import Paginator
from django.shortcuts import render

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
