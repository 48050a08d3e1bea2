"""SESSION_ENGINE "flowadmin.sessions.db": Django's database sessions (see the package)."""

from django.contrib.sessions.backends import db

from . import SessionRead


class SessionStore(SessionRead, db.SessionStore):
    pass
