"""EXPLAIN ANALYZE of the activity page's queries (PostgreSQL): which indexes each filter's page
is read through, whether anything sorts or scans the whole table, and how long the database
took. The lookups a filter runs first (the actor emails or workspace ids a substring matches)
are explained too."""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.test.utils import CaptureQueriesContext

from audit.filters import ActivityFilterForm, filter_entries, newest_entries
from audit.selectors import LIST_FIELDS, PAGE_SIZE

INDEX_USE = re.compile(
    r"(?:Index Only |Index )Scan(?: Backward)? using (\w+)|Bitmap Index Scan on (\w+)"
)
SEQ_SCAN = re.compile(r"Seq Scan on (\w+)")
EXECUTION = re.compile(r"Execution Time: ([\d.]+) ms")


@dataclass
class Plan:
    """One query's EXPLAIN ANALYZE output, read for what matters at scale."""

    sql: str
    text: str

    @property
    def executed(self) -> str:
        """The plan's nodes that ran (a branch its one-time filter skipped says "never
        executed")."""
        return "\n".join(line for line in self.text.splitlines() if "never executed" not in line)

    @property
    def indexes(self) -> list[str]:
        return list(dict.fromkeys(a or b for a, b in INDEX_USE.findall(self.executed)))

    @property
    def seq_scans(self) -> list[str]:
        return list(dict.fromkeys(SEQ_SCAN.findall(self.executed)))

    @property
    def sorts(self) -> bool:
        return bool(re.search(r"^\s*(->\s*)?(Incremental )?Sort\b", self.executed, re.MULTILINE))

    @property
    def execution_ms(self) -> float | None:
        found = EXECUTION.search(self.text)
        return float(found.group(1)) if found else None

    @property
    def took(self) -> str:
        return "—" if self.execution_ms is None else f"{self.execution_ms:.2f} ms"


@dataclass
class PagePlans:
    """The plans of one activity probe: the lookups its filters run first, then the query
    reading the page (or, for an export, all the matching entries)."""

    key: str
    label: str
    main: Plan
    lookups: list[Plan]


def available() -> bool:
    return connection.vendor == "postgresql"


def explain(sql: str, params=None) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN ANALYZE {sql}", params)
        return "\n".join(row[0] for row in cursor.fetchall())


def activity_plans(org, key: str, label: str, filters: dict, *, export: bool = False) -> PagePlans:
    """The plans of a probe's queries: the lookups that resolve its filters, then the read of
    the log — the page's own query (audit.filters.newest_entries) or, for an export, every
    matching entry."""
    form = ActivityFilterForm(filters)
    if not form.is_valid():
        raise ValueError(f"Invalid activity filters {filters}: {form.errors.as_text()}")
    with CaptureQueriesContext(connection) as captured:
        if export:
            entries = filter_entries(org, form.cleaned_data)
        else:
            newest_entries(org, form.cleaned_data, LIST_FIELDS, PAGE_SIZE + 1)
    queries = [query["sql"] for query in captured]
    if export:
        lookups = queries
        try:
            main = Plan(str(entries.query), entries.explain(analyze=True))
        except EmptyResultSet:
            main = Plan("", "No query: nothing can match these filters.")
    else:
        lookups = [sql for sql in queries if '"audit_activityentry"' not in sql]
        pages = [sql for sql in queries if '"audit_activityentry"' in sql]
        main = (
            Plan(pages[-1], explain(pages[-1]))
            if pages
            else Plan("", "No query: nothing can match these filters.")
        )
    return PagePlans(key, label, main, [Plan(sql, explain(sql)) for sql in lookups])


def probe_plans(org, probes) -> list[PagePlans]:
    """Plans of every probe that reads the activity log through its filters."""
    return [
        activity_plans(
            org,
            probe.key,
            f"{probe.group}: {probe.label}",
            probe.filters,
            export=probe.rows is None,  # an export reads every matching entry
        )
        for probe in probes
        if probe.filters is not None
    ]
