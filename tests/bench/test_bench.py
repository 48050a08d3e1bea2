"""The scale benchmark (bench/) at a tiny size on the test database: its seeding gives the
sizes asked for with an intact hash chain and is idempotent, and its command measures every
page and writes the table."""

import pytest

from audit.integrity import verify_chain
from audit.models import ActivityEntry
from bench import cli, seeding
from bench.measuring import ADMIN, STOCK, Bench, Measurement, permission_check_us
from bench.report import admin_ratio
from bench.serving import SCAN, Serving, Throughput
from orgs.models import Organization, OrgMembership, TeamMembership
from workspaces.models import Scan, TeamAccess, Workspace, WorkspaceMembership

pytestmark = pytest.mark.django_db

TINY = seeding.Sizes(entries=400, members=12, workspaces=2)


@pytest.fixture(autouse=True)
def _bench_urls(settings):
    """The benchmark's URLs (the site's, the stock admin and the redirect baselines)."""
    settings.ROOT_URLCONF = "bench.urls"


@pytest.fixture
def bench_org():
    seeding.seed(TINY)
    return Organization.objects.get(slug=seeding.ORG_SLUG)


def test_seed_reaches_the_sizes(bench_org):
    assert ActivityEntry.objects.filter(org=bench_org).count() == TINY.entries
    assert Workspace.objects.filter(org=bench_org).count() == TINY.workspaces
    # the members and the org admin
    assert OrgMembership.objects.filter(org=bench_org).count() == TINY.members + 1


def test_seeded_rows_are_in_the_dashboards_running_counts(bench_org):
    """Bulk inserts (members, flows, contacts, rebuilt daily rollups) go through the triggers
    that keep OrgTally and OrgScanDay."""
    from workspaces.models import OrgScanDay, OrgTally
    from workspaces.selectors.stats import org_tallies_drift

    assert OrgTally.objects.get(org=bench_org).members == TINY.members + 1
    assert OrgScanDay.objects.filter(org=bench_org).exists()
    assert org_tallies_drift() == []


def test_every_member_has_workspaces_and_a_team(bench_org):
    members = OrgMembership.objects.filter(org=bench_org).exclude(user__email=seeding.ADMIN_EMAIL)
    user_ids = set(members.values_list("user_id", flat=True))
    direct = set(WorkspaceMembership.objects.values_list("user_id", flat=True))
    in_teams = set(TeamMembership.objects.values_list("user_id", flat=True))
    assert user_ids <= direct and user_ids <= in_teams
    assert TeamAccess.objects.filter(workspace__org=bench_org).exists()


def test_seeded_memberships_carry_their_users_sort_columns(bench_org):
    """The users page sorts by the membership's copies of its user's name, email and last
    login (kept by triggers, which the seeder's bulk inserts go through)."""
    members = OrgMembership.objects.filter(org=bench_org)
    copies = members.values_list("user_full_name", "user_email", "user_last_login")
    users = members.values_list("user__full_name", "user__email", "user__last_login")
    assert list(copies.order_by("pk")) == list(users.order_by("pk"))
    assert members.filter(user__last_login__isnull=False).exists()


def test_workspaces_get_content(bench_org):
    assert Scan.objects.filter(workspace__org=bench_org).exists()


def test_seeded_chain_is_intact(bench_org):
    assert verify_chain(bench_org.pk).ok


def test_history_spans_a_year(bench_org):
    entries = ActivityEntry.objects.filter(org=bench_org, actor_email__startswith="member")
    oldest = entries.order_by("created_at").first().created_at
    newest = entries.order_by("-created_at").first().created_at
    assert (newest - oldest).days > 350


def test_second_seed_adds_nothing(bench_org):
    assert seeding.seed(TINY).added == 0


def test_every_page_answers_and_is_counted(bench_org):
    results = Bench().measure(runs=1)
    keys = {m.probe.key for m in results.measurements}
    assert {"dashboard", "users", "activity", "activity-older", "export-ws", "admin"} <= keys
    assert {"profile", "profile-find", "manage", "stock", "stock-email"} <= keys
    assert all(m.queries and m.rows is not None for m in results.measurements)


