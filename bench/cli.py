"""The benchmark's command line: seed, measure, print, write bench/results/<database>.md."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from django.conf import settings
from django.db import connection

from . import plans, report, seeding
from .measuring import Bench, BenchError

RESULTS_DIR = Path(settings.BASE_DIR) / "bench" / "results"


def parser() -> argparse.ArgumentParser:
    full, small = seeding.FULL, seeding.SMALL
    p = argparse.ArgumentParser(
        prog="python -m bench",
        description="Seed the org 'bench' at scale into DATABASE_URL, then time the dashboard, "
        "users page and activity page beside Django's admin changelists.",
    )
    p.add_argument(
        "--small",
        action="store_true",
        help=f"a quick run: {small.entries:,} entries, {small.members:,} members, "
        f"{small.workspaces} workspaces (sizes given explicitly still win)",
    )
    p.add_argument("--entries", type=int, help=f"activity entries (default {full.entries:,})")
    p.add_argument("--members", type=int, help=f"members (default {full.members:,})")
    p.add_argument("--workspaces", type=int, help=f"workspaces (default {full.workspaces})")
    p.add_argument("--runs", type=int, default=5, help="timed requests per page (default 5)")
    mode = p.add_mutually_exclusive_group()
    mode.add_argument("--seed-only", action="store_true", help="seed, measure nothing")
    mode.add_argument("--measure-only", action="store_true", help="measure what is there")
    p.add_argument(
        "--verify", action="store_true", help="check the bench org's hash chain after seeding"
    )
    probe = p.add_argument_group("concurrency probe (issue #11)")
    probe.add_argument(
        "--concurrency",
        action="store_true",
        help="instead of seeding at scale: start gunicorn (production settings) and send mixed "
        "console writes from many admins at once; print requests, 5xx, p50/p99, entries vs rows",
    )
    probe.add_argument("--writes", type=int, default=200, help="writes to send (default 200)")
    probe.add_argument("--threads", type=int, default=20, help="concurrent admins (default 20)")
    probe.add_argument("--exports", type=int, default=0, help="audience CSV exports mixed in")
    probe.add_argument("--port", type=int, help="gunicorn's port (default: a free one)")
    p.add_argument(
        "--output",
        type=Path,
        default=RESULTS_DIR,
        help="where to write <database>.md (default bench/results/)",
    )
    return p


def sizes_from(args) -> seeding.Sizes:
    base = seeding.SMALL if args.small else seeding.FULL
    return seeding.Sizes(
        entries=base.entries if args.entries is None else args.entries,
        members=base.members if args.members is None else args.members,
        workspaces=base.workspaces if args.workspaces is None else args.workspaces,
    )


def say(text: str) -> None:
    print(text, flush=True)


def run(argv=None) -> int:
    args = parser().parse_args(argv)
    if args.concurrency:
        from . import concurrency

        return concurrency.run(
            writes=args.writes, threads=args.threads, exports=args.exports, port=args.port
        )
    if args.runs < 1:
        say("--runs must be at least 1.")
        return 2
    try:
        sizes = sizes_from(args)
    except ValueError as error:
        say(str(error))
        return 2
    try:
        return _run(args, sizes)
    except BenchError as error:
        say(f"bench: {error}")
        return 1


def _run(args, sizes: seeding.Sizes) -> int:
    seeded = None
    if not args.measure_only:
        say(
            f"Seeding org '{seeding.ORG_SLUG}' on {report.database_label()}: "
            f"{sizes.entries:,} entries, {sizes.members:,} members, {sizes.workspaces} workspaces"
        )
        seeded = seeding.seed(sizes, out=say)
        say(f"Seeding: {seeded.seconds:.1f} s")
    if args.verify and not verify():
        return 1
    if args.seed_only:
        return 0

    bench = Bench()
    say(f"Measuring ({args.runs} runs a page):")
    results = bench.measure(args.runs, out=say)
    context = report.Context.collect(bench.org, args.runs, seeded)
    say("")
    say(report.text(results, context))
    page_plans = []
    if plans.available():
        page_plans = plans.probe_plans(bench.org, [m.probe for m in results.measurements])
        say("")
        say(report.plans_text(page_plans))
    args.output.mkdir(parents=True, exist_ok=True)
    path = args.output / f"{connection.vendor}.md"
    path.write_text(report.markdown(results, context, page_plans))
    say("")
    say(f"Written to {path}")
    return 0


def verify() -> bool:
    from audit.integrity import verify_chain
    from orgs.models import Organization

    org = Organization.objects.get(slug=seeding.ORG_SLUG)
    started = time.perf_counter()
    result = verify_chain(org.pk)
    took = time.perf_counter() - started
    if result.ok:
        say(f"Hash chain of '{org.slug}': {result.entries:,} entries intact ({took:.1f} s).")
        return True
    print(f"Hash chain of '{org.slug}' is broken at {result.problem}.", file=sys.stderr)
    return False
