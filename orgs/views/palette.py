"""GET /jump/?q=…: the command palette's choices (orgs.palette). For the palette's fetch (an
htmx-style request, header HX-Request) the listbox options only; for a browser without
JavaScript the Jump to page, a search form with the choices as links."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.views.decorators.http import require_GET

from flowadmin import params
from flowadmin.htmx import partial_or_page

from .. import palette

QUERY_MAX = 100


@require_GET
@login_required
def jump(request):
    q = params.text(request.GET, "q", QUERY_MAX)
    context = {"q": q, "choices": palette.choices(request.user, q)}
    return render(request, partial_or_page(request, "palette.html", "options"), context)
