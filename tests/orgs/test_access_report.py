"""The access report (SPEC §10): /orgs/<org>/access.csv and `manage.py export_access`."""

import csv
import io
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from audit.models import ActivityEntry
from orgs.access_report import _rows
from orgs.roles import FLAGS
from tests.factories import (
    OrgMembershipFactory,
    TeamAccessFactory,
    TeamMembershipFactory,
    WorkspaceMembershipFactory,
)

pytestmark = pytest.mark.django_db

URL = "/orgs/acme/access.csv"
ALL_FLAGS, NO_FLAGS = ["yes", "yes", "yes"], ["no", "no", "no"]

# SPEC §7: everyone with access to a workspace of acme (not outsider@, who has none), by email
# then workspace name. Editors start with Flows Manager and Brand Kits Manager.
DEMO_REPORT = [
    ["admin@acme.test", "Ada Admin", "Admin", "Events", "Admin", *ALL_FLAGS, "as Org Admin"],
    ["admin@acme.test", "Ada Admin", "Admin", "Marketing", "Admin", *ALL_FLAGS, "as Org Admin"],
    ["admin@acme.test", "Ada Admin", "Admin", "Sales", "Admin", *ALL_FLAGS, "as Org Admin"],
    ["audience@acme.test", "Aud Ience", "User", "Marketing", "Viewer", "no", "no", "yes", "direct"],
    [
        "editor@acme.test",
        "Eddie Editor",
        "User",
        "Marketing",
        "Editor",
        "yes",
        "yes",
        "no",
        "direct",
    ],
    ["flows@acme.test", "Flo Manager", "User", "Marketing", "Viewer", "yes", "no", "no", "direct"],
    [
        "teamuser@acme.test",
        "Tim Teamer",
        "User",
        "Sales",
        "Editor",
        "yes",
        "yes",
        "no",
        "via team Field Sales",
    ],
    ["viewer@acme.test", "Vera Viewer", "User", "Marketing", "Viewer", *NO_FLAGS, "direct"],
    ["wsadmin@acme.test", "Walt Workspace", "User", "Marketing", "Admin", *ALL_FLAGS, "direct"],
]


def body(response) -> str:
    assert response.status_code == 200, response.status_code
    return b"".join(response.streaming_content).decode()


def rows(text) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


@pytest.fixture
def admin_client(client, demo):
    client.force_login(demo["admin@acme.test"])
    return client


def test_demo_report_cell_by_cell(admin_client):
    response = admin_client.get(URL)
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="access-acme-')
    header, *data = rows(body(response))
    assert header == [
        "email",
        "name",
        "primary_role",
        "workspace",
        "workspace_role",
        *FLAGS,
        "sources",
        "until",
    ]
    assert data == [[*row, ""] for row in DEMO_REPORT]


def test_every_source_is_listed(admin_client, demo, acme):
    """A person reaching a workspace directly and through a team gets one row, both sources."""
    sales = acme.workspaces.get(slug="sales")
    WorkspaceMembershipFactory(workspace=sales, user=demo["teamuser@acme.test"], viewer=True)
    [row] = [r for r in rows(body(admin_client.get(URL))) if r[0] == "teamuser@acme.test"]
    assert row[4:] == ["Editor", "yes", "yes", "no", "direct; via team Field Sales", ""]


def test_ends_are_shown_per_source_and_for_the_row(admin_client, demo, acme):
    """Expiring access (orgs.expiry): each source with an end says its last day; the row's
    `until` is when all of the access ends (empty while one source does not end)."""
    import datetime

    from orgs.expiry import end_of_day
    from orgs.models import TeamMembership

    sales = acme.workspaces.get(slug="sales")
    teamuser = demo["teamuser@acme.test"]
    first, second = datetime.date(2031, 1, 12), datetime.date(2031, 2, 1)
    WorkspaceMembershipFactory(workspace=sales, user=teamuser, viewer=True, until=end_of_day(first))
    [row] = [r for r in rows(body(admin_client.get(URL))) if r[0] == "teamuser@acme.test"]
    assert row[-2:] == ["direct until 2031-01-12; via team Field Sales", ""]
    TeamMembership.objects.filter(user=teamuser).update(until=end_of_day(second))
    [row] = [r for r in rows(body(admin_client.get(URL))) if r[0] == "teamuser@acme.test"]
    assert row[-2:] == [
        "direct until 2031-01-12; via team Field Sales until 2031-02-01",
        "2031-02-01",
    ]


@pytest.mark.parametrize(
    "email, status",
    [
        ("wsadmin@acme.test", 403),
        ("viewer@acme.test", 403),
        ("teamuser@acme.test", 403),
        ("admin@globex.test", 404),
    ],
)
def test_only_org_admins_get_the_report(client, demo, email, status):
    client.force_login(demo[email])
    response = client.get(URL)
    assert response.status_code == status
    assert not ActivityEntry.objects.filter(entity_type="access_report").exists()


def test_members_page_links_the_report_for_org_admins(admin_client):
    page = admin_client.get("/orgs/acme/users/").content.decode()
    assert f'href="{URL}"' in page


def test_command_writes_what_the_view_serves(admin_client, tmp_path):
    served = body(admin_client.get(URL))
    out = StringIO()
    call_command("export_access", "acme", stdout=out)
    assert out.getvalue() == served
    target = tmp_path / "access.csv"
    call_command("export_access", "acme", "--output", str(target), stdout=StringIO())
    assert target.read_bytes().decode() == served


def test_exports_are_logged_with_their_actor(admin_client, demo):
    body(admin_client.get(URL))
    call_command("export_access", "acme", "--actor", "admin@acme.test", stdout=StringIO())
    call_command("export_access", "acme", stdout=StringIO())
    entries = ActivityEntry.objects.filter(entity_type="access_report", action="exported")
    assert sorted(entries.values_list("actor_email", flat=True)) == [
        "admin@acme.test",
        "admin@acme.test",
        "system",
    ]


def test_formulas_in_names_are_neutralised(admin_client, demo):
    viewer = demo["viewer@acme.test"]
    viewer.full_name = "=HYPERLINK(1)"
    viewer.save()
    [row] = [r for r in rows(body(admin_client.get(URL))) if r[0] == "viewer@acme.test"]
    assert row[1] == "'=HYPERLINK(1)"


def _grow(org, people):
    """`people` more members of `org`: each a direct viewer of one workspace and in a team
    with editor access to another."""
    marketing, sales = org.workspaces.get(slug="marketing"), org.workspaces.get(slug="sales")
    team = TeamAccessFactory(team__org=org, workspace=sales, editor=True).team
    for membership in OrgMembershipFactory.create_batch(people, org=org):
        WorkspaceMembershipFactory(workspace=marketing, user=membership.user)
        TeamMembershipFactory(team=team, user=membership.user)


def test_queries_do_not_grow_with_the_org(admin_client, acme):
    body(admin_client.get(URL))  # first export: the actor's activity rows get created
    counts = []
    for extra in (10, 100):
        _grow(acme, extra)
        with CaptureQueriesContext(connection) as queries:
            text = body(admin_client.get(URL))
        counts.append(len(queries))
        assert len(rows(text)) == 1 + len(DEMO_REPORT) + 2 * sum((10, 100)[: len(counts)])
    assert counts[0] == counts[1], counts


def test_rows_take_three_queries(acme, django_assert_num_queries):
    """Members, workspaces, and the policy's bulk loader — at any size."""
    for extra in (0, 50):
        _grow(acme, extra)
        with django_assert_num_queries(3):
            assert len(list(_rows(acme))) == len(DEMO_REPORT) + 2 * extra
