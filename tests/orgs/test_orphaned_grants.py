"""Migration orgs.0006 removes the grants the member-removal race left behind, and logs each."""

import importlib

import pytest
from django.db import connection
from django.db.migrations.loader import MigrationLoader

from audit.integrity import verify_chain
from audit.models import ActivityEntry
from orgs.models import TeamMembership
from tests import factories as f
from workspaces.models import WorkspaceMembership

pytestmark = pytest.mark.django_db

NAME = "0006_remove_orphaned_grants"
migration = importlib.import_module(f"orgs.migrations.{NAME}")


def run_migration():
    """Run the data migration with the historical models it sees in `migrate` (they send no
    signals to the activity log's receivers)."""
    state = MigrationLoader(connection).project_state(("orgs", NAME), at_end=False)
    migration.remove_orphaned_grants(state.apps, None)


def test_orphaned_grants_are_removed_and_logged():
    org = f.OrganizationFactory(slug="o")
    ws = f.WorkspaceFactory(org=org, name="Marketing")
    team = f.TeamFactory(org=org, name="Ops")
    member, gone = f.UserFactory(email="member@o.test"), f.UserFactory(email="gone@o.test")
    f.OrgMembershipFactory(org=org, user=member)
    for user in (member, gone):  # `gone` is not an org member: as the race left them
        f.TeamMembershipFactory(team=team, user=user)
        f.WorkspaceMembershipFactory(workspace=ws, user=user, admin=True)
    # The factories made `gone` an org member first (the models refuse orphans now): undo it
    # behind their back, as the race did.
    f.leave_org_behind_the_models_back(gone, org)

    run_migration()

    assert list(TeamMembership.objects.values_list("user__email", flat=True)) == [member.email]
    assert list(WorkspaceMembership.objects.values_list("user__email", flat=True)) == [member.email]
    logged = ActivityEntry.objects.filter(
        org_id=org.pk, actor_email="system", action="deleted"
    ).exclude(entity_type="org_member")  # the setup's removal of `gone` above
    assert sorted(logged.values_list("entity_type", "entity_label")) == [
        ("team_member", "gone@o.test in Ops"),
        ("workspace_member", "gone@o.test"),
    ]
    assert all(e.changes["reason"][0] == migration.REASON for e in logged)
    assert verify_chain(org.pk).ok


def test_nothing_to_remove_logs_nothing():
    org = f.OrganizationFactory(slug="p")
    before = ActivityEntry.objects.count()
    run_migration()
    assert ActivityEntry.objects.count() == before
    assert verify_chain(org.pk).ok
