"""`python -m bench.page_cpu KEY…`: what a page costs the server's Python, for comparing two
versions of the code on a shared machine where wall time moves with the load. For each
probe of bench.measuring whose key is given exactly: CPU ms per request (`time.process_time`
around the test client's request; median and min of RUNS, default 30, after 3 untimed), Python
calls per request (cProfile over 5 requests) and queries. Run against seeded data (DEBUG off,
bench.settings), e.g. `DATABASE_URL=postgres://…/fa_bench python -m bench.page_cpu activity`."""

import cProfile
import os
import pstats
import statistics
import sys
import time


def measure(client, url: str, runs: int) -> tuple[list[float], int, int]:
    """([CPU ms of each run], Python calls per request, queries of one request).

    Raises bench.measuring.BenchError if the page does not answer 200 (a redirect to the login
    page or an error page would be measured instead of the page)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from bench.measuring import BenchError

    for _ in range(3):
        response = client.get(url)
        if response.status_code != 200:
            raise BenchError(f"{url} answered {response.status_code}, not 200.")
    times = []
    for _ in range(runs):
        start = time.process_time()
        client.get(url)
        times.append((time.process_time() - start) * 1000)
    profile = cProfile.Profile(time.process_time)
    profile.enable()
    for _ in range(5):
        client.get(url)
    profile.disable()
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    return times, pstats.Stats(profile).total_calls // 5, len(queries.captured_queries)


def main(argv: list[str]) -> int:
    from bench.__main__ import setup_django

    setup_django()
    from bench.measuring import Bench, probes

    bench = Bench()
    runs = int(os.environ.get("RUNS", "30"))
    for probe in probes(bench.org):
        if probe.key in argv:
            times, calls, queries = measure(bench.admin, probe.url, runs)
            print(
                f"{probe.key:20s} CPU ms median {statistics.median(times):6.2f} "
                f"min {min(times):6.2f}  calls/req {calls:6d}  queries {queries}",
                flush=True,
            )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
