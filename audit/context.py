"""Who is acting, from where, right now: set per request by middleware and per command from
`--actor`; read by the activity-log receivers."""

from __future__ import annotations

import contextvars
from contextlib import contextmanager
from dataclasses import dataclass


@dataclass(frozen=True)
class Actor:
    user: object | None = None  # a User, or None for the system
    email: str = "system"
    ip: str | None = None


SYSTEM = Actor()

_current: contextvars.ContextVar[Actor] = contextvars.ContextVar("flowadmin_actor", default=SYSTEM)


def current_actor() -> Actor:
    return _current.get()


@contextmanager
def acting_as(actor: Actor):
    token = _current.set(actor)
    try:
        yield actor
    finally:
        _current.reset(token)


def actor_for_user(user, ip=None) -> Actor:
    if user is None or not getattr(user, "is_authenticated", False):
        return Actor(None, "anonymous" if ip else "system", ip)
    return Actor(user, user.email, ip)
