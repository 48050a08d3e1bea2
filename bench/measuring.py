"""Rendering the pages SPEC §8 names at scale, with Django's test client, and timing them.

Each probe is requested once untimed (warming caches; its template context is captured to count
the rows shown and to check the page rendered), then `runs` times: median and max wall time of
the whole request (middleware, queries, template; a streamed CSV read to its end), the number of
SQL queries (CaptureQueriesContext) and the rows shown. The org's pages are requested as the
org admin, Django's admin changelists as a superuser, against the same tables.
"""

from __future__ import annotations

import csv
import datetime
import io
import statistics
import time
import timeit
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.db import connection
from django.db.models import Count
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from audit.filters import activity_url, encode_cursor, export_url
from audit.models import ActivityActor, ActivityEntry
from orgs.admin import OrgMembershipAdmin
from orgs.models import Organization, OrgMembership, User
from orgs.views.users import MEMBERS_PER_PAGE
from workspaces.models import Workspace

from .seeding import ADMIN_EMAIL, OPERATOR_EMAIL, ORG_SLUG

ACTIVITY = "Activity page"
EXPORT = "Activity CSV export"
USERS = "Users page"
DASHBOARD = "Dashboard"
PROFILE = "Member profile"
MANAGE_MEMBERS = "Manage → Members"
ADMIN = "Django admin changelist"
STOCK = "Stock ModelAdmin"
# Median milliseconds each page should stay under at full size; the report prints
# the ratio median / target (≤ 1 meets it).
TARGETS_MS = {
    DASHBOARD: 50,
    USERS: 40,
    ACTIVITY: 25,
    PROFILE: 50,
    MANAGE_MEMBERS: 40,
}
# An email filter matching many actors (1,000 of 10,000 members, none in the newest 57,000
# entries: audit.filters.newest_entries reads the 51 whose newest entries are newest).
MANY = "member01"


@dataclass
class Probe:
    key: str
    group: str
    label: str
    url: str
    rows: Callable | None = None  # (response) → rows shown, from the captured context
    as_operator: bool = False  # the admin site's superuser instead of the org admin
    filters: dict | None = None  # the activity filters, for EXPLAIN
    compare: str | None = None  # key of the app probe an admin probe stands beside


@dataclass
class Measurement:
    probe: Probe
    times_ms: list[float]
    queries: int
    rows: int | None
    size_bytes: int
    first_row_ms: float | None = None  # a streamed export: median time to its first row

    @property
    def median_ms(self) -> float:
        return statistics.median(self.times_ms)

    @property
    def max_ms(self) -> float:
        return max(self.times_ms)

    @property
    def target_ms(self) -> float | None:
        return TARGETS_MS.get(self.probe.group)

    @property
    def ratio(self) -> float | None:
        """Median over target (≤ 1: the target is met), or None without a target."""
        return self.median_ms / self.target_ms if self.target_ms else None


@dataclass
class Results:
    measurements: list[Measurement] = field(default_factory=list)

    def by_key(self) -> dict[str, Measurement]:
        return {m.probe.key: m for m in self.measurements}

    def pairs(self) -> list[tuple[Measurement, Measurement]]:
        """(app page, admin changelist) measured side by side."""
        keyed = self.by_key()
        return [
            (keyed[m.probe.compare], m)
            for m in self.measurements
            if m.probe.compare and m.probe.compare in keyed
        ]


class BenchError(Exception):
    """The data or a page is not what the benchmark needs (one line for the user)."""


def _page_rows(response):
    page = response.context["page"]
    return len(page.entries if hasattr(page, "entries") else page.object_list) if page else 0


def _admin_rows(response):
    return len(response.context["cl"].result_list)


def _profile_rows(response):
    return len(response.context["workspace_rows"]) + len(response.context["found_rows"])


def _manage_rows(response):
    return len(response.context["rows"])


def _csv_rows(body: bytes) -> int:
    return sum(1 for _ in csv.reader(io.StringIO(body.decode()))) - 1


