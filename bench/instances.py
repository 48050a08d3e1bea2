"""`python -m bench --instances`: throughput of the scan redirect and of the dashboard with 1, 2
and 4 gunicorn instances (one sync worker each, bench.settings) sharing the database — and Redis,
when REDIS_URL is set — behind a round-robin client standing in for the load balancer.

Each round drives every instance count for `seconds` with `concurrency` client threads, each
request on a new connection (bench/serving.py); rounds interleave the counts so a change in the
machine's load hits all of them alike. Reported: requests per second (median over rounds) and
the p50 latency, with the load average before and after. The client runs on the same machine,
so on a 2-core machine it competes with the instances for the same cores (README "Deployment").
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable
from importlib import import_module

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY

from orgs.models import OrgMembership
from orgs.roles import OrgRole
from workspaces.models import Flow, FlowStatus

from . import report, seeding
from .measuring import BenchError
from .serving import Gunicorn, Throughput, _drive

COUNTS = (1, 2, 4)


def _session_cookie(user) -> str:
    """A signed-in session of `user` in the shared session store, as a Cookie header value."""
    store = import_module(settings.SESSION_ENGINE).SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.create()
    return f"{settings.SESSION_COOKIE_NAME}={store.session_key}"


def run(*, seconds=3.0, rounds=3, concurrency=8, out: Callable[[str], None] = print) -> int:
    admin = (
        OrgMembership.objects.filter(org__slug=seeding.ORG_SLUG, role=OrgRole.ADMIN)
        .select_related("user")
        .first()
    )
    flow = (
        Flow.objects.filter(workspace__org__slug=seeding.ORG_SLUG, status=FlowStatus.ACTIVE)
        .exclude(short_code="")
        .first()
    )
    if admin is None or flow is None:
        raise BenchError("Seed the bench org first: python -m bench --small --seed-only")
    cookie = _session_cookie(admin.user)
    pages = [  # (label, path, the status of a good answer)
        ("scan redirect /s/<code>", f"/s/{flow.short_code}", 302),
        ("dashboard /orgs/bench/", f"/orgs/{seeding.ORG_SLUG}/", 200),
    ]
    results = {
        (n, path): Throughput(str(n), label, path) for n in COUNTS for label, path, _ in pages
    }
    out(
        f"{os.cpu_count()} cores; load average {report.load_average()}; {concurrency} client "
        f"threads; {rounds} rounds × {seconds:g} s; cache: {settings.CACHES['default']['BACKEND']}"
    )
    with contextlib.ExitStack() as stack:
        ports = [stack.enter_context(Gunicorn(1)).port for _ in range(max(COUNTS))]
        for label, path, ok in pages:  # warm every instance
            _drive(ports, Throughput("", label, path), 0.5, concurrency, cookie=cookie, ok=ok)
        for r in range(rounds):
            for n in COUNTS:
                for label, path, ok in pages:
                    target = results[n, path]
                    _drive(ports[:n], target, seconds, concurrency, cookie=cookie, ok=ok)
                    rps = target.rounds_rps[-1]
                    out(f"  round {r + 1}: {n} instance(s): {label}: {rps:.0f} req/s")
    out(f"load average after: {report.load_average()}")
    out("")
    out("| instances | " + " | ".join(f"{label} req/s (p50 ms)" for label, _, _ in pages) + " |")
    out("|---|" + "---|" * len(pages))
    for n in COUNTS:
        cells = []
        for _, path, _ in pages:
            t = results[n, path]
            cells.append(
                f"{t.rps:.0f} ({t.percentile(0.5):.0f})"
                + (f", {t.errors} errors" if t.errors else "")
            )
        out(f"| {n} | " + " | ".join(cells) + " |")
    return 0
