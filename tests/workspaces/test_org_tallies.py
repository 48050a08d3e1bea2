"""The dashboard's running counts (OrgTally: members, flows, audience contacts) and per-org
daily scans (OrgScanDay) agree with the rows after every door that writes them: services,
the admin site, SCIM, cascades, bulk seeding and the scan paths (triggers of migration
workspaces.0008, PostgreSQL and SQLite)."""

import datetime

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from orgs import services
from orgs.models import Organization, OrgMembership, User
from orgs.removal import org_delete, users_delete
from tests.factories import (
    AudienceContactFactory,
    FlowFactory,
    OrganizationFactory,
    OrgMembershipFactory,
    ScanFactory,
    UserFactory,
    WorkspaceFactory,
)
from tests.orgs.test_admin_services import delete, post_form
from tests.scim.test_okta import okta_user
from workspaces import services as ws_services
from workspaces.models import AudienceContact, Flow, OrgScanDay, OrgTally, ScanDay, Workspace
from workspaces.selectors.stats import org_tallies_drift
from workspaces.services.content import contact_delete

pytestmark = pytest.mark.django_db


def tally(org) -> tuple[int, int, int]:
    row = OrgTally.objects.filter(org=org).values_list("members", "flows", "audience").first()
    return row or (0, 0, 0)


def org_days(org) -> dict:
    return dict(OrgScanDay.objects.filter(org=org).exclude(scans=0).values_list("day", "scans"))


@pytest.fixture
def initech(db):
    org = OrganizationFactory(slug="initech")
    OrgMembershipFactory(org=org, role="admin")
    return org


def test_the_demo_is_counted(demo):
    assert org_tallies_drift() == []
    acme = Organization.objects.get(slug="acme")
    assert tally(acme) == (
        OrgMembership.objects.filter(org=acme).count(),
        Flow.objects.filter(workspace__org=acme).count(),
        AudienceContact.objects.filter(workspace__org=acme).count(),
    )


def test_drift_is_found(initech):
    """The check the other tests lean on fails when a count is off."""
    OrgTally.objects.filter(org=initech).update(members=5)
    assert org_tallies_drift() == [("members", initech.pk, None, 5, 1)]


def test_seeding_the_demo_counts_every_row(db):
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert OrgTally.objects.exists() and OrgScanDay.objects.exists()
    assert org_tallies_drift() == []


# --- members --------------------------------------------------------------------------------


def test_member_services(initech):
    admin = OrgMembership.objects.get(org=initech).user
    ann = UserFactory(email="ann@initech.test")
    services.member_add(actor=admin, org=initech, user=ann)
    assert tally(initech) == (2, 0, 0)
    services.member_remove(actor=admin, org=initech, user=ann)
    assert tally(initech) == (1, 0, 0)
    org = services.org_create(actor=admin, name="Hooli", admin=ann)
    assert tally(org) == (1, 0, 0)
    assert org_tallies_drift() == []


def test_deleting_users_and_orgs(initech):
    admin = OrgMembership.objects.get(org=initech).user
    other = OrganizationFactory(slug="hooli")
    both = [UserFactory(email=f"u{n}@initech.test") for n in range(3)]
    for user in both:
        services.member_add(actor=admin, org=initech, user=user)
        OrgMembershipFactory(org=other, user=user)
    assert tally(initech)[0] == 4 and tally(other)[0] == 3
    users_delete(actor=admin, users=both[:2])
    assert tally(initech)[0] == 2 and tally(other)[0] == 1
    User.objects.filter(pk=both[2].pk).delete()  # a cascade, not a service
    assert tally(initech)[0] == 1 and tally(other)[0] == 0
    FlowFactory(workspace=WorkspaceFactory(org=other))
    org_delete(actor=admin, org=other)
    assert not OrgTally.objects.filter(org_id=other.pk).exists()
    assert org_tallies_drift() == []


def test_scim_provisioning(client, initech):
    from orgs.scim import tokens
    from tests.scim.conftest import ScimClient

    _token, text = tokens.token_create(actor=None, org=initech, name="Okta")
    scim = ScimClient(client, initech, text)
    uid = scim.post("Users", okta_user("ann@initech.com")).json()["id"]
    assert tally(initech)[0] == 2
    off = {"op": "replace", "value": {"active": False}}
    scim.patch(f"Users/{uid}", {"schemas": [ScimPatch], "Operations": [off]})
    assert tally(initech)[0] == 1
    assert org_tallies_drift() == []


ScimPatch = "urn:ietf:params:scim:api:messages:2.0:PatchOp"


def test_admin_site(client, demo):
    client.force_login(demo["ops@flowadmin.test"])
    acme = Organization.objects.get(slug="acme")
    members, flows, audience = tally(acme)
    user = User.objects.create_user("new@example.test")
    post_form(client, "/admin/orgs/orgmembership/add/", org=acme.pk, user=user.pk, role="user")
    assert tally(acme) == (members + 1, flows, audience)
    membership = OrgMembership.objects.get(org=acme, user=user)
    delete(client, f"/admin/orgs/orgmembership/{membership.pk}/delete/")
    assert tally(acme) == (members, flows, audience)
    # content is read-only there; deleting a workspace takes its flows, contacts and scans
    marketing = Workspace.objects.get(org=acme, slug="marketing")
    gone = (marketing.flows.count(), AudienceContact.objects.filter(workspace=marketing).count())
    assert gone[0] and gone[1] and ScanDay.objects.filter(workspace=marketing).exists()
    delete(client, f"/admin/workspaces/workspace/{marketing.pk}/delete/")
    assert not Workspace.objects.filter(pk=marketing.pk).exists()
    assert tally(acme) == (members, flows - gone[0], audience - gone[1])
    assert org_tallies_drift() == []


