"""Reads that workspace views (and the org dashboard) share: flow listings and scan analytics.

Every function here costs a fixed number of queries whatever the number of rows: aggregation
happens in the database (TruncDate + Count), never by iterating over scans in Python.
The scan functions take a Scan queryset, so the same code serves one flow, one workspace or a
whole org (`Scan.objects.filter(workspace__org=org)`).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db.models import Count, OuterRef, Q, Subquery
from django.db.models.functions import TruncDate
from django.utils import timezone

from ..models import DeviceClass, Flow, OrgScanDay, Scan, ScanDay

PERIOD_CHOICES = (7, 30, 90)
DEFAULT_PERIOD = 30


# --- flows ---------------------------------------------------------------------------------


def flow_listing(workspace, *, search: str = "", status: str = ""):
    """The workspace's flows, newest first, filtered, each annotated with `scan_count` (a
    correlated subquery, so it is computed only for the rows of the page being shown)."""
    flows = Flow.objects.filter(workspace=workspace)
    search = search.strip()
    if search:
        flows = flows.filter(
            Q(name__icontains=search) | Q(short_code=search) | Q(destination_url__icontains=search)
        )
    if status:
        flows = flows.filter(status=status)
    scan_count = (
        Scan.objects.filter(flow=OuterRef("pk"))
        .order_by()
        .values("flow")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return flows.annotate(scan_count=Subquery(scan_count)).order_by("-created_at", "-id")


# --- scan analytics ------------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    """The last `days` calendar days (in the current time zone), today included."""

    days: int
    first_day: datetime.date
    last_day: datetime.date

    @classmethod
    def last(cls, days: int, *, now: datetime.datetime | None = None) -> Period:
        today = timezone.localdate(now or timezone.now())
        return cls(days, today - datetime.timedelta(days=days - 1), today)

    @property
    def start(self) -> datetime.datetime:
        """The first instant of the period (aware)."""
        return _midnight(self.first_day)

    @property
    def end(self) -> datetime.datetime:
        """The first instant after the period: the midnight after the last day (aware)."""
        return _midnight(self.last_day + datetime.timedelta(days=1))

    @property
    def dates(self) -> list[datetime.date]:
        return [self.first_day + datetime.timedelta(days=n) for n in range(self.days)]


def _midnight(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(
        datetime.datetime.combine(day, datetime.time.min), timezone.get_current_timezone()
    )


def scans_in(scans, period: Period):
    return scans.filter(scanned_at__gte=period.start)


def daily_scan_counts(scans, period: Period) -> list[tuple[datetime.date, int]]:
    """[(day, scans)] for every day of the period, days without scans included: one query."""
    rows = (
        scans_in(scans, period)
        .annotate(day=TruncDate("scanned_at"))
        .order_by()
        .values("day")
        .annotate(n=Count("pk"))
        .values_list("day", "n")
    )
    counts = {_as_date(day): n for day, n in rows}
    return [(day, counts.get(day, 0)) for day in period.dates]


def _as_date(value) -> datetime.date:
    # SQLite hands TruncDate back as a string in some Django/SQLite combinations.
    if isinstance(value, str):
        return datetime.date.fromisoformat(value)
    return value


@dataclass(frozen=True)
class Share:
    """One row of a breakdown: what (a label, and a key such as a flow id), how many, what part
    of the total."""

    key: object
    label: str
    count: int
    percent: float


def _shares(rows, total: int) -> list[Share]:
    return [
        Share(key, label, count, round(100 * count / total, 1) if total else 0.0)
        for key, label, count in rows
    ]


def scans_by_flow(scans, period: Period, *, total: int, limit: int = 10) -> list[Share]:
    """The `limit` most scanned flows of the period: one query."""
    rows = (
        scans_in(scans, period)
        .order_by()
        .values("flow_id", "flow__name")
        .annotate(n=Count("pk"))
        .order_by("-n", "flow__name")[:limit]
    )
    return _shares(((r["flow_id"], r["flow__name"], r["n"]) for r in rows), total)


def scans_by_country(scans, period: Period, *, total: int, limit: int = 10) -> list[Share]:
    """The `limit` countries with most scans, then "Other countries" for the rest and
    "Unknown" for scans without a country: one query."""
    rows = list(
        scans_in(scans, period)
        .order_by()
        .values("country")
        .annotate(n=Count("pk"))
        .order_by("-n", "country")
        .values_list("country", "n")
    )
    unknown = sum(n for code, n in rows if not code)
    known = [(code, code, n) for code, n in rows if code]
    result = known[:limit]
    rest = sum(n for _code, _label, n in known[limit:])
    if rest:
        result.append(("other", "Other countries", rest))
    if unknown:
        result.append(("", "Unknown", unknown))
    return _shares(result, total)


def scans_by_device(scans, period: Period, *, total: int) -> list[Share]:
    """Scans per device class, most first: one query."""
    rows = (
        scans_in(scans, period)
        .order_by()
        .values("device")
        .annotate(n=Count("pk"))
        .order_by("-n", "device")
        .values_list("device", "n")
    )
    labels = dict(DeviceClass.choices)
    return _shares(((device, labels.get(device, device), n) for device, n in rows), total)


@dataclass
class ScanAnalytics:
    period: Period
    daily: list[tuple[datetime.date, int]]
    total: int
    by_flow: list[Share] = field(default_factory=list)
    by_country: list[Share] = field(default_factory=list)
    by_device: list[Share] = field(default_factory=list)

    @property
    def busiest_day(self) -> tuple[datetime.date, int] | None:
        best = max(self.daily, key=lambda point: point[1], default=None)
        return best if best and best[1] else None

    @property
    def daily_average(self) -> float:
        return round(self.total / self.period.days, 1) if self.period.days else 0.0


def scan_analytics(scans, period: Period, *, breakdowns: bool = True) -> ScanAnalytics:
    """Everything the analytics page shows for `scans` over `period`: four queries (one
    without the breakdowns)."""
    daily = daily_scan_counts(scans, period)
    total = sum(n for _day, n in daily)
    analytics = ScanAnalytics(period, daily, total)
    if breakdowns:
        analytics.by_flow = scans_by_flow(scans, period, total=total)
        analytics.by_country = scans_by_country(scans, period, total=total)
        analytics.by_device = scans_by_device(scans, period, total=total)
    return analytics


def org_scans(org):
    return Scan.objects.filter(workspace__org=org)


def scan_days_in(period: Period, **filters):
    """The daily rollups (ScanDay) of the period's days, filtered, e.g.
    `scan_days_in(period, workspace__org=org)`."""
    return ScanDay.objects.filter(day__gte=period.first_day, day__lte=period.last_day, **filters)


def org_daily_scans(org, period: Period) -> ScanAnalytics:
    """The org's scans per day over `period` (and their total) from its daily scans
    (OrgScanDay, kept by the database from the workspaces' ScanDay rows): one query reading at
    most a row a day, whatever the number of scans or workspaces and whatever other orgs hold."""
    rows = OrgScanDay.objects.filter(
        org=org, day__gte=period.first_day, day__lte=period.last_day
    ).values_list("day", "scans")
    counts = {_as_date(day): n for day, n in rows}
    daily = [(day, counts.get(day, 0)) for day in period.dates]
    return ScanAnalytics(period, daily, sum(n for _day, n in daily))


def workspace_scans(workspace):
    return Scan.objects.filter(workspace=workspace)


def flow_scans(flow):
    return Scan.objects.filter(flow=flow)
