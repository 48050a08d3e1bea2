import pytest

from orgs import services
from orgs.errors import LastAdminError, NotOrgMemberError, ServiceError
from orgs.models import OrgMembership, TeamMembership
from tests.factories import (
    OrgMembershipFactory,
    TeamFactory,
    UserFactory,
    WorkspaceFactory,
    WorkspaceMembershipFactory,
)
from workspaces import services as ws_services
from workspaces.models import WorkspaceMembership

pytestmark = pytest.mark.django_db


def test_org_create_makes_the_first_admin():
    user = UserFactory()
    org = services.org_create(actor=None, name="Initech", admin=user)
    assert org.slug == "initech"
    assert OrgMembership.objects.get(org=org, user=user).role == "admin"


def test_last_admin_cannot_be_demoted():
    membership = OrgMembershipFactory(admin=True)
    with pytest.raises(LastAdminError):
        services.org_role_set(actor=None, org=membership.org, user=membership.user, role="user")
    membership.refresh_from_db()
    assert membership.role == "admin"


def test_last_admin_cannot_be_removed():
    membership = OrgMembershipFactory(admin=True)
    with pytest.raises(LastAdminError):
        services.member_remove(actor=None, org=membership.org, user=membership.user)
    assert OrgMembership.objects.filter(pk=membership.pk).exists()


def test_one_of_two_admins_can_be_demoted():
    first = OrgMembershipFactory(admin=True)
    OrgMembershipFactory(admin=True, org=first.org)
    services.org_role_set(actor=None, org=first.org, user=first.user, role="user")
    first.refresh_from_db()
    assert first.role == "user"


def test_unknown_org_role_is_refused():
    first = OrgMembershipFactory(admin=True)
    with pytest.raises(ServiceError):
        services.org_role_set(actor=None, org=first.org, user=first.user, role="owner")


def test_member_remove_drops_workspace_and_team_memberships():
    OrgMembershipFactory(admin=True)
    membership = OrgMembershipFactory()
    ws_membership = WorkspaceMembershipFactory(workspace__org=membership.org, user=membership.user)
    team = TeamFactory(org=membership.org)
    team.members.add(membership.user)
    services.member_remove(actor=None, org=membership.org, user=membership.user)
    assert not OrgMembership.objects.filter(pk=membership.pk).exists()
    assert not WorkspaceMembership.objects.filter(pk=ws_membership.pk).exists()
    assert not TeamMembership.objects.filter(team=team).exists()


def test_workspace_role_applies_flag_defaults_on_every_change():
    membership = OrgMembershipFactory()
    ws = WorkspaceFactory(org=membership.org)
    m = ws_services.workspace_member_set(
        actor=None,
        workspace=ws,
        user=membership.user,
        role="viewer",
        flags={"audience_viewer": True},
    )
    assert m.flags == {"flows_manager": False, "brand_kits_manager": False, "audience_viewer": True}
    m = ws_services.workspace_member_set(
        actor=None, workspace=ws, user=membership.user, role="editor"
    )
    assert m.flags == {"flows_manager": True, "brand_kits_manager": True, "audience_viewer": False}
    m = ws_services.workspace_member_set(
        actor=None, workspace=ws, user=membership.user, flags={"flows_manager": False}
    )
    assert m.role == "editor" and m.flags["flows_manager"] is False
    m = ws_services.workspace_member_set(
        actor=None,
        workspace=ws,
        user=membership.user,
        role="admin",
        flags={"audience_viewer": False},
    )
    assert all(m.flags.values())


def test_only_org_members_join_workspaces():
    ws = WorkspaceFactory()
    with pytest.raises(NotOrgMemberError):
        ws_services.workspace_member_set(
            actor=None, workspace=ws, user=UserFactory(), role="viewer"
        )
    assert not WorkspaceMembership.objects.exists()


def test_team_members_must_be_org_members():
    team = TeamFactory()
    with pytest.raises(NotOrgMemberError):
        services.team_member_add(actor=None, team=team, user=UserFactory())


def test_team_access_is_limited_to_the_teams_org():
    team = TeamFactory()
    with pytest.raises(ServiceError):
        ws_services.team_access_set(
            actor=None, team=team, workspace=WorkspaceFactory(), role="viewer"
        )


def test_team_access_uses_flag_defaults():
    team = TeamFactory()
    ws = WorkspaceFactory(org=team.org)
    access = ws_services.team_access_set(actor=None, team=team, workspace=ws, role="editor")
    assert access.flags == {
        "flows_manager": True,
        "brand_kits_manager": True,
        "audience_viewer": False,
    }


def test_duplicate_team_name_is_refused():
    team = TeamFactory(name="Ops")
    with pytest.raises(ServiceError):
        services.team_create(actor=None, org=team.org, name="ops")
