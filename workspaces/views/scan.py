"""The public scan redirect `GET /s/<code>`: the hot path of the whole product.

It runs for anonymous visitors at print-campaign volume, so it sends one statement (find the
flow, record the scan and its day's rollup: workspaces.services.scan_follow) and answers: no
session, no user, no template, no CSRF token — flowadmin.middleware.ShortLinkMiddleware calls it
ahead of the console's middleware, so it sets its own framing and content-security headers. On
the console's hosts it serves every flow; on a whitelabel domain only the flows of workspaces
that use that domain.
"""

import re
from functools import wraps

from django.conf import settings
from django.http import HttpResponseNotFound, HttpResponseRedirect
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from flowadmin.hosts import is_app_host, request_hostname

from .. import services, visitors

_SHORT_CODE = re.compile(r"^[A-Za-z0-9_-]{1,16}$")
# A redirect or a line of text: nothing to load, nothing to frame.
CONTENT_SECURITY_POLICY = "default-src 'none'; frame-ancestors 'none'"


def not_found() -> HttpResponseNotFound:
    return HttpResponseNotFound(
        "No active flow has this short link.\n", content_type="text/plain; charset=utf-8"
    )


def with_headers(response):
    """The response with the headers the console's middleware would have added for framing
    and content security (X_FRAME_OPTIONS; a policy that allows nothing)."""
    response["X-Frame-Options"] = settings.X_FRAME_OPTIONS
    response["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
    return response


def short_link_headers(view):
    """`view` whose every answer, a refused method's 405 included, has `with_headers`."""

    @wraps(view)
    def answer(request, *args, **kwargs):
        return with_headers(view(request, *args, **kwargs))

    return answer


@never_cache  # every scan must reach the server to be counted
@short_link_headers
@require_safe
def scan_redirect(request, code):
    return _answer(request, code)


def _answer(request, code):
    if not _SHORT_CODE.match(code):
        return not_found()
    hostname = request_hostname(request)
    destination = services.scan_follow(
        code=code,
        # A whitelabel domain serves only the flows of the workspaces that use it: no tenant
        # can mint links on another tenant's brand.
        domain=None if is_app_host(hostname) else hostname,
        country=visitors.country_from_meta(request.META),
        device=visitors.device_class(request.headers.get("User-Agent", "")),
        record=request.method == "GET",  # HEAD (link checkers, unfurlers) is answered, not counted
    )
    if destination is None:
        return not_found()
    return HttpResponseRedirect(destination)
