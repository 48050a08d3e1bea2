"""Every Manage page renders in a constant number of queries, whatever the number of rows."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from orgs.integrations import CATALOG
from tests.factories import (
    DomainFactory,
    FlowFactory,
    IntegrationInstallationFactory,
    OrgMembershipFactory,
    TeamAccessFactory,
    TeamFactory,
    TeamMembershipFactory,
    WorkspaceMembershipFactory,
)
from tests.profiling import python_calls
from workspaces.models import WorkspaceMembership
from workspaces.selectors.manage import users_with_workspace_access

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}
BASE = "/orgs/acme/w/marketing/manage/"

PAGES = [
    ("members/", {}),
    ("members/?q=acme", {}),
    ("members/?q=acme", HTMX),
    ("members/?expiring=30", {}),
    ("members/?expiring=30", HTMX),
    ("members/add/?q=acme", {}),
    ("members/add/?q=acme", HTMX),
    ("teams/", {}),
    ("domains/", {}),
    ("integrations/", {}),
    ("settings/", {}),
]
BUDGET = 12


def grow(acme, marketing, n, start):
    """n more of everything the Manage pages list (direct members, people through teams, teams
    with access, org admins, candidates, own domains, flows, installations)."""
    for i in range(start, start + n):
        member = OrgMembershipFactory(org=acme).user
        # Half the direct memberships end soon (orgs.expiry: the label and the filter).
        until = timezone.now() + timedelta(days=10) if i % 2 else None
        WorkspaceMembershipFactory(workspace=marketing, user=member, role="editor", until=until)
        team = TeamFactory(org=acme)
        TeamAccessFactory(team=team, workspace=marketing, role="viewer")
        TeamMembershipFactory(team=team, user=member)
        TeamMembershipFactory(team=team, user=OrgMembershipFactory(org=acme).user)
        OrgMembershipFactory(org=acme, admin=True)
        OrgMembershipFactory(org=acme)  # a candidate
        DomainFactory(org=acme, workspace=marketing, verified=i % 2 == 0)
        DomainFactory(org=acme, verified=True)
        FlowFactory(workspace=marketing)
    for app in list(CATALOG)[: min(start + n, len(CATALOG))]:
        if not marketing.integrations.filter(app=app).exists():
            IntegrationInstallationFactory(org=acme, workspace=marketing, app=app)
            IntegrationInstallationFactory(org=acme, app=app)


def count(client, path, headers):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(BASE + path, headers=headers)
    assert response.status_code == 200, path
    return len(queries)


def test_page_queries_do_not_grow_with_rows(as_user, demo, acme, marketing):
    """Every page of PAGES, counted at 2 and at 27 rows of each kind (the rows grown once for
    all pages, the costly part): the same number of queries, at most BUDGET."""
    client = as_user("wsadmin@acme.test")
    grow(acme, marketing, 2, 0)
    small = [count(client, path, headers) for path, headers in PAGES]
    grow(acme, marketing, 25, 2)
    large = [count(client, path, headers) for path, headers in PAGES]
    pages = [path + (" htmx" if headers else "") for path, headers in PAGES]
    assert dict(zip(pages, large, strict=True)) == dict(zip(pages, small, strict=True))
    assert max(large) <= BUDGET, dict(zip(pages, large, strict=True))


def test_in_place_update_queries_do_not_grow_with_rows(
    as_user, demo, acme, marketing, django_assert_max_num_queries
):
    client = as_user("wsadmin@acme.test")
    membership = marketing.memberships.get(user__email="viewer@acme.test")
    url = BASE + f"members/{membership.pk}/"
    grow(acme, marketing, 2, 0)
    # The admin's first entry in acme's log adds their email to its known actors: not measured.
    client.post(url, {"role": "viewer", "audience_viewer": "on"}, headers=HTMX)
    WorkspaceMembership.objects.filter(pk=membership.pk).update(audience_viewer=False)
    with CaptureQueriesContext(connection) as small:
        client.post(url, {"role": "viewer", "audience_viewer": "on"}, headers=HTMX)
    grow(acme, marketing, 25, 2)
    with CaptureQueriesContext(connection) as large:
        # Another raise (a lowering is confirmed first with the impact preview, a different path).
        client.post(
            url, {"role": "viewer", "audience_viewer": "on", "flows_manager": "on"}, headers=HTMX
        )
    membership.refresh_from_db()
    assert membership.audience_viewer and membership.flows_manager
    assert len(small) == len(large)


@pytest.mark.parametrize("path", ["members/", "teams/"])
def test_rows_render_no_form_and_reverse_no_url_each(as_user, demo, acme, marketing, path):
    """A row's grant editor is plain values (GrantFields), its links one reverse
    per page (flowadmin.params.url_per_id) — the page's Python work does not grow with rows."""
    client = as_user("admin@acme.test")
    grow(acme, marketing, 2, 0)
    small = python_calls(client, BASE + path)
    grow(acme, marketing, 25, 2)
    assert python_calls(client, BASE + path) == small


def test_access_table_rows_do_no_template_work_each(as_user, demo, acme, marketing):
    """Rows are formatted in Python (workspaces.access_table), a page's with one
    {% access_table_rows %}: no template lookup and no {% if %} per row."""
    client = as_user("admin@acme.test")
    work = [
        ("django/template/base.py", "_resolve_lookup"),
        ("django/template/defaulttags.py", "eval"),
    ]
    counts = []
    for total in (28, 50):  # page 2 of 2: 3 rows, then 25 (the same pagination links)
        for _ in range(total - users_with_workspace_access(marketing).count()):
            member = OrgMembershipFactory(org=acme).user
            WorkspaceMembershipFactory(workspace=marketing, user=member, role="editor")
        counts.append(python_calls(client, BASE + "members/?page=2", work))
    small, large = counts
    assert large == small
