"""permissions.members_access: the access of many members of one org in one query, with the
same rules and classes as one user's access."""

import pytest

from orgs import permissions
from tests.factories import (
    OrgMembershipFactory,
    TeamAccessFactory,
    TeamMembershipFactory,
    WorkspaceFactory,
    WorkspaceMembershipFactory,
    leave_org_behind_the_models_back,
)

pytestmark = pytest.mark.django_db


def summary(access):
    """What a page shows of an OrgAccess: role, and per workspace the effective role, flags
    and sources."""
    workspaces = {}
    for ws_id in access.grants:
        ws = access.workspace(ws_id)
        workspaces[ws_id] = (ws.role, ws.flags, [(s.kind, s.role, s.team) for s in ws.sources])
    return access.org_role, workspaces


def test_members_access_matches_each_users_own_access(acme, demo):
    bulk = permissions.members_access(acme)
    for user in demo.values():
        own = permissions.load_access(user).get(acme.pk)
        if own is None:
            assert user.pk not in bulk
        else:
            assert summary(bulk[user.pk]) == summary(own)


def test_members_access_is_one_query(acme, django_assert_num_queries):
    with django_assert_num_queries(1):
        access = permissions.members_access(acme)
    assert len(access) == 8


def test_members_access_can_be_limited_to_some_users(acme, demo):
    wanted = [demo["teamuser@acme.test"].pk, demo["viewer@acme.test"].pk]
    access = permissions.members_access(acme, wanted)
    assert set(access) == set(wanted)


def test_members_access_of_no_users_costs_nothing(acme, django_assert_num_queries):
    with django_assert_num_queries(0):
        assert permissions.members_access(acme, []) == {}


def test_members_access_marks_team_and_org_admin_sources(acme, demo):
    access = permissions.members_access(acme)
    sales = acme.workspaces.get(slug="sales")
    team_user = access[demo["teamuser@acme.test"].pk].workspace(sales.pk)
    assert [s.label for s in team_user.role_sources()] == ["team Field Sales"]
    admin = access[demo["admin@acme.test"].pk].workspace(sales.pk)
    assert [s.label for s in admin.role_sources()] == ["org admin"]


def test_members_access_ignores_other_orgs_grants():
    member = OrgMembershipFactory()
    other_ws = WorkspaceFactory()  # another org
    WorkspaceMembershipFactory(workspace=other_ws, user=member.user, role="admin")
    other_team = TeamMembershipFactory(user=member.user).team  # a team of another org
    TeamAccessFactory(team=other_team, role="admin")
    access = permissions.members_access(member.org)
    assert access[member.user_id].grants == {}


def test_members_access_skips_grants_of_people_who_left_the_org():
    member = OrgMembershipFactory()
    ws = WorkspaceFactory(org=member.org)
    stray = WorkspaceMembershipFactory(workspace=ws)
    leave_org_behind_the_models_back(stray.user)  # left: stale (the models refuse it)
    access = permissions.members_access(member.org)
    assert stray.user_id not in access


def test_direct_source_is_the_users_own_membership():
    member = OrgMembershipFactory()
    ws = WorkspaceFactory(org=member.org)
    WorkspaceMembershipFactory(workspace=ws, user=member.user, role="viewer")
    team = TeamMembershipFactory(user=member.user, team__org=member.org).team
    TeamAccessFactory(team=team, workspace=ws, role="editor")
    ws_access = permissions.members_access(member.org)[member.user_id].workspace(ws.pk)
    assert ws_access.direct.role == "viewer"
    assert ws_access.role == "editor"