def probes(org) -> list[Probe]:
    """The pages to measure, with filter values picked from the seeded data."""
    members = OrgMembership.objects.filter(org=org, role="user").order_by("user__email")
    busy = members.values_list("user__email", flat=True).first()
    quiet = members.reverse().values_list("user__email", flat=True).first()
    if busy is None:
        raise BenchError(f"The org {org.slug!r} has no members: seed it first.")
    member_count = OrgMembership.objects.filter(org=org).count()
    names = list(Workspace.objects.filter(org=org).order_by("name").values_list("name", flat=True))
    one_ws = names[min(2, len(names) - 1)]
    today = timezone.localdate()
    month = {
        "since": today - datetime.timedelta(days=200),
        "until": today - datetime.timedelta(days=170),
    }
    # An export streams inline up to settings.EXPORT_INLINE_MAX_ROWS (50,000) rows; a month at
    # full size is more, and becomes a background job (a redirect), so the timed one is a week.
    week = {"since": month["since"], "until": month["since"] + datetime.timedelta(days=6)}

    def activity(key, label, **filters):
        url = activity_url(org, **filters)
        return Probe(key, ACTIVITY, label, url, _page_rows, filters=filters)

    def users(key, label, **params):
        url = reverse("orgs:users", args=[org.slug])
        return Probe(key, USERS, label, _with(url, params), _page_rows)

    def admin(key, label, path, compare=None, **params):
        return Probe(key, ADMIN, label, _with(path, params), _admin_rows, True, compare=compare)

    def stock(key, label, compare, **params):
        url = _with(reverse("stock_admin:audit_activityentry_changelist"), params)
        return Probe(key, STOCK, label, url, _admin_rows, True, compare=compare)

    member = User.objects.get(email=busy)
    profile = reverse("orgs:user_profile", args=[org.slug, member.pk])
    busiest_ws = (
        Workspace.objects.filter(org=org)
        .annotate(n=Count("memberships"))
        .order_by("-n", "name")
        .values_list("slug", flat=True)
        .first()
    )
    manage = reverse("workspaces:manage_members", args=[org.slug, busiest_ws])
    dashboard = reverse("orgs:dashboard", args=[org.slug])
    entries_admin = reverse("admin:audit_activityentry_changelist")
    members_admin = reverse("admin:orgs_orgmembership_changelist")
    flow_id = (
        ActivityEntry.objects.filter(org=org, entity_type="flow")
        .order_by("-created_at", "-id")
        .values_list("entity_id", flat=True)
        .first()
    ) or "1"
    return [
        Probe("dashboard", DASHBOARD, "dashboard", dashboard, _page_rows),
        Probe("dashboard-scans", DASHBOARD, "by scans", f"{dashboard}?sort=scans", _page_rows),
        Probe("profile", PROFILE, f"{busy}", profile, _profile_rows),
        Probe(
            "profile-find",
            PROFILE,
            "find “Workspace 00” (to give access)",
            _with(profile, {"find": "Workspace 00"}),
            _profile_rows,
        ),
        Probe("manage", MANAGE_MEMBERS, f"workspace {busiest_ws}, page 1", manage, _manage_rows),
        Probe(
            "manage-search",
            MANAGE_MEMBERS,
            "search “member0”",
            _with(manage, {"q": "member0"}),
            _manage_rows,
        ),
        users("users", "page 1"),
        users("users-search", "search “smith”", q="smith"),
        users("users-page", "middle page", page=_middle(member_count, MEMBERS_PER_PAGE)),
        users(
            "users-login",
            "by last login, middle page",
            sort="-last_login",
            page=_middle(member_count, MEMBERS_PER_PAGE),
        ),
        activity("activity", "newest, unfiltered"),
        # "older" links are added by measure() from the page itself
        activity("activity-email", "actor email (busiest)", email=busy),
        activity("activity-email-quiet", "actor email (quietest)", email=quiet),
        activity(
            "activity-email-many",
            f"actor email contains “{MANY}” ({_actors(org, MANY):,} actors)",
            email=MANY,
        ),
        activity("activity-ws", "workspace (one)", workspace=one_ws),
        activity("activity-ws-many", "workspace contains “Workspace 00”", workspace="Workspace 00"),
        activity("activity-updated", "action = updated", action="updated"),
        activity("activity-exported", "action = exported", action="exported"),
        activity("activity-entity", "entity = team", entity="team"),
        activity("activity-entity-id", "entity = flow, id", entity="flow", id=flow_id),
        activity("activity-month", "since … until (a month)", **month),
        activity(
            "activity-combined",
            "email + action + entity + month",
            email=busy,
            action="updated",
            entity="flow",
            **month,
        ),
        activity(
            "activity-combined-ws",
            "workspace + action + entity",
            workspace=one_ws,
            action="deleted",
            entity="workspace_member",
        ),
        Probe(
            "export-ws",
            EXPORT,
            "workspace (one)",
            export_url(org, workspace=one_ws),
            filters={"workspace": one_ws},
        ),
        Probe("export-week", EXPORT, "a week", export_url(org, **week), filters=week),
        admin("admin", "activity entries", entries_admin, compare="activity"),
        admin(
            "admin-updated",
            "activity: action = updated",
            entries_admin,
            compare="activity-updated",
            action__exact="updated",
        ),
        admin(
            "admin-entity",
            "activity: entity type = team",
            entries_admin,
            compare="activity-entity",
            entity_type="team",
        ),
        admin(
            "admin-email",
            "activity: search busiest email",
            entries_admin,
            compare="activity-email",
            q=busy,
        ),
        admin(
            "admin-email-quiet",
            "activity: search quietest email",
            entries_admin,
            compare="activity-email-quiet",
            q=quiet,
        ),
        stock("stock", "activity entries (stock)", "activity"),
        stock(
            "stock-updated", "action = updated (stock)", "activity-updated", action__exact="updated"
        ),
        stock(
            "stock-entity",
            "entity type = team (stock)",
            "activity-entity",
            entity_type__exact="team",
        ),
        stock("stock-email", "search busiest email (stock)", "activity-email", q=busy),
        stock("stock-email-many", f"search “{MANY}” (stock)", "activity-email-many", q=MANY),
        admin(
            "admin-members",
            "org members of bench",
            members_admin,
            compare="users",
            org__id__exact=org.pk,
        ),
        admin(
            "admin-members-search",
            "org members: search “smith”",
            members_admin,
            compare="users-search",
            org__id__exact=org.pk,
            q="smith",
        ),
        admin(
            "admin-members-page",
            "org members, middle page",
            members_admin,
            compare="users-page",
            org__id__exact=org.pk,
            p=_middle(member_count, OrgMembershipAdmin.list_per_page),
        ),
    ]


