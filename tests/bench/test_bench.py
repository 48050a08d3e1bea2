"""The scale benchmark (bench/) at a tiny size on the test database: its seeding gives the
sizes asked for with an intact hash chain and is idempotent, and its command measures every
page and writes the table."""

import pytest

from audit.integrity import verify_chain
from audit.models import ActivityEntry
from bench import cli, seeding
from bench.measuring import ADMIN, Bench
from orgs.models import Organization, OrgMembership, TeamMembership
from workspaces.models import Scan, TeamAccess, Workspace, WorkspaceMembership

pytestmark = pytest.mark.django_db

TINY = seeding.Sizes(entries=400, members=12, workspaces=2)


@pytest.fixture
def bench_org():
    seeding.seed(TINY)
    return Organization.objects.get(slug=seeding.ORG_SLUG)


def test_seed_reaches_the_sizes(bench_org):
    assert ActivityEntry.objects.filter(org=bench_org).count() == TINY.entries
    assert Workspace.objects.filter(org=bench_org).count() == TINY.workspaces
    # the members and the org admin
    assert OrgMembership.objects.filter(org=bench_org).count() == TINY.members + 1


def test_every_member_has_workspaces_and_a_team(bench_org):
    members = OrgMembership.objects.filter(org=bench_org).exclude(user__email=seeding.ADMIN_EMAIL)
    user_ids = set(members.values_list("user_id", flat=True))
    direct = set(WorkspaceMembership.objects.values_list("user_id", flat=True))
    in_teams = set(TeamMembership.objects.values_list("user_id", flat=True))
    assert user_ids <= direct and user_ids <= in_teams
    assert TeamAccess.objects.filter(workspace__org=bench_org).exists()


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
    assert all(m.queries and m.rows is not None for m in results.measurements)


def test_exports_are_read_to_the_end_and_time_their_first_row(bench_org):
    exports = [m for m in Bench().measure(runs=1).measurements if m.probe.key.startswith("export")]
    assert exports and all(m.rows and m.first_row_ms is not None for m in exports)


def test_admin_changelists_stand_beside_the_pages(bench_org):
    pairs = Bench().measure(runs=1).pairs()
    assert {admin.probe.group for _app, admin in pairs} == {ADMIN}
    assert {app.probe.key for app, _admin in pairs} >= {"activity", "users"}


def test_command_seeds_measures_and_writes_the_table(db, tmp_path, capsys):
    args = ["--entries", "400", "--members", "12", "--workspaces", "2", "--runs", "1"]
    assert cli.run([*args, "--verify", "--output", str(tmp_path)]) == 0
    written = next(tmp_path.glob("*.md")).read_text()
    assert "| Activity page: newest, unfiltered<br>`/orgs/bench/activity/`" in written
    assert "## Side by side with Django's admin" in written
    assert "entries intact" in capsys.readouterr().out


def test_command_refuses_a_size_of_nothing(db, capsys):
    assert cli.run(["--workspaces", "0", "--seed-only"]) == 2
    assert "at least one member and one workspace" in capsys.readouterr().out
