"""The flag toggle — a Workspace Admin switching one Fine-Grained Permission of a direct member
on the Manage page (htmx) — in a fixed, small number of SQL statements at two sizes, its
activity entry included. Savepoints are not counted (the test's own transaction
turns the service's transaction into one).

Its path, hop by hop, with its statements:

1. Django's SessionMiddleware and AuthenticationMiddleware: the session, the user (2).
2. workspaces.decorators.workspace_view: the workspace with its org, SSO settings and domain
   (1); the admin's access, orgs.permissions.load_access (1); the policy check reads it.
3. workspaces.views.manage.members.member_update → workspaces.services
   .workspace_membership_update: one statement (orgs.locking.lock_org_and_rows) locks the
   org's chain head, then the membership, and reads the membership with its user and the
   member's other grants here, their org role and their teams' access (1); the GrantForm is
   bound to the membership there (workspaces.forms.grants) and `decide`s the change; the
   UPDATE (1).
4. The activity entry (audit.receivers → audit.recording._write), numbered from the head read
   in 3: the entry's INSERT (1), whose trigger keeps the org's known actors (audit migration
   0007); the head's UPDATE, which also tells that the workspace name is known (1). A
   workspace's new name adds one INSERT into its names.
5. The row re-rendered (selectors.manage.workspace_member_rows): the member's effective access
   computed by the policy (orgs.permissions.member_workspace_access) from the grants read in 3
   and the saved membership (0).

8 in all; 7 with the session in Redis (REDIS_URL: `cached_db` sessions, README
"Configuration"), where the session is read from the cache. When another writer of the org
logged an entry while the toggle waited for the head, 3 reads the membership again (+1)."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from audit.models import ActivityActor
from orgs.roles import FLAGS
from tests import factories as f
from tests.workspaces.test_manage_queries import BASE, HTMX, grow
from workspaces import services
from workspaces.models import WorkspaceMembership
from workspaces.selectors.manage import workspace_member_rows

pytestmark = pytest.mark.django_db

TOGGLE_BUDGET = 8  # every statement, the activity entry's included; savepoints excepted
LOG_STATEMENTS = 3  # of those: the head's lock (with the membership), the INSERT, the UPDATE


def toggle(client, url, on: bool) -> list[str]:
    data = {"role": "viewer", **({"audience_viewer": "on"} if on else {})}
    with CaptureQueriesContext(connection) as queries:
        response = client.post(url, data, headers=HTMX)
    assert response.status_code == 200
    assert 'name="audience_viewer"' in response.content.decode()
    return [q["sql"] for q in queries if not q["sql"].startswith(("SAVEPOINT", "RELEASE"))]


def log_part(statements: list[str]) -> list[str]:
    return [sql for sql in statements if '"audit_' in sql]


CACHED_SESSIONS = "flowadmin.sessions.cached_db"


@pytest.mark.parametrize(
    ("session_engine", "budget"),
    [("flowadmin.sessions.db", TOGGLE_BUDGET), (CACHED_SESSIONS, TOGGLE_BUDGET - 1)],
    ids=["database-sessions", "cached-sessions"],
)
def test_flag_toggle_costs_8_statements_with_its_log_entry(
    session_engine, budget, settings, as_user, demo, acme, marketing
):
    """Turning a flag on (turning one off first asks, with its impact preview: not this path),
    with the default sessions and with those of a deployment with REDIS_URL."""
    settings.SESSION_ENGINE = session_engine
    client = as_user("wsadmin@acme.test")
    membership = marketing.memberships.get(user__email="viewer@acme.test")
    url = BASE + f"members/{membership.pk}/"
    membership_rows = WorkspaceMembership.objects.filter(pk=membership.pk)

    grow(acme, marketing, 2, 0)
    first = toggle(client, url, on=True)
    assert membership_rows.get().audience_viewer
    # The admin's first entry in acme's log: their email joins the known actors in the
    # entry's INSERT (a trigger, audit migration 0007), at no statement of its own.
    assert ActivityActor.objects.filter(org_id=acme.pk, email="wsadmin@acme.test").exists()

    membership_rows.update(audience_viewer=False)
    small = toggle(client, url, on=True)
    membership_rows.update(audience_viewer=False)
    grow(acme, marketing, 25, 2)
    large = toggle(client, url, on=True)
    assert membership_rows.get().audience_viewer

    assert len(small) == len(large) == len(first)
    assert len(large) <= budget, "\n".join(large)
    assert any('"django_session"' in sql for sql in large) == (session_engine != CACHED_SESSIONS)
    assert len(log_part(large)) <= LOG_STATEMENTS, "\n".join(log_part(large))


@pytest.mark.parametrize("org_role", ["user", "admin"])
def test_the_row_the_toggle_renders_is_the_row_the_page_reads(org_role, settings):
    """The row after a save is computed by the policy from the grants the locked read brought
    (no query); it must be the row the page computes from the database: every source (direct,
    teams, org admin), an ended team membership or team access left out, another workspace's
    team access not counted."""
    ws = f.WorkspaceFactory()
    other_ws = f.WorkspaceFactory(org=ws.org)
    admin = f.OrgMembershipFactory(org=ws.org, admin=True).user
    person = f.OrgMembershipFactory(org=ws.org, role=org_role).user
    membership = f.WorkspaceMembershipFactory(workspace=ws, user=person, role="viewer")
    past = timezone.now() - timedelta(days=1)
    soon = timezone.now() + timedelta(days=3)
    teams = {
        "Ops": dict(workspace=ws, role="editor", flows_manager=True, until=soon),
        "Ended membership": dict(workspace=ws, role="admin"),
        "Ended access": dict(workspace=ws, role="admin", until=past),
        "Elsewhere": dict(workspace=other_ws, role="admin"),
    }
    for name, access in teams.items():
        team = f.TeamFactory(org=ws.org, name=name)
        f.TeamAccessFactory(team=team, **access)
        ended = past if name == "Ended membership" else None
        f.TeamMembershipFactory(team=team, user=person, until=ended)

    saved = services.workspace_membership_update(
        actor=admin,
        workspace=ws,
        membership_id=membership.pk,
        decide=lambda m: {"flags": {FLAGS[-1]: True}},
    )

    with CaptureQueriesContext(connection) as queries:
        [after_save] = workspace_member_rows(ws, [saved.user], [saved])
    assert len(queries) == 0
    [from_database] = workspace_member_rows(
        ws, [person], [WorkspaceMembership.objects.get(pk=membership.pk)]
    )
    assert after_save.shown() == from_database.shown()
    shown = after_save.shown()
    assert {s["label"] for s in shown["sources"]} == {"Direct", "Team Ops"} | (
        {"Org admin"} if org_role == "admin" else set()
    )
    assert shown["flags"][-1]["effective"]
    assert after_save.team_ids["Ops"] == ws.team_access.get(team__name="Ops").team_id
