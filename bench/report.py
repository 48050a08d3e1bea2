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

from .measuring import Results
from .plans import PagePlans
from .seeding import SeedReport

COLUMNS = ["page", "median ms", "max ms", "queries", "rows", "first row ms"]


@dataclass
class Context:
    """Where and on what the figures were measured."""

    date: str
    machine: str
    database: str
    runs: int
    counts: dict[str, int]
    seeding: SeedReport | None

    @classmethod
    def collect(cls, org, runs: int, seeding: SeedReport | None) -> Context:
        return cls(
            date=timezone.localdate().isoformat(),
            machine=f"{os.cpu_count()} cores, {platform.system()} {platform.machine()}, "
            f"Python {platform.python_version()}, load average {os.getloadavg()[0]:.1f}",
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
        )

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
        )


def text(results: Results, context: Context) -> str:
    lines = [
        f"{context.database} · {context.machine} · {context.date}",
        f"Data: {context.sizes}",
        f"Seeding: {context.seeded}",
        f"Each page: median and max of {context.runs} runs after one untimed request; "
        "a CSV export is read to its end (first row ms: until its first row arrives).",
        "",
    ]
    table = [(label, *numbers) for label, _url, *numbers in _rows(results)]
    widths = [max(len(str(row[i])) for row in [COLUMNS, *table]) for i in range(len(COLUMNS))]

    def line(row):
        first = str(row[0]).ljust(widths[0])
        rest = [str(value).rjust(width) for value, width in zip(row[1:], widths[1:], strict=True)]
        return "  ".join([first, *rest])

    lines += [line(COLUMNS), "  ".join("-" * width for width in widths)]
    lines += [line(row) for row in table]
    pairs = results.pairs()
    if pairs:
        lines += ["", "Side by side (median ms, queries):"]
        for app, admin in pairs:
            lines.append(
                f"  {app.probe.group}: {app.probe.label}: {app.median_ms:.0f} ms, "
                f"{app.queries} q  |  admin {admin.probe.label}: {admin.median_ms:.0f} ms, "
                f"{admin.queries} q"
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
    return _md_table(COLUMNS, rows, "lrrrrr")


def pairs_table(results: Results) -> list[str]:
    header = ["flowadmin page", "median ms", "queries"]
    header += ["Django admin changelist", "median ms", "queries"]
    rows = [
        (
            f"{app.probe.group}: {app.probe.label}",
            f"{app.median_ms:.0f}",
            str(app.queries),
            admin.probe.label,
            f"{admin.median_ms:.0f}",
            str(admin.queries),
        )
        for app, admin in results.pairs()
    ]
    return _md_table(header, rows, "lrrlrr")


def markdown(results: Results, context: Context, plans: list[PagePlans]) -> str:
    lines = [
        f"# Benchmark on {context.database}",
        "",
        f"- Date: {context.date}",
        f"- Machine: {context.machine}",
        f"- Data (org `bench`): {context.sizes}",
        f"- Seeding: {context.seeded}",
        f"- Each page: median and max of {context.runs} runs after one untimed request, "
        "through Django's test client (DEBUG off); a CSV export is read to its end "
        "(first row ms: until its first row arrives).",
        "",
        *results_table(results),
    ]
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
