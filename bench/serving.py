"""The scan redirect under gunicorn, beside its baselines, in one interleaved run.

gunicorn (the repo's gunicorn.conf.py, but 2 sync workers and no worker recycling;
bench.settings: persistent connections as in production) serves three URLs on a free loopback
port:

- `/bench/redirect`: a bare Django redirect view (the framework's ceiling on this machine);
- `/bench/select/<code>`: one indexed SELECT of the flow, then the redirect;
- `/s/<code>`: the scan redirect (on PostgreSQL one prepared statement: the flow's lookup, the
  scan and its day's rollup, committed asynchronously).

Rounds interleave them (A, B, C, A, B, C …) so a change in the machine's load hits all three
alike. Each target is driven for `seconds` by `concurrency` client threads, each request on a
new connection (sync workers close it): requests per second (median over rounds) and the
p50/p99 latency (all rounds) of the answered requests. Every answered scan must be in the
database afterwards (scans and the daily rollup both counted).
"""

from __future__ import annotations

import os
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Sum

from workspaces.models import Flow, FlowStatus, Scan, ScanDay

from .concurrency import free_port
from .measuring import BenchError

SCAN = "scan"
# The scan redirect should serve at least this part of a bare redirect's requests.
SCAN_TARGET_RATIO = 0.5


@dataclass
class Throughput:
    key: str
    label: str
    path: str
    rounds_rps: list[float] = field(default_factory=list)
    latencies_ms: list[float] = field(default_factory=list)
    errors: int = 0
    answered: int = 0

    @property
    def rps(self) -> float:
        return statistics.median(self.rounds_rps) if self.rounds_rps else 0.0

    def percentile(self, p: float) -> float:
        ordered = sorted(self.latencies_ms)
        if not ordered:
            return 0.0
        return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))]


@dataclass
class Serving:
    workers: int
    concurrency: int
    seconds: float
    rounds: int
    targets: list[Throughput]
    scans_answered: int
    scans_recorded: int
    rollup_recorded: int

    def by_key(self) -> dict[str, Throughput]:
        return {t.key: t for t in self.targets}

    @property
    def scan_ratio(self) -> float:
        keyed = self.by_key()
        bare = keyed["bare"].rps
        return keyed[SCAN].rps / bare if bare else 0.0


def port() -> int:
    """BENCH_PORT, or a free loopback port the OS picks."""
    return int(os.environ.get("BENCH_PORT") or free_port())


def _request(port: int, path: str, cookie: str = "") -> int:
    """One GET on a new connection (with a Cookie header when given); the status code (0 when
    the connection failed)."""
    cookie_header = f"Cookie: {cookie}\r\n" if cookie else ""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
            sock.sendall(
                f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: bench\r\n"
                f"{cookie_header}Connection: close\r\n\r\n".encode()
            )
            data = b""
            while chunk := sock.recv(4096):
                data += chunk
        return int(data.split(b" ", 2)[1])
    except (OSError, ValueError, IndexError):
        return 0


def _drive(
    port: int | list[int],
    target: Throughput,
    seconds: float,
    concurrency: int,
    *,
    cookie: str = "",
    ok: int = 302,
) -> None:
    """`concurrency` threads request the target for `seconds` (on `port`, or round robin over
    a list of ports as a load balancer would); adds one round's figures. Answers other than
    `ok` count as errors."""
    ports = port if isinstance(port, list) else [port]
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    deadline = time.perf_counter() + seconds

    def client(first):
        mine, bad, k = [], 0, first
        while time.perf_counter() < deadline:
            started = time.perf_counter()
            status = _request(ports[k % len(ports)], target.path, cookie)
            k += 1
            if status == ok:
                mine.append((time.perf_counter() - started) * 1000)
            else:
                bad += 1
        with lock:
            latencies.extend(mine)
            errors[0] += bad

    threads = [threading.Thread(target=client, args=(i,)) for i in range(concurrency)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    target.rounds_rps.append(len(latencies) / elapsed)
    target.latencies_ms += latencies
    target.answered += len(latencies)
    target.errors += errors[0]


class Gunicorn:
    """gunicorn serving bench.settings on a loopback port, stopped on exit."""

    def __init__(self, workers: int):
        self.port = port()
        self.workers = workers
        self.process = None

    def __enter__(self):
        env = {**os.environ, "DJANGO_SETTINGS_MODULE": "bench.settings"}
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "--workers",
                str(self.workers),
                "--worker-class",
                "sync",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--log-level",
                "warning",
                # gunicorn.conf.py's worker recycling would reconnect mid-run
                "--max-requests",
                "0",
                "flowadmin.wsgi:application",
            ],
            cwd=settings.BASE_DIR,
            env=env,
            stdout=subprocess.DEVNULL,  # the access log (gunicorn.conf.py); errors still show
        )
        deadline = time.monotonic() + 60
        while _request(self.port, "/bench/redirect") != 302:
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.__exit__(None, None, None)
                raise BenchError(f"gunicorn did not start on 127.0.0.1:{self.port}.")
            time.sleep(0.2)
        return self

    def __exit__(self, *exc):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def _scans_of(flow) -> tuple[int, int]:
    scans = Scan.objects.filter(flow=flow).count()
    days = ScanDay.objects.filter(workspace_id=flow.workspace_id).aggregate(n=Sum("scans"))["n"]
    return scans, days or 0


def measure(
    org,
    *,
    seconds: float = 3.0,
    rounds: int = 3,
    concurrency: int = 4,
    workers: int = 2,
    out: Callable[[str], None] | None = None,
) -> Serving:
    flow = (
        Flow.objects.filter(workspace__org=org, status=FlowStatus.ACTIVE)
        .exclude(short_code="")
        .order_by("pk")
        .first()
    )
    if flow is None:
        raise BenchError(f"The org {org.slug!r} has no active flow: seed it first.")
    targets = [
        Throughput("bare", "bare Django redirect view", "/bench/redirect"),
        Throughput(
            "select", "one indexed SELECT, then redirect", f"/bench/select/{flow.short_code}"
        ),
        Throughput(SCAN, "scan redirect /s/<code>", f"/s/{flow.short_code}"),
    ]
    with Gunicorn(workers) as server:
        for target in targets:  # warm every worker's connection and code paths
            _drive(server.port, Throughput(target.key, "", target.path), 0.5, concurrency)
        warm = _scans_of(flow)
        for n in range(rounds):
            for target in targets:
                _drive(server.port, target, seconds, concurrency)
                if out:
                    out(
                        f"  round {n + 1}/{rounds}: {target.label}: "
                        f"{target.rounds_rps[-1]:.0f} req/s"
                    )
    after = _scans_of(flow)
    scan = next(t for t in targets if t.key == SCAN)
    return Serving(
        workers,
        concurrency,
        seconds,
        rounds,
        targets,
        scans_answered=scan.answered,
        scans_recorded=after[0] - warm[0],
        rollup_recorded=after[1] - warm[1],
    )
