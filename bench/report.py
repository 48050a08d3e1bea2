"""The benchmark's tables: plain text for the terminal, Markdown for bench/results/."""

from __future__ import annotations

import os
import platform
from dataclasses import dataclass

from django.db import connection
from django.utils import timezone

from audit.models import ActivityEntry
from orgs.models import OrgMembership
from workspaces.models import AudienceContact, Flow, Scan, Workspace

from .measuring import Measurement, Results
from .plans import PagePlans
from .seeding import SeedReport

COLUMNS = [
    "page",
    "median ms",
    "max ms",
    "queries",
    "rows",
    "first row ms",
    "target ms",
    "× target",
]


def load_average() -> str:
    """The machine's load average over 1, 5 and 15 minutes (as `uptime` prints it)."""
    return ", ".join(f"{value:.2f}" for value in os.getloadavg())


@dataclass
class Context:
    """Where and on what the figures were measured."""

    date: str
    machine: str
    database: str
    runs: int
    counts: dict[str, int]
    seeding: SeedReport | None
    load_before: str = ""
    load_after: str = ""
    command: str = ""

    @classmethod
    def collect(
        cls, org, runs: int, seeding: SeedReport | None, *, load_before: str = "", command=""
    ) -> Context:
        return cls(
            date=timezone.now().strftime("%Y-%m-%d %H:%M UTC"),
            machine=f"{os.cpu_count()} cores, {platform.system()} {platform.machine()}, "
            f"Python {platform.python_version()}",
            database=database_label(),
            runs=runs,
            counts={
                "activity entries": ActivityEntry.objects.filter(org=org).count(),
                "members": OrgMembership.objects.filter(org=org).count(),
                "workspaces": Workspace.objects.filter(org=org).count(),
                "flows": Flow.objects.filter(workspace__org=org).count(),
                "scans": Scan.objects.filter(workspace__org=org).count(),
                "audience contacts": AudienceContact.objects.filter(workspace__org=org).count(),
            },
            seeding=seeding,
            load_before=load_before,
            load_after=load_average(),
            command=command,
        )

    @property
    def load(self) -> str:
        return f"load average (1, 5, 15 min) {self.load_before} before, {self.load_after} after"

    @property
    def sizes(self) -> str:
        return ", ".join(f"{count:,} {name}" for name, count in self.counts.items())

    @property
    def seeded(self) -> str:
        if self.seeding is None:
            return "not run (--measure-only)"
        if not self.seeding.added:
            return f"data already present, checked in {self.seeding.seconds:.1f} s"
        return f"{self.seeding.seconds:.0f} s ({self.seeding})"


def database_label() -> str:
    vendor = connection.vendor
    if vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            return f"PostgreSQL {cursor.fetchone()[0].split()[0]}"
    if vendor == "sqlite":
        import sqlite3

        return f"SQLite {sqlite3.sqlite_version}"
    return vendor


def _rows(results: Results):
    for m in results.measurements:
        yield (
            f"{m.probe.group}: {m.probe.label}",
            m.probe.url,
            f"{m.median_ms:.0f}",
            f"{m.max_ms:.0f}",
            str(m.queries),
            "" if m.rows is None else f"{m.rows:,}",
            "" if m.first_row_ms is None else f"{m.first_row_ms:.0f}",
            "" if m.target_ms is None else f"{m.target_ms:.0f}",
            "" if m.ratio is None else _ratio(m.ratio),
        )


def _ratio(value: float) -> str:
    return f"{value:.2f}{'' if value <= 1 else ' ✗'}"


def serving_lines(serving) -> list[tuple[str, ...]]:
    """(what, req/s, p50 ms, p99 ms, × bare redirect, errors) per served URL."""
    bare = serving.by_key()["bare"].rps
    return [
        (
            f"{t.label} `{t.path}`",
            f"{t.rps:.0f}",
            f"{t.percentile(50):.1f}",
            f"{t.percentile(99):.1f}",
            f"{t.rps / bare:.2f}" if bare else "—",
            str(t.errors),
        )
        for t in serving.targets
    ]


SERVING_COLUMNS = ["served by gunicorn", "req/s", "p50 ms", "p99 ms", "× bare", "errors"]