def test_pages_with_a_target_print_their_ratio(bench_org):
    keyed = Bench().measure(runs=1).by_key()
    assert keyed["activity"].target_ms == 25 and keyed["profile"].target_ms == 50
    assert keyed["activity"].ratio == keyed["activity"].median_ms / 25
    assert keyed["stock"].ratio is None  # a baseline, not a page of ours


def test_admin_ratio_is_the_admins_time_over_the_pages():
    def took(ms):
        return Measurement(probe=None, times_ms=[ms], queries=1, rows=1, size_bytes=0)

    assert (admin_ratio(took(9), took(1025)), admin_ratio(took(20), took(50))) == ("114×", "2.5×")
    assert admin_ratio(took(0), took(5)) == ""


def test_stock_admin_stands_beside_the_activity_page(bench_org):
    pairs = Bench().measure(runs=1).pairs()
    stock = {app.probe.key for app, admin in pairs if admin.probe.group == STOCK}
    assert {"activity", "activity-updated", "activity-email"} <= stock


def test_permission_checks_are_timed_in_microseconds(bench_org):
    timings = permission_check_us(bench_org, number=100, repeat=1)
    assert len(timings) == 2 and all(0 < us < 1000 for us in timings.values())


def test_serving_percentiles_and_ratio():
    bare = Throughput("bare", "bare", "/b", rounds_rps=[100, 300, 200])
    scan = Throughput(SCAN, "scan", "/s/x", rounds_rps=[60, 100, 80])
    scan.latencies_ms = [float(n) for n in range(1, 101)]
    assert (bare.rps, scan.percentile(50), scan.percentile(99)) == (200, 51.0, 100.0)
    assert Serving(2, 4, 1.0, 3, [bare, scan], 10, 10, 10).scan_ratio == 0.4


def test_exports_are_read_to_the_end_and_time_their_first_row(bench_org):
    exports = [m for m in Bench().measure(runs=1).measurements if m.probe.key.startswith("export")]
    assert exports and all(m.rows and m.first_row_ms is not None for m in exports)


def test_admin_changelists_stand_beside_the_pages(bench_org):
    pairs = Bench().measure(runs=1).pairs()
    assert {admin.probe.group for _app, admin in pairs} == {ADMIN, STOCK}
    assert {app.probe.key for app, _admin in pairs} >= {"activity", "users"}


def test_command_seeds_measures_and_writes_the_table(db, tmp_path, capsys):
    args = ["--entries", "400", "--members", "12", "--workspaces", "2", "--runs", "1"]
    # gunicorn would serve DATABASE_URL, not the test database: measured by `make bench` only
    assert cli.run([*args, "--verify", "--no-serving", "--output", str(tmp_path)]) == 0
    written = next(tmp_path.glob("*.md")).read_text()
    assert "| Activity page: newest, unfiltered<br>`/orgs/bench/activity/`" in written
    assert "## Side by side with Django's admin" in written
    side = [line for line in written.splitlines() if "| Stock ModelAdmin: activity entries" in line]
    # the pairs' row, after the results' row: the admin's time as a multiple of the page's
    assert side[-1].startswith("| Activity page: newest") and side[-1].rstrip(" |").endswith("×")
    assert "permission check (access loaded)" in written
    assert "entries intact" in capsys.readouterr().out


def test_command_refuses_a_size_of_nothing(db, capsys):
    assert cli.run(["--workspaces", "0", "--seed-only"]) == 2
    assert "at least one member and one workspace" in capsys.readouterr().out


def test_page_cpu_counts_a_pages_cpu_calls_and_queries(bench_org):
    from bench.measuring import probes
    from bench.page_cpu import measure

    url = next(probe.url for probe in probes(bench_org) if probe.key == "activity")
    times, calls, queries = measure(Bench().admin, url, runs=2)
    assert len(times) == 2 and all(ms >= 0 for ms in times)
    assert calls > 1000 and queries == 7


def test_page_cpu_refuses_a_page_that_does_not_answer_200(bench_org):
    from django.test import Client

    from bench.measuring import BenchError, probes
    from bench.page_cpu import measure

    url = next(probe.url for probe in probes(bench_org) if probe.key == "activity")
    with pytest.raises(BenchError, match="answered 302, not 200"):
        measure(Client(), url, runs=1)  # not signed in: the login page's redirect
