"""The member profile and the team page draw their grant editors from plain values
(workspaces.forms.grants.grant_editor), as Manage → Members and Teams do: no Django form and no
widget template per workspace row, so their Python work does not grow with the rows."""

import pytest

from orgs.models import Team
from tests.factories import TeamAccessFactory, WorkspaceFactory, WorkspaceMembershipFactory
from tests.profiling import python_calls

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
