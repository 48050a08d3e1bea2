import logging

from django.conf import settings
from django.db import OperationalError
from django.http import HttpResponse
from django.template.loader import render_to_string

from audit.context import acting_as, actor_for_user

logger = logging.getLogger(__name__)

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
        if not is_busy(exception):
            return None
        logger.warning("Busy: %s %s: %s", request.method, request.path, exception)
        retry_after = settings.BUSY_RETRY_AFTER
        page = render_to_string("503.html", {"retry_after": retry_after})
        response = HttpResponse(page, status=503)
        response["Retry-After"] = str(retry_after)
        return response


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