# --- flows and audience ---------------------------------------------------------------------


def test_content_services_and_workspace_deletion(initech):
    admin = OrgMembership.objects.get(org=initech).user
    workspace = ws_services.workspace_create(actor=admin, org=initech, name="Sales")
    flow = ws_services.flow_create(
        actor=admin, workspace=workspace, name="Menu", destination_url="https://example.com/"
    )
    contacts = [AudienceContactFactory(workspace=workspace) for _ in range(3)]
    assert tally(initech) == (1, 1, 3)
    contact_delete(actor=admin, contact=contacts[0])
    ws_services.flow_delete(actor=admin, flow=flow)
    assert tally(initech) == (1, 0, 2)
    FlowFactory(workspace=workspace)
    ws_services.workspace_delete(actor=admin, workspace=workspace)
    assert tally(initech) == (1, 0, 0)
    assert org_tallies_drift() == []


def test_bulk_inserts_and_deletes(initech):
    workspaces = [WorkspaceFactory(org=initech) for _ in range(2)]
    AudienceContact.objects.bulk_create(
        AudienceContact(workspace=ws, email=f"c{n}@example.test")
        for ws in workspaces
        for n in range(5)
    )
    assert tally(initech)[2] == 10
    AudienceContact.objects.filter(workspace=workspaces[0]).delete()
    assert tally(initech)[2] == 5
    assert org_tallies_drift() == []


def test_a_flow_moved_to_another_orgs_workspace_moves_its_count(initech):
    """Not a door the console offers (and refused by the models elsewhere): an UPDATE still
    keeps both orgs' counts."""
    other = OrganizationFactory(slug="hooli")
    flow = FlowFactory(workspace=WorkspaceFactory(org=initech))
    Flow.objects.filter(pk=flow.pk).update(workspace=WorkspaceFactory(org=other))
    assert tally(initech)[1] == 0 and tally(other)[1] == 1
    assert org_tallies_drift() == []


# --- scans ----------------------------------------------------------------------------------


def test_scans_flow_and_workspace_deletion(initech):
    admin = OrgMembership.objects.get(org=initech).user
    today = timezone.localdate()
    sales, support = WorkspaceFactory(org=initech), WorkspaceFactory(org=initech)
    flow = FlowFactory(workspace=sales)
    other = FlowFactory(workspace=support)
    for _ in range(3):
        assert ws_services.scan_follow(code=flow.short_code, device="mobile")
    ws_services.scan_follow(code=flow.short_code, device="mobile", record=False)  # a HEAD
    ws_services.scan_follow(code=other.short_code, device="mobile")
    ScanFactory(flow=other, scanned_at=timezone.now() - datetime.timedelta(days=3))
    assert org_days(initech) == {today: 4, today - datetime.timedelta(days=3): 1}
    ws_services.flow_delete(actor=admin, flow=flow)
    assert org_days(initech) == {today: 1, today - datetime.timedelta(days=3): 1}
    ws_services.workspace_delete(actor=admin, workspace=support)
    assert org_days(initech) == {}
    assert org_tallies_drift() == []


def test_rebuilding_the_rollups_after_bulk_scans(initech):
    flow = FlowFactory(workspace=WorkspaceFactory(org=initech))
    ScanFactory.create_batch(2, flow=flow)
    ScanDay.objects.all().delete()
    assert org_days(initech) == {}
    ws_services.scan_days_rebuild([flow.workspace_id])
    assert org_days(initech) == {timezone.localdate(): 2}
    assert org_tallies_drift() == []


def test_recount_restores_counts_written_without_triggers(initech):
    OrgTally.objects.all().delete()
    FlowFactory(workspace=WorkspaceFactory(org=initech))
    ws_services.org_tallies_recount()
    assert tally(initech) == (1, 1, 0)
    assert org_tallies_drift() == []


def test_every_trigger_is_installed():
    """A later migration that rebuilds one of the counted tables on SQLite drops its
    triggers: this fails then."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT tgname FROM pg_trigger WHERE tgname LIKE 'workspaces_org%%'")
        else:
            cursor.execute(
                "SELECT name FROM sqlite_master WHERE type = 'trigger' "
                "AND name LIKE 'workspaces_org%'"
            )
        names = {row[0] for row in cursor.fetchall()}
    expected = {
        f"workspaces_orgtally_{column}_{when}"
        for column in ("members", "flows", "audience")
        for when in ("in", "out", "moved")
    }
    if connection.vendor == "postgresql":
        expected.add("workspaces_orgscanday_keep")
    else:
        expected |= {f"workspaces_orgscanday_{when}" for when in ("in", "out", "change")}
    assert names == expected