def _actors(org, text: str) -> int:
    return ActivityActor.objects.filter(org_id=org.pk, email__icontains=text).count()


def _middle(count: int, per_page: int) -> int:
    """The number of the middle page (pages count from 1)."""
    return max(1, -(-count // per_page) // 2)


def _with(url: str, params: dict) -> str:
    return f"{url}?{urlencode(params)}" if params else url


@contextmanager
def captured_context():
    """Let the test client capture template contexts (as Django's test runner does), for the
    untimed first request only: instrumented rendering costs time."""
    from django.template import Template
    from django.test.utils import instrumented_test_render

    original = Template._render
    Template._render = instrumented_test_render
    try:
        yield
    finally:
        Template._render = original


def _get(client: Client, url: str) -> tuple[object, bytes, float | None]:
    """(response, body, ms to the first row of a streamed CSV — after its header line)."""
    started = time.perf_counter()
    response = client.get(url)
    if not response.streaming:
        return response, response.content, None
    chunks, first_ms = [], None
    for chunk in response.streaming_content:
        chunks.append(chunk)
        if len(chunks) == 2:
            first_ms = (time.perf_counter() - started) * 1000
    return response, b"".join(chunks), first_ms


class Bench:
    """Logged-in clients for the org admin and the admin site's superuser."""

    def __init__(self, org_slug: str = ORG_SLUG):
        self.org = Organization.objects.filter(slug=org_slug).first()
        if self.org is None:
            raise BenchError(f"No org {org_slug!r}: run the benchmark's seeding first.")
        self.admin = self._client(ADMIN_EMAIL)
        self.operator = self._client(OPERATOR_EMAIL)

    @staticmethod
    def _client(email) -> Client:
        user = User.objects.filter(email=email).first()
        if user is None:
            raise BenchError(f"No user {email}: run the benchmark's seeding first.")
        client = Client()
        client.force_login(user)
        return client

    def measure_one(self, probe: Probe, runs: int) -> tuple[Measurement, object]:
        client = self.operator if probe.as_operator else self.admin
        with captured_context():
            response, body, _ = _get(client, probe.url)
        if response.status_code != 200:
            raise BenchError(f"{probe.url} answered {response.status_code}, not 200.")
        rows = probe.rows(response) if probe.rows else _csv_rows(body)
        times, firsts, queries = [], [], 0
        for _ in range(runs):
            with CaptureQueriesContext(connection) as captured:
                started = time.perf_counter()
                _, _, first_ms = _get(client, probe.url)
                times.append((time.perf_counter() - started) * 1000)
            queries = len(captured)
            if first_ms is not None:
                firsts.append(first_ms)
        first = statistics.median(firsts) if firsts else None
        return Measurement(probe, times, queries, rows, len(body), first), response

    def measure(
        self,
        runs: int = 5,
        *,
        out: Callable[[str], None] | None = None,
        pages: tuple[str, ...] | None = None,
    ) -> Results:
        """Every probe (or those whose key starts with one of `pages`), `runs` times each."""
        results = Results()
        for probe in probes(self.org):
            if pages and not probe.key.startswith(pages):
                continue
            measurement, response = self.measure_one(probe, runs)
            results.measurements.append(measurement)
            if out:
                out(f"  {probe.group}: {probe.label}: {measurement.median_ms:.0f} ms")
            if probe.key == "activity":
                for older in self._older_probes(response):
                    measurement, _ = self.measure_one(older, runs)
                    results.measurements.append(measurement)
                    if out:
                        out(f"  {older.group}: {older.label}: {measurement.median_ms:.0f} ms")
        return results

    def _older_probes(self, first_page) -> list[Probe]:
        """The "older" link of the first page, and a page half a year back (a cursor deep in
        the log, as after following "older" many times)."""
        found = []
        if first_page.context["older_url"]:
            cursor = first_page.context["page"].older_cursor
            found.append(
                Probe(
                    "activity-older",
                    ACTIVITY,
                    "older (the page's link)",
                    first_page.context["older_url"],
                    _page_rows,
                    filters={"before": cursor},
                )
            )
        middle = (
            ActivityEntry.objects.filter(
                org=self.org, created_at__lte=timezone.now() - datetime.timedelta(days=182)
            )
            .order_by("-created_at", "-id")
            .only("id", "created_at")
            .first()
        )
        if middle is not None:
            cursor = encode_cursor(middle)
            found.append(
                Probe(
                    "activity-deep",
                    ACTIVITY,
                    "older, half a year back",
                    activity_url(self.org, before=cursor),
                    _page_rows,
                    filters={"before": cursor},
                )
            )
        return found


# A permission check once the user's access is loaded should cost at most this.
HAS_PERM_TARGET_US = 5.0


def permission_check_us(org, *, number: int = 20_000, repeat: int = 5) -> dict[str, float]:
    """Microseconds per `user.has_perm(capability, obj)` once the member's access is loaded
    (timeit, the best of `repeat` batches of `number`): a workspace capability and an org one,
    for an org member with a few workspaces."""
    from orgs.permissions import all_access

    membership = (
        OrgMembership.objects.filter(org=org, role="user")
        .select_related("user")
        .order_by("user__email")
        .first()
    )
    if membership is None:
        raise BenchError(f"The org {org.slug!r} has no members: seed it first.")
    user = membership.user
    workspace = Workspace.objects.filter(org=org).order_by("pk").first()
    all_access(user)
    checks = {
        "has_perm('ws.view', workspace)": lambda: user.has_perm("ws.view", workspace),
        "has_perm('org.view_console', org)": lambda: user.has_perm("org.view_console", org),
    }
    return {
        label: min(timeit.repeat(check, number=number, repeat=repeat)) / number * 1e6
        for label, check in checks.items()
    }
