"""The flag toggle — a Workspace Admin switching one Fine-Grained Permission of a direct member
on the Manage page (htmx) — in a fixed, small number of queries at two sizes (issue #12).

Its path: workspaces.decorators.workspace_view (workspace, the admin's access: 2 queries) →
the view reads the membership (1) → workspaces.forms.grants.GrantForm → services
workspace_member_set (locks the org's chain head and re-reads the membership: 2; UPDATE: 1;
the activity entry: 5 more on the audit tables) → the row re-rendered with the member's new
access (1). Plus the session and the user (2), as on every request."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.workspaces.test_manage_queries import BASE, HTMX, grow
from workspaces.models import WorkspaceMembership

pytestmark = pytest.mark.django_db

TOGGLE_BUDGET = 8  # everything but the activity log's own statements and savepoints
LOG_STATEMENTS = 6  # chain head lock + read, entry INSERT, head UPDATE, actor and name lookups


def toggle(client, url, on: bool):
    data = {"role": "viewer", **({"audience_viewer": "on"} if on else {})}
    with CaptureQueriesContext(connection) as queries:
        response = client.post(url, data, headers=HTMX)
    assert response.status_code == 200
    statements = [q["sql"] for q in queries if not q["sql"].startswith(("SAVEPOINT", "RELEASE"))]
    log = [sql for sql in statements if '"audit_' in sql]
    return response, [sql for sql in statements if sql not in log], log


def test_flag_toggle_costs_at_most_8_queries_plus_its_log_entry(as_user, demo, acme, marketing):
    """Turning a flag on (turning one off first asks, with its impact preview: not this path)."""
    client = as_user("wsadmin@acme.test")
    membership = marketing.memberships.get(user__email="viewer@acme.test")
    url = BASE + f"members/{membership.pk}/"
    grow(acme, marketing, 2, 0)
    response, small, small_log = toggle(client, url, on=True)
    membership.refresh_from_db()
    assert membership.audience_viewer
    assert 'name="audience_viewer"' in response.content.decode()
    WorkspaceMembership.objects.filter(pk=membership.pk).update(audience_viewer=False)
    grow(acme, marketing, 25, 2)
    _, large, large_log = toggle(client, url, on=True)
    membership.refresh_from_db()
    assert membership.audience_viewer
    assert (len(small), len(small_log)) == (len(large), len(large_log))
    assert len(large) <= TOGGLE_BUDGET, "\n".join(large)
    assert len(large_log) <= LOG_STATEMENTS, "\n".join(large_log)
