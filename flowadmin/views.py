"""Project-level pages: home, liveness, error pages."""

from urllib.parse import quote

from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from orgs import selectors
from orgs.decorators import CapabilityDenied
from orgs.reviews.selectors import open_reviews_to_do


@require_GET
@login_required
def home(request):
    listing = selectors.home_listing(request.user)
    to_do = open_reviews_to_do(request.user, [org.pk for org, _, _ in listing])
    reviews = [(org, to_do[org.pk]) for org, _, _ in listing if org.pk in to_do]
    return render(request, "home.html", {"listing": listing, "reviews_to_do": reviews})


@require_GET
@never_cache
def healthz(request):
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return HttpResponse("ok", content_type="text/plain")


def with_reason(response, reason: str):
    """Put the page's one-sentence reason in the X-Reason header (percent-encoded UTF-8), which
    static/js/app.js shows in a toast when an htmx request fails."""
    if reason:
        response["X-Reason"] = quote(reason)
    return response


def permission_denied(request, exception=None):
    context = {"reason": str(exception) if exception else "", "capability": None}
    if isinstance(exception, CapabilityDenied):
        context["capability"] = exception.capability
    return with_reason(render(request, "403.html", context, status=403), context["reason"])


def page_not_found(request, exception=None):
    message = exception.args[0] if exception and exception.args else ""
    # Django's own resolver messages are dicts/paths; show only our sentences.
    reason = message if isinstance(message, str) and message.endswith(".") else ""
    return with_reason(render(request, "404.html", {"reason": reason}, status=404), reason)


def server_error(request):
    return render(request, "500.html", status=500)


SESSION_ENDED = "Your session ended or changed. Reload the page and sign in again."


def csrf_failure(request, reason=""):
    """CSRF_FAILURE_VIEW: a stale form or htmx token, after signing out (or in) elsewhere."""
    context = {"reason": SESSION_ENDED, "capability": None}
    return with_reason(render(request, "403.html", context, status=403), SESSION_ENDED)
