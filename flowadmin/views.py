"""Project-level pages: home, liveness, error pages."""

from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from orgs import selectors
from orgs.decorators import CapabilityDenied


@require_GET
@login_required
def home(request):
    return render(request, "home.html", {"listing": selectors.home_listing(request.user)})


@require_GET
@never_cache
def healthz(request):
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return HttpResponse("ok", content_type="text/plain")


def permission_denied(request, exception=None):
    context = {"reason": str(exception) if exception else "", "capability": None}
    if isinstance(exception, CapabilityDenied):
        context["capability"] = exception.capability
    return render(request, "403.html", context, status=403)


def page_not_found(request, exception=None):
    message = exception.args[0] if exception and exception.args else ""
    # Django's own resolver messages are dicts/paths; show only our sentences.
    reason = message if isinstance(message, str) and message.endswith(".") else ""
    return render(request, "404.html", {"reason": reason}, status=404)


def server_error(request):
    return render(request, "500.html", status=500)