def serving_summary(serving) -> list[str]:
    from .serving import SCAN_TARGET_RATIO

    met = "met" if serving.scan_ratio >= SCAN_TARGET_RATIO else "NOT met"
    recorded = (
        "every answered scan recorded"
        if serving.scans_recorded == serving.rollup_recorded == serving.scans_answered
        else "SCANS MISSING"
    )
    return [
        f"gunicorn: {serving.workers} sync workers; {serving.concurrency} client threads, "
        f"{serving.rounds} interleaved rounds of {serving.seconds:g} s per URL, a new "
        "connection per request.",
        f"Scan redirect: {serving.scan_ratio:.2f}× a bare redirect (target ≥ "
        f"{SCAN_TARGET_RATIO}: {met}); {serving.scans_answered:,} scans answered, "
        f"{serving.scans_recorded:,} recorded, {serving.rollup_recorded:,} in the daily rollup "
        f"({recorded}).",
    ]


def perm_lines(perms: dict[str, float]) -> list[tuple[str, ...]]:
    from .measuring import HAS_PERM_TARGET_US

    return [
        (label, f"{us:.2f}", f"{HAS_PERM_TARGET_US:g}", _ratio(us / HAS_PERM_TARGET_US))
        for label, us in perms.items()
    ]


PERM_COLUMNS = ["permission check (access loaded)", "µs", "target µs", "× target"]


def _plain_table(columns, table) -> list[str]:
    widths = [max(len(str(row[i])) for row in [columns, *table]) for i in range(len(columns))]

    def line(row):
        first = str(row[0]).ljust(widths[0])
        rest = [str(value).rjust(width) for value, width in zip(row[1:], widths[1:], strict=True)]
        return "  ".join([first, *rest])

    return [line(columns), "  ".join("-" * width for width in widths), *map(line, table)]


def text(results: Results, context: Context, *, perms=None, serving=None) -> str:
    lines = [
        f"{context.database} · {context.machine} · {context.date}",
        f"Machine load: {context.load} (a shared machine: figures under load are noisy)",
        f"Data: {context.sizes}",
        f"Seeding: {context.seeded}",
        f"Each page: median and max of {context.runs} runs after one untimed request; "
        "a CSV export is read to its end (first row ms: until its first row arrives).",
        "",
    ]
    table = [(label, *numbers) for label, _url, *numbers in _rows(results)]
    lines += _plain_table(COLUMNS, table)
    if perms:
        lines += ["", *_plain_table(PERM_COLUMNS, perm_lines(perms))]
    if serving:
        lines += ["", *_plain_table(SERVING_COLUMNS, serving_lines(serving))]
        lines += serving_summary(serving)
    pairs = results.pairs()
    if pairs:
        lines += ["", "Side by side (median ms, queries; × = the admin's time / the page's):"]
        for app, admin in pairs:
            lines.append(
                f"  {app.probe.group}: {app.probe.label}: {app.median_ms:.0f} ms, "
                f"{app.queries} q  |  {admin.probe.group}: {admin.probe.label}: "
                f"{admin.median_ms:.0f} ms, {admin.queries} q  |  {admin_ratio(app, admin)}"
            )
    return "\n".join(lines)


def plans_text(plans: list[PagePlans]) -> str:
    lines = ["EXPLAIN ANALYZE of the activity page's queries:"]
    for page in plans:
        main = page.main
        lines.append(
            f"  {page.label}: {', '.join(main.indexes) or 'no index'}"
            f"{' · SORT' if main.sorts else ''}"
            f"{' · SEQ SCAN ' + ', '.join(main.seq_scans) if main.seq_scans else ''}"
            f" · {main.took}"
        )
        for lookup in page.lookups:
            lines.append(
                f"      lookup: {', '.join(lookup.indexes) or 'no index'}"
                f"{' · seq scan ' + ', '.join(lookup.seq_scans) if lookup.seq_scans else ''}"
                f" · {lookup.took}"
            )
    return "\n".join(lines)


def _md_table(header, rows, align: str) -> list[str]:
    """A Markdown table; `align` has an "l" or "r" per column."""
    return [
        "| " + " | ".join(header) + " |",
        "|" + "|".join("---:" if side == "r" else "---" for side in align) + "|",
        *("| " + " | ".join(row) + " |" for row in rows),
    ]


def results_table(results: Results) -> list[str]:
    rows = [(f"{label}<br>`{url}`", *numbers) for label, url, *numbers in _rows(results)]
    return _md_table(COLUMNS, rows, "lrrrrrrr")


