"""The benchmark's command line: seed, measure, print, write bench/results/<database>.md."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from django.conf import settings
from django.db import connection

from . import measuring, plans, report, seeding, serving
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
    p.add_argument(
        "--pages",
        help="measure only the pages whose key starts with one of these (comma-separated, "
        "e.g. 'activity-email,dashboard'; keys in bench/measuring.py)",
    )
    mode = p.add_mutually_exclusive_group()
    mode.add_argument("--seed-only", action="store_true", help="seed, measure nothing")
    mode.add_argument("--measure-only", action="store_true", help="measure what is there")
    p.add_argument(
        "--verify", action="store_true", help="check the bench org's hash chain after seeding"
    )
    probe = p.add_argument_group("concurrency probe")
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
        "--instances",
        action="store_true",
        help="instead of seeding: scan redirect and dashboard throughput with 1, 2 and 4 "
        "gunicorn instances behind a round-robin client (bench/instances.py)",
    )
    p.add_argument(
        "--no-serving",
        action="store_true",
        help="skip the scan redirect under gunicorn (bench/serving.py)",
    )
    p.add_argument(
        "--serving-seconds",
        type=float,
        default=3.0,
        help="seconds per URL and round under gunicorn (default 3)",
    )
    p.add_argument(
        "--serving-rounds",
        type=int,
        default=3,
        help="interleaved rounds under gunicorn (default 3)",
    )
    p.add_argument(
        "--readme",
        action="store_true",
        help="also rewrite the README's results (between its bench:results markers)",
    )
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
    argv = sys.argv[1:] if argv is None else list(argv)
    args = parser().parse_args(argv)
    if args.concurrency:
        from . import concurrency

        return concurrency.run(
            writes=args.writes, threads=args.threads, exports=args.exports, port=args.port
        )
    if args.instances:
        from . import instances

        return instances.run(seconds=args.serving_seconds, rounds=args.serving_rounds, out=say)
    args.command = " ".join(["make bench", *([f"BENCH_ARGS='{' '.join(argv)}'"] if argv else [])])
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
    load_before = report.load_average()
    say(f"Measuring ({args.runs} runs a page; load average {load_before}):")
    pages = tuple(key.strip() for key in args.pages.split(",")) if args.pages else None
    results = bench.measure(args.runs, out=say, pages=pages)
    say("Permission checks (timeit):")
    perms = measuring.permission_check_us(bench.org)
    served = None
    if not args.no_serving:
        say("Scan redirect under gunicorn:")
        served = serving.measure(
            bench.org, seconds=args.serving_seconds, rounds=args.serving_rounds, out=say
        )
    context = report.Context.collect(
        bench.org, args.runs, seeded, load_before=load_before, command=args.command
    )
    say("")
    say(report.text(results, context, perms=perms, serving=served))
    page_plans = []
    if plans.available():
        page_plans = plans.probe_plans(bench.org, [m.probe for m in results.measurements])
        say("")
        say(report.plans_text(page_plans))
    args.output.mkdir(parents=True, exist_ok=True)
    path = args.output / f"{connection.vendor}.md"
    path.write_text(report.markdown(results, context, page_plans, perms=perms, serving=served))
    say("")
    say(f"Written to {path}")
    if args.readme:
        summary = report.summary_markdown(results, context, perms=perms, serving=served)
        update_readme(README, summary)
        say(f"README results rewritten ({README})")
    return 0


README = Path(settings.BASE_DIR) / "README.md"
MARK_START, MARK_END = "<!-- bench:results -->", "<!-- /bench:results -->"


def update_readme(path: Path, summary: str) -> None:
    """Replace what stands between the README's bench:results markers by `summary`."""
    text = path.read_text()
    start, end = text.find(MARK_START), text.find(MARK_END)
    if start < 0 or end < start:
        raise BenchError(f"{path} has no {MARK_START} … {MARK_END} section.")
    path.write_text(f"{text[: start + len(MARK_START)]}\n{summary}{text[end:]}")


def verify() -> bool:
    """Checkpoint the bench org's chain and verify it against the checkpoint,
    beside the work `verify_activity` did before keys and checkpoints — walking the same rows
    and computing the unkeyed SHA-256 — measured in the same run; then a scheduled checkpoint
    after 1,000 more entries (it checks only the entries since the last one)."""
    from audit.checkpoints import write_checkpoints
    from audit.integrity import entry_rows, verify_all
    from audit.keys import LEGACY_KEY_ID
    from audit.models import compute_hash
    from audit.recording import Draft, bulk_record
    from orgs.models import Organization

    org = Organization.objects.get(slug=seeding.ORG_SLUG)

    def timed(work):
        started = time.perf_counter()
        result = work()
        return result, time.perf_counter() - started

    def unkeyed_walk():
        return sum(
            1 for row in entry_rows(org.pk) if compute_hash({**row, "key_id": LEGACY_KEY_ID})
        )

    rows, baseline = timed(unkeyed_walk)
    say(f"Baseline (the old verify's work, unkeyed SHA-256): {rows:,} entries in {baseline:.1f} s")
    written, took = timed(lambda: write_checkpoints([org.pk]))
    what = written[0].reason or written[0].checkpoint.name
    say(f"checkpoint_activity (first: checks the whole chain, signs): {took:.1f} s — {what}")
    result, took = timed(lambda: verify_all(org.pk))
    report = result.reports[0]
    say(
        f"verify_activity against the checkpoint: {report.entries:,} entries "
        f"{'intact' if result.ok else 'checked'} in {took:.1f} s "
        f"({took / baseline:.2f}× the baseline)"
    )
    bulk_record(
        Draft(org_id=org.pk, action="updated", entity_type="flow", entity_id=str(i))
        for i in range(1000)
    )
    written, took = timed(lambda: write_checkpoints([org.pk]))
    say(f"checkpoint_activity after 1,000 more entries: {took:.2f} s")
    if result.ok:
        return True
    print(f"Hash chain of '{org.slug}' is broken at {report.problem}.", file=sys.stderr)
    return False
