"""SESSION_ENGINE "flowadmin.sessions.cached_db": Django's cached database sessions (read from
the cache, written through to the database), their database read as in the package."""

from django.contrib.sessions.backends import cached_db

from . import SessionRead


class SessionStore(SessionRead, cached_db.SessionStore):
    pass
