"""Session engines: Django's database (`flowadmin.sessions.db`) and cached database
(`flowadmin.sessions.cached_db`) stores, reading a session by one SELECT written once instead
of one the ORM builds on every request (~0.7 ms of Python; the session is read by every signed-in
request that misses the cache). Everything else — writes, expiry, `clearsessions` — is
Django's."""

from django.db import connections, router
from django.utils import timezone

from flowadmin.model_rows import ModelRows


class SessionRead:
    """Django's `_get_session_from_db` (db.SessionStore): the unexpired session row of
    `session_key` as a Session instance, or None (and the key forgotten) when there is none,
    read from the database the ORM reads sessions from."""

    _rows: ModelRows | None = None

    def _get_session_from_db(self):
        model = self.model
        rows = type(self)._rows
        if rows is None or rows.model is not model:
            rows = type(self)._rows = ModelRows(model)
        connection = connections[router.db_for_read(model)]
        quote = connection.ops.quote_name
        meta = model._meta
        sql = (
            f"SELECT {rows.columns(connection, 's')} FROM {quote(meta.db_table)} s"
            f" WHERE s.{quote(meta.get_field('session_key').column)} = %s"
            f" AND s.{quote(meta.get_field('expire_date').column)} > %s"
        )
        now = connection.ops.adapt_datetimefield_value(timezone.now())
        with connection.cursor() as cursor:
            cursor.execute(sql, [self.session_key, now])
            row = cursor.fetchone()
        if row is None:
            self._session_key = None
            return None
        return rows.instance(connection, row)
