import logging

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import MiddlewareNotUsed, PermissionDenied
from django.db import OperationalError
from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.http.request import split_domain_port, validate_host
from django.shortcuts import resolve_url
from django.template.loader import render_to_string
from django.urls import Resolver404, resolve
from django.utils.cache import add_never_cache_headers

from audit.context import acting_as, actor_for_user
from flowadmin import hosts, nav_urls
from flowadmin.views import page_not_found, permission_denied, server_error, with_reason
from orgs.crypto import SecretsUnreadable
from orgs.models import Domain, DomainStatus
from workspaces.views.scan import scan_redirect, with_headers

logger = logging.getLogger(__name__)
request_logger = logging.getLogger("django.request")

# PostgreSQL SQLSTATEs of a wait that ran out: lock_not_available (lock_timeout),
# query_canceled (statement_timeout), deadlock_detected, serialization_failure.
BUSY_SQLSTATES = {"55P03", "57014", "40P01", "40001"}


def is_busy(error: Exception) -> bool:
    """Whether a database error means "others were busy with the same rows" — a wait that ran
    out — rather than a bug: PostgreSQL's lock / statement timeouts and deadlocks, SQLite's
    "database is locked" after its busy timeout."""
    if not isinstance(error, OperationalError):
        return False
    sqlstate = getattr(error.__cause__, "sqlstate", None)
    return sqlstate in BUSY_SQLSTATES or "database is locked" in str(error)


class BusyMiddleware:
    """A request whose database wait ran out (see `is_busy`) gets a 503 "busy, try again" page
    with Retry-After instead of a 500. Its transaction was rolled back by `atomic`, so nothing
    was written. Last in MIDDLEWARE, so it sees the view's exception first."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        return busy_response(request, exception)


def busy_response(request, exception: Exception) -> HttpResponse | None:
    """The 503 "busy, try again" page (with Retry-After) for an exception that `is_busy`,
    else None."""
    if not is_busy(exception):
        return None
    logger.warning("Busy: %s %s: %s", request.method, request.path, exception)
    retry_after = settings.BUSY_RETRY_AFTER
    page = render_to_string("503.html", {"retry_after": retry_after})
    response = HttpResponse(page, status=503)
    response["Retry-After"] = str(retry_after)
    return response


class ShortLinkMiddleware:
    """Answers the public scan redirect `/s/<code>` (workspaces.views.scan) as soon as the
    request reaches it, skipping the console's middleware below it — sessions, CSRF,
    authentication, messages, CSP, htmx, the actor context, django-allauth, axes — and URL
    resolving: the redirect uses none of them, and at scan volume they cost more than the
    scan's own statement (README "Results"). What comes before it in MIDDLEWARE still runs:
    metrics, the request id, the host check (whitelabel domains) and SecurityMiddleware (HTTPS
    redirect, HSTS, nosniff, Referrer-Policy); the view sets its own X-Frame-Options and a
    Content-Security-Policy that allows nothing. A database wait that ran out is answered
    503 as by BusyMiddleware, with those headers and never cached; any other error as Django
    answers errors.

    The path is matched as the URLconf spells the `scan` URL (flowadmin.nav_urls.short_link_code,
    its prefix reversed once); a URLconf without one passes every request on."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        code = nav_urls.short_link_code(request.path_info)
        if code is None:
            return self.get_response(request)
        try:
            return scan_redirect(request, code)
        except OperationalError as error:
            response = busy_response(request, error)
            if response is None:
                raise
            add_never_cache_headers(response)
            return with_headers(response)


class UnreadableSecretsMiddleware:
    """A request that needs a stored secret no FIELD_ENCRYPTION_KEYS key decrypts (orgs.crypto)
    gets a 503 page naming the cause, instead of a 500; the error is logged for the operator."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, SecretsUnreadable):
            return None
        logger.error("Unreadable secrets: %s %s: %s", request.method, request.path, exception)
        return HttpResponse(render_to_string("secrets_unreadable.html"), status=503)


class ActorContextMiddleware:
    """Makes the request's user and IP the actor of every change made while it runs, so the
    activity log records them whichever code path (console view, admin site) saves."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        ip = request.META.get("REMOTE_ADDR")
        # The user is resolved lazily; the actor is re-read when a change is recorded.
        with acting_as(LazyRequestActor(request, ip)):
            return self.get_response(request)


class LazyRequestActor:
    """An Actor whose user is read from the request only when a change is recorded (so
    anonymous page views never touch the session)."""

    def __init__(self, request, ip):
        self._request = request
        self.ip = ip

    @property
    def _actor(self):
        return actor_for_user(getattr(self._request, "user", None), self.ip)

    @property
    def user(self):
        return self._actor.user

    @property
    def email(self):
        return self._actor.email


class HtmxSessionMiddleware:
    """An htmx request whose session ended would follow the 302 to the login page and swap
    the login form into a table row. Answer 401 with the reason instead; static/js/app.js
    rolls the control back and says so."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (
            getattr(request, "htmx", None)
            and response.status_code == 302
            and response["Location"].startswith(resolve_url(settings.LOGIN_URL))
        ):
            return with_reason(
                HttpResponse(status=401), "Your session ended. Sign in again, then retry."
            )
        return response


class DesignedErrorPagesMiddleware:
    """With DEBUG on (the demo), Django answers 404, 403 and 500 with its technical pages; the
    demo shows the product's own (the traceback still goes to the log). Installed only when
    DEBUG and settings.DESIGNED_ERROR_PAGES (default on; set it off for the technical pages);
    without DEBUG Django uses the same handlers anyway."""

    def __init__(self, get_response):
        if not (settings.DEBUG and getattr(settings, "DESIGNED_ERROR_PAGES", True)):
            raise MiddlewareNotUsed
        self.get_response = get_response

    def __call__(self, request):
        try:
            resolve(request.path_info)
        except Resolver404 as error:
            return page_not_found(request, error)
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, Http404):
            return page_not_found(request, exception)
        if isinstance(exception, PermissionDenied):
            return permission_denied(request, exception)
        request_logger.error("Internal Server Error: %s", request.path, exc_info=exception)
        return server_error(request)


# Which Host headers the app answers. The console runs on the hosts of `ALLOWED_HOSTS`. Flow
# short links may also point at an org's verified whitelabel domains (SPEC §2), which operators
# cannot list in advance. In production Django's own check is therefore opened
# (`ALLOWED_HOSTS = ["*"]`) and HostsMiddleware takes its place: the configured hosts
# (`APP_HOSTS`) reach everything, a verified domain reaches only `/s/<code>`, any other host
# gets 400.
CACHE_SECONDS = 60


def is_verified_domain(hostname: str) -> bool:
    """Cached for a minute: the scan redirect stays one read and one insert."""
    key = hosts.verified_domain_cache_key(hostname)
    verified = cache.get(key)
    if verified is None:
        verified = Domain.objects.filter(hostname=hostname, status=DomainStatus.VERIFIED).exists()
        cache.set(key, verified, CACHE_SECONDS)
    return verified


class HostsMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = hosts.request_host.set(request.get_host()) if not settings.SHORT_LINK_HOST else None
        try:
            return self._answer(request)
        finally:
            if token is not None:
                hosts.request_host.reset(token)

    def _answer(self, request):
        app_hosts = getattr(settings, "APP_HOSTS", None)
        if app_hosts is not None:
            host, _port = split_domain_port(request.get_host())
            if not validate_host(host, app_hosts) and not (
                nav_urls.short_link_code(request.path_info) and host and is_verified_domain(host)
            ):
                return HttpResponseBadRequest("Unknown host.", content_type="text/plain")
        return self.get_response(request)