def summary_markdown(results: Results, context: Context, *, perms=None, serving=None) -> str:
    """The README's Results: what was measured, where, under which load, with which command;
    each figure with its target and ratio."""
    lines = [
        f"Measured {context.date} with `{context.command}` on {context.database}, "
        f"{context.machine}; {context.load}. Data (org `bench`): {context.sizes}. "
        f"Each page: median and max of {context.runs} runs after one untimed request "
        "(Django's test client, DEBUG off). **The machine was shared**: figures under load "
        "are noisy; compare ratios within one run.",
        "",
    ]
    rows = [(label, *numbers[:4], *numbers[5:]) for label, _url, *numbers in _rows(results)]
    columns = [c for c in COLUMNS if c != "first row ms"]
    lines += _md_table(columns, rows, "lrrrrrr")
    if perms:
        lines += ["", *_md_table(PERM_COLUMNS, perm_lines(perms), "lrrr")]
    if serving:
        lines += ["", *_md_table(SERVING_COLUMNS, serving_lines(serving), "lrrrrr"), ""]
        lines += serving_summary(serving)
    if results.pairs():
        lines += [
            "",
            "Side by side with Django's admin (tuned and stock):",
            "",
            *pairs_table(results),
        ]
    return "\n".join(lines) + "\n"


def admin_ratio(app: Measurement, admin: Measurement) -> str:
    """How many times the page's median time the admin changelist took, e.g. "114×"
    ("" when the page's median is 0 ms)."""
    if not app.median_ms:
        return ""
    ratio = admin.median_ms / app.median_ms
    return f"{ratio:.0f}×" if ratio >= 10 else f"{ratio:.1f}×"


def pairs_table(results: Results) -> list[str]:
    """Each flowadmin page beside the Django admin changelists (the project's tuned admin and a
    stock ModelAdmin) that show the same rows, with the admin's time as a multiple of the page's."""
    header = ["flowadmin page", "median ms", "queries"]
    header += ["Django admin changelist", "median ms", "queries", "× the page"]
    rows = [
        (
            f"{app.probe.group}: {app.probe.label}",
            f"{app.median_ms:.0f}",
            str(app.queries),
            f"{admin.probe.group}: {admin.probe.label}",
            f"{admin.median_ms:.0f}",
            str(admin.queries),
            admin_ratio(app, admin),
        )
        for app, admin in results.pairs()
    ]
    return _md_table(header, rows, "lrrlrrr")


def markdown(
    results: Results, context: Context, plans: list[PagePlans], *, perms=None, serving=None
) -> str:
    lines = [
        f"# Benchmark on {context.database}",
        "",
        f"- Date: {context.date}",
        f"- Command: `{context.command}`",
        f"- Machine: {context.machine}; {context.load}",
        f"- Data (org `bench`): {context.sizes}",
        f"- Seeding: {context.seeded}",
        f"- Each page: median and max of {context.runs} runs after one untimed request, "
        "through Django's test client (DEBUG off); a CSV export is read to its end "
        "(first row ms: until its first row arrives).",
        "",
        *results_table(results),
    ]
    if perms:
        lines += ["", *_md_table(PERM_COLUMNS, perm_lines(perms), "lrrr")]
    if serving:
        lines += ["", *_md_table(SERVING_COLUMNS, serving_lines(serving), "lrrrrr"), ""]
        lines += serving_summary(serving)
    if results.pairs():
        lines += ["", "## Side by side with Django's admin", "", *pairs_table(results)]
    if plans:
        lines += ["", "## EXPLAIN ANALYZE of the activity page's queries", ""]
        header = ["page", "indexes used", "sort", "seq scan", "in the database", "lookups first"]
        rows = []
        for page in plans:
            main = page.main
            lookups = "; ".join(
                f"{', '.join(lookup.indexes) or 'seq scan ' + ', '.join(lookup.seq_scans)}"
                f" ({lookup.took})"
                for lookup in page.lookups
            )
            rows.append(
                (
                    page.label,
                    ", ".join(main.indexes) or "—",
                    "yes" if main.sorts else "no",
                    ", ".join(main.seq_scans) or "no",
                    main.took,
                    lookups or "—",
                )
            )
        lines += _md_table(header, rows, "llllrl")
        lines += ["", "<details><summary>Full plans</summary>", ""]
        for page in plans:
            lines += [f"### {page.label}", ""]
            for plan in [*page.lookups, page.main]:
                lines += ["```", plan.sql, "", plan.text, "```", ""]
        lines += ["</details>"]
    return "\n".join(lines) + "\n"
