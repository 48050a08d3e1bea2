"""The flag toggle — a Workspace Admin switching one Fine-Grained Permission of a direct member
on the Manage page (htmx) — in a fixed, small number of SQL statements at two sizes, its
activity entry included (issue #12). Savepoints are not counted (the test's own transaction
turns the service's transaction into one).

Its path, hop by hop, with its statements:

1. Django's SessionMiddleware and AuthenticationMiddleware: the session, the user (2).
2. workspaces.decorators.workspace_view: the workspace with its org, SSO settings and domain
   (1); the admin's access, orgs.permissions.load_access (1); the policy check reads it.
3. workspaces.views.manage.members.member_update → workspaces.services
   .workspace_membership_update: the org's chain head locked and read, orgs.locking.lock_org
   (1); the membership and its user, read once under lock (1); the GrantForm is bound to it
   there (workspaces.forms.grants) and `decide`s the change; the UPDATE (1).
4. The activity entry (audit.receivers → audit.recording._write), numbered from the head
   lock_org read: the entry's INSERT (1); the head's UPDATE, which also tells that the actor
   email and the workspace name are known (1). An actor's first entry in an org adds one
   INSERT into its known actors (a workspace's new name: one into its names).
5. The row re-rendered with the member's effective access, orgs.permissions
   .workspace_member_access (1); a team giving access adds the team links (1).

10 in all; 9 with the session in Redis (REDIS_URL: `cached_db` sessions, README
"Configuration"), where the session is read from the cache."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from audit.models import ActivityActor
from tests.workspaces.test_manage_queries import BASE, HTMX, grow
from workspaces.models import WorkspaceMembership

pytestmark = pytest.mark.django_db

TOGGLE_BUDGET = 10  # every statement, the activity entry's included; savepoints excepted
LOG_STATEMENTS = 3  # of those: the chain head's lock, the entry's INSERT, the head's UPDATE


def toggle(client, url, on: bool) -> list[str]:
    data = {"role": "viewer", **({"audience_viewer": "on"} if on else {})}
    with CaptureQueriesContext(connection) as queries:
        response = client.post(url, data, headers=HTMX)
    assert response.status_code == 200
    assert 'name="audience_viewer"' in response.content.decode()
    return [q["sql"] for q in queries if not q["sql"].startswith(("SAVEPOINT", "RELEASE"))]


def log_part(statements: list[str]) -> list[str]:
    return [sql for sql in statements if '"audit_' in sql]


CACHED_SESSIONS = "django.contrib.sessions.backends.cached_db"


@pytest.mark.parametrize(
    ("session_engine", "budget"),
    [("django.contrib.sessions.backends.db", TOGGLE_BUDGET), (CACHED_SESSIONS, TOGGLE_BUDGET - 1)],
    ids=["database-sessions", "cached-sessions"],
)
def test_flag_toggle_costs_10_statements_with_its_log_entry(
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
