"""Database connection options that keep concurrent requests correct and their waits bounded
(README "Concurrency"), used by the settings; and the cursor of the scan redirect's one
statement (`prepared_cursor`). No Django imports: functions take the connection."""

import select


def _ms(seconds: float) -> int:
    return max(0, round(seconds * 1000))


def postgres_options(
    *, lock_timeout: float, statement_timeout: float = 0, idle_in_transaction_timeout: float = 0
) -> str:
    """The libpq `options` string setting the session's timeouts (seconds; 0 = no limit).

    lock_timeout bounds every lock wait — a row lock, the activity chain head, and the
    FOR KEY SHARE a deferred foreign key check takes at COMMIT. statement_timeout bounds any
    one statement; idle_in_transaction_session_timeout ends a transaction left open. A wait
    that runs out raises OperationalError (SQLSTATE 55P03 / 57014), answered with a 503 by
    flowadmin.middleware.BusyMiddleware; the transaction is rolled back, nothing is written."""
    settings = {
        "lock_timeout": lock_timeout,
        "statement_timeout": statement_timeout,
        "idle_in_transaction_session_timeout": idle_in_transaction_timeout,
    }
    return " ".join(f"-c {name}={_ms(seconds)}" for name, seconds in settings.items())


def sqlite_options(*, busy_timeout: float) -> dict:
    """OPTIONS for the SQLite backend (Django 5.1+): WAL, so readers (a CSV export) never block
    the writer nor the writer them; BEGIN IMMEDIATE, so a write transaction takes the write
    lock at its start and waits for it (up to `busy_timeout` seconds) instead of failing with
    "database is locked" when a read inside it tries to become a write."""
    return {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": busy_timeout,
    }


def prepared_cursor(connection):
    """A cursor for a hot path that sends ONE statement per request (the scan redirect), with
    neither of the two costs that are negligible on a page and dominate there (README "Results"):

    - **No health-check round trip.** With CONN_HEALTH_CHECKS Django sends `SELECT 1` before
      a request's first query on a reused connection. Here the socket is checked instead: a
      connection the server or a proxy closed while it sat idle (a restart,
      pg_terminate_backend, idle_session_timeout) has that end — its error message, then
      end-of-file — waiting to be read, while a healthy idle connection has nothing to read.
      A readable socket closes the connection (a new one is opened); otherwise Django's check
      counts as done for this request. A connection that died silently (a network partition)
      is not detected — SELECT 1 would not detect it either without waiting for TCP's timeout.
    - **No parsing and planning.** The cursor binds parameters on the server, so psycopg
      prepares a statement once it has run `prepare_threshold` times (5, psycopg's default) on
      this connection; PostgreSQL then executes the stored plan. PgBouncer in transaction
      mode needs version 1.21+ with `max_prepared_statements` set (or `prepare_threshold`
      None in the connection's OPTIONS, which turns preparing off).

    Queries are logged and errors wrapped as through `connection.cursor()`. `connection`: a
    Django database wrapper (django.db.connection); on other databases than PostgreSQL this
    is `connection.cursor()`."""
    if connection.vendor != "postgresql":
        return connection.cursor()
    if (
        connection.connection is not None
        and connection.health_check_enabled
        and not connection.health_check_done
    ):
        poller = select.poll()
        poller.register(connection.connection.fileno(), select.POLLIN)
        if poller.poll(0):
            connection.close()
        else:
            connection.health_check_done = True
    connection.ensure_connection()
    from django.db.backends.postgresql.base import ServerBindingCursor

    with connection.wrap_database_errors:
        cursor = ServerBindingCursor(connection.connection)
    connection.validate_thread_sharing()
    if connection.queries_logged:
        return connection.make_debug_cursor(cursor)
    return connection.make_cursor(cursor)


def in_ids(column: str, ids) -> str:
    """The SQL condition `column IN (1, 2, …)` for hand-written SQL, the ids written into it
    (each made an int, so nothing else can get in): no parameter a value, which psycopg
    would adapt one by one (an array of 150 ids was ~700 Python calls) and, past 50
    parameters, parse the statement again on every run. `1 = 0` for no ids."""
    listed = ", ".join(map(str, map(int, ids)))
    return f"{column} IN ({listed})" if listed else "1 = 0"
