"""Who is acting, from where, right now: set per request by middleware and per command from
`--actor`; read by the activity-log receivers when they write an entry.

Each `acting_as` block also gets a small lookup cache (labels of workspaces, teams, users… that
entries copy), so recording many changes in one request or command costs one query per related
object, not one per change. Outside any `acting_as` block (a bare shell) nothing is cached."""

from __future__ import annotations

import contextvars
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any


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


def forget(key: tuple) -> None:
    cache = _cache.get()
    if cache is not None:
        cache.pop(key, None)
