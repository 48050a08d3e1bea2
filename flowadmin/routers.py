"""Read replicas: with DATABASE_REPLICA_URL set, the heavy read-only pages — the activity page,
the CSV exports and workspace analytics — read from the replica; everything else, and every
write, uses the primary ("default").

Read-your-writes: a request that may write (POST, PUT, PATCH, DELETE) reads the primary
throughout, and the browser then carries a short-lived cookie (REPLICA_PIN_SECONDS) during
which its requests read the primary too, so a change shows at once even if the replica lags.
GET requests that record something (an export's log entry) still read the replica: the page
does not show that entry. Permission checks run before the replica is chosen and use the
primary."""

from __future__ import annotations

import contextvars
from functools import wraps

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.http import StreamingHttpResponse

REPLICA = "replica"
PIN_COOKIE = "fa_primary"
WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})

_use_replica: contextvars.ContextVar[bool] = contextvars.ContextVar(
    "flowadmin_use_replica", default=False
)


class ReplicaRouter:
    """Reads inside `replica_reads` views go to the replica, except inside a transaction on
    the primary (a service recording something must read what it writes); all else, and
    every write, to the primary."""

    def db_for_read(self, model, **hints):
        if _use_replica.get() and not connections[DEFAULT_DB_ALIAS].in_atomic_block:
            return REPLICA
        return None

    def db_for_write(self, model, **hints):
        return None  # the primary

    def allow_relation(self, obj1, obj2, **hints):
        return True  # the replica is a copy of the primary: same rows

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db != REPLICA


def _replica_chunks(chunks):
    """A streaming body that reads from the replica while each chunk is produced (a streamed
    export runs its queries after the view has returned)."""
    iterator = iter(chunks)
    while True:
        token = _use_replica.set(True)
        try:
            chunk = next(iterator)
        except StopIteration:
            return
        finally:
            _use_replica.reset(token)
        yield chunk


def replica_reads(view):
    """Decorate a read-only view (under its permission decorator) so its queries read the
    replica, unless no replica is configured or the request is pinned to the primary."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if REPLICA not in settings.DATABASES or getattr(request, "pin_primary", True):
            return view(request, *args, **kwargs)
        token = _use_replica.set(True)
        try:
            response = view(request, *args, **kwargs)
        finally:
            _use_replica.reset(token)
        if isinstance(response, StreamingHttpResponse):
            response.streaming_content = _replica_chunks(response.streaming_content)
        return response

    return wrapped


class ReadYourWritesMiddleware:
    """Sets `request.pin_primary` (a writing method, or the cookie of a recent write) and,
    after a writing request, the cookie, when a replica is configured."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        writes = request.method in WRITE_METHODS
        request.pin_primary = writes or PIN_COOKIE in request.COOKIES
        response = self.get_response(request)
        if writes and REPLICA in settings.DATABASES:
            response.set_cookie(
                PIN_COOKIE,
                "1",
                max_age=settings.REPLICA_PIN_SECONDS,
                httponly=True,
                samesite="Lax",
                secure=settings.SESSION_COOKIE_SECURE,
            )
        return response
