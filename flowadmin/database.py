"""Database connection options that keep concurrent requests correct and their waits bounded
(README "Concurrency"). Used by the settings; no Django imports."""


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
