"""Running calls at the same moment: each in its own thread and database connection, released
together by one threading.Barrier (the way two admins' requests meet on the server); and
holding a transaction open in another thread while requests meet its locks (holding())."""

import threading
from contextlib import contextmanager

from django.db import connections


def run_at_once(calls, *, expected=(Exception,)):
    """Start every call of `calls` behind one barrier and wait for all of them.

    Returns one outcome per call, in order: the call's return value, or the exception it
    raised when that is an instance of `expected` (anything else is re-raised here, after all
    threads have finished). Each thread closes its database connections when done."""
    outcomes = [None] * len(calls)
    unexpected = []
    start = threading.Barrier(len(calls))

    def run(i, call):
        try:
            start.wait()
            outcomes[i] = call()
        except expected as error:
            outcomes[i] = error
        except BaseException as error:  # noqa: BLE001 — re-raised in the calling thread
            unexpected.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if unexpected:
        raise unexpected[0]
    return outcomes


class Hold:
    """A transaction held open in another thread (holding()): `ready` is set once its work
    has run (it holds that work's locks); `start(call)` runs a call in a thread of its own that
    is joined after the hold lets go; `release()` commits the hold and joins its threads."""

    def __init__(self, work, params):
        self.ready = threading.Event()
        self._release = threading.Event()
        self._threads = [threading.Thread(target=self._hold, args=(work, params))]
        self._threads[0].start()

    def _hold(self, work, params):
        from django.db import connection, transaction

        try:
            with transaction.atomic():
                if callable(work):
                    work()
                else:
                    with connection.cursor() as cursor:
                        cursor.execute(work, params)
                self.ready.set()
                self._release.wait(10)
        finally:
            connection.close()

    def start(self, call) -> dict:
        """Run `call` in a thread (closing its connections after); the returned dict gets its
        return value as "value"."""
        answer = {}

        def run():
            try:
                answer["value"] = call()
            finally:
                connections.close_all()

        thread = threading.Thread(target=run)
        self._threads.append(thread)
        thread.start()
        return answer

    def release(self):
        """Commit the hold, then wait for it and for the threads `start` began (idempotent)."""
        self._release.set()
        for thread in self._threads:
            thread.join()


@contextmanager
def holding(work, params=(), *, wait=True):
    """Run `work` — an SQL statement (with `params`) or a callable — in a transaction in
    another thread and keep that transaction open, with its locks, until the block ends (or
    Hold.release()). Yields the Hold; with `wait`, once `work` has run (AssertionError after
    10 s)."""
    hold = Hold(work, params)
    try:
        if wait:
            assert hold.ready.wait(10), "The holding transaction did not get its locks."
        yield hold
    finally:
        hold.release()
