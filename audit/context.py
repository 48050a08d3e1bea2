"""Who is acting, from where, right now; read by the activity-log receivers when they write an
entry.

The actor is passed explicitly: every service takes `*, actor` and is decorated with `@service`,
which records exactly that actor for everything the service writes (`as_actor`). The request
middleware and the command base only supply the IP and the lookup cache around it, and a default
for the rare write made outside any service (the shell): never a guess at who acted.

Each `acting_as` block also gets a small lookup cache (labels of workspaces, teams, users… that
entries copy), so recording many changes in one request or command costs one query per related
object, not one per change. Outside any `acting_as` block (a bare shell) nothing is cached."""

from __future__ import annotations

import contextvars
import functools
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from django.db import transaction


@dataclass(frozen=True)
class Actor:
    user: object | None = None  # a User, or None for the system
    email: str = "system"
    ip: str | None = None


SYSTEM = Actor()

_current: contextvars.ContextVar[Actor] = contextvars.ContextVar("flowadmin_actor", default=SYSTEM)
_cache: contextvars.ContextVar[dict | None] = contextvars.ContextVar(
    "flowadmin_actor_cache", default=None
)


def current_actor() -> Actor:
    return _current.get()


@contextmanager
def acting_as(actor: Actor):
    token = _current.set(actor)
    cache_token = _cache.set({})
    try:
        yield actor
    finally:
        _cache.reset(cache_token)
        _current.reset(token)


@contextmanager
def task_actor(name: str):
    """Record the changes a background task makes (orgs.tasks, audit.tasks) as made by `name`
    ("worker", "scheduler"): tasks run outside any request, so no user is acting."""
    with acting_as(Actor(None, name)):
        yield


def actor_of(actor, ip=None) -> Actor:
    """The Actor recorded for a service's `actor` argument: a User (its email), an anonymous
    user ("anonymous"), a name such as "system" or "expiry" (a str), None ("system"), an
    object with an `actor_label` (a SCIM token), or an Actor as is. `ip` defaults to the
    current context's (the request's)."""
    if isinstance(actor, Actor):
        return actor
    if ip is None:
        ip = current_actor().ip
    if actor is None:
        return Actor(None, "system", ip)
    if isinstance(actor, str):
        return Actor(None, actor.strip().lower() or "system", ip)
    if hasattr(actor, "actor_label"):  # a non-person that names itself, e.g. a SCIM token
        return Actor(None, actor.actor_label, ip)
    if not getattr(actor, "is_authenticated", False):
        return Actor(None, "anonymous", ip)
    return Actor(actor, actor.email, ip)


@contextmanager
def as_actor(actor):
    """Record `actor` (see actor_of) for every change made inside the block; the enclosing
    block's lookup cache is kept (a new one is opened outside any)."""
    token = _current.set(actor_of(actor))
    cache_token = _cache.set({}) if _cache.get() is None else None
    try:
        yield
    finally:
        if cache_token is not None:
            _cache.reset(cache_token)
        _current.reset(token)


def service(func):
    """Make `func(*, actor, ...)` a service: atomic, and every activity entry it writes names
    `actor` (nested services record their own actor argument)."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        if "actor" not in kwargs:
            raise TypeError(f"{func.__name__}() needs the keyword argument actor=")
        with transaction.atomic(), as_actor(kwargs["actor"]):
            return func(*args, **kwargs)

    return wrapper


def actor_for_user(user, ip=None) -> Actor:
    if user is None or not getattr(user, "is_authenticated", False):
        return Actor(None, "anonymous" if ip else "system", ip)
    return Actor(user, user.email, ip)


def actor_snapshot() -> tuple[int | None, str, str]:
    """(user id, email, ip) of the current actor, copied now: a lazy request actor is resolved
    at this moment, and later changes to the user (a new email, deletion) don't alter it."""
    actor = current_actor()
    user = actor.user
    user_id = getattr(user, "pk", None) if user is not None else None
    email = (actor.email or "system").strip().lower()[:254]
    return user_id, email, actor.ip or ""


# --- the per-context lookup cache -------------------------------------------------------


def cached(key: tuple, load: Callable[[], Any]) -> Any:
    """`load()` once per acting_as block for `key` (every time outside one)."""
    cache = _cache.get()
    if cache is None:
        return load()
    if key not in cache:
        cache[key] = load()
    return cache[key]


def remember(key: tuple, value: Any) -> None:
    cache = _cache.get()
    if cache is not None:
        cache[key] = value


def peek(key: tuple, default=None):
    cache = _cache.get()
    return default if cache is None else cache.get(key, default)
