"""Running calls at the same moment: each in its own thread and database connection, released
together by one threading.Barrier (the way two admins' requests meet on the server)."""

import threading

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
