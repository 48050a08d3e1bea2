"""The member profile and the team page draw their grant editors from plain values
(workspaces.forms.grants.grant_editor), as Manage → Members and Teams do: no Django form and no
widget template per workspace row, so their Python work does not grow with the rows."""

import pytest

from orgs.models import Team
from tests.factories import TeamAccessFactory, WorkspaceFactory, WorkspaceMembershipFactory
from tests.profiling import ROW_WORK, python_calls
from workspaces.models import Workspace

pytestmark = pytest.mark.django_db

FORM_WORK = [("django/forms/forms.py", "__init__"), ("django/forms/widgets.py", "render")]


def test_the_profiles_rows_draw_no_form(client, demo, acme):
    member = demo["teamuser@acme.test"]
    client.force_login(demo["admin@acme.test"])
    counts = []
    for rows in (2, 12):  # the member's workspaces, direct or through Field Sales
        while member.workspace_memberships.count() + 1 < rows:
            WorkspaceMembershipFactory(workspace=WorkspaceFactory(org=acme), user=member)
        counts.append(python_calls(client, f"/orgs/acme/users/{member.pk}/", FORM_WORK))
    assert counts[0] == counts[1]


def test_the_team_pages_rows_draw_no_form(client, demo, acme):
    team = Team.objects.get(org=acme, name="Field Sales")
    client.force_login(demo["admin@acme.test"])
    counts = []
    for rows in (1, 10):
        while team.workspace_access.count() < rows:
            TeamAccessFactory(team=team, workspace=WorkspaceFactory(org=acme), role="viewer")
        counts.append(python_calls(client, f"/orgs/acme/teams/{team.pk}/", FORM_WORK))
    assert counts[0] == counts[1]


def test_the_profiles_found_workspaces_cost_no_template_work_per_row(client, demo, acme):
    """A search's found workspaces are formatted in Python (orgs.profile_rows): no reverse,
    form, widget or date filter per row, and one template lookup a row (its HTML)."""
    member = demo["outsider@acme.test"]
    client.force_login(demo["admin@acme.test"])
    work = [*ROW_WORK, ("django/template/base.py", "_resolve_lookup")]
    counts = []
    for found in (2, 12):
        while Workspace.objects.filter(org=acme, name__startswith="Region").count() < found:
            WorkspaceFactory(org=acme, name=f"Region {found}-{Workspace.objects.count()}")
        counts.append(python_calls(client, f"/orgs/acme/users/{member.pk}/?find=Region", work))
    lookups = ("django/template/base.py", "_resolve_lookup")
    assert counts[1].pop(lookups) - counts[0].pop(lookups) == 12 - 2
    assert counts[0] == counts[1]
