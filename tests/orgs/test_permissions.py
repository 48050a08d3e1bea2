"""The policy table of SPEC §3, without HTTP: every role × flag combination, team-derived and
org-admin-derived access, and 0 queries once a user's access is loaded."""

import itertools

import pytest

from orgs import permissions
from orgs.permissions import CAPABILITIES, WORKSPACE
from tests.factories import (
    OrganizationFactory,
    OrgMembershipFactory,
    TeamAccessFactory,
    TeamMembershipFactory,
    UserFactory,
    WorkspaceFactory,
    WorkspaceMembershipFactory,
    leave_org_behind_the_models_back,
)

pytestmark = pytest.mark.django_db

FLAG_COMBOS = list(itertools.product([False, True], repeat=3))


def expected_workspace(role, flows, brand, audience):
    """SPEC §3.2, written out independently of the policy module."""
    admin = role == "admin"
    return {
        "ws.view": True,
        "ws.manage": admin,
        "ws.manage_assets": role in ("admin", "editor"),
        "ws.manage_flows": admin or flows,
        "ws.manage_brand_kits": admin or brand,
        "ws.view_audience": admin or audience,
    }


def test_flag_defaults_follow_the_spec_table():
    assert permissions.flag_defaults("admin") == {
        "flows_manager": True,
        "brand_kits_manager": True,
        "audience_viewer": True,
    }
    assert permissions.flag_defaults("editor") == {
        "flows_manager": True,
        "brand_kits_manager": True,
        "audience_viewer": False,
    }
    assert permissions.flag_defaults("viewer") == {
        "flows_manager": False,
        "brand_kits_manager": False,
        "audience_viewer": False,
    }


def test_admin_flags_cannot_be_turned_off():
    off = {"flows_manager": False, "brand_kits_manager": False, "audience_viewer": False}
    assert all(permissions.effective_flags("admin", off).values())
    assert not any(permissions.effective_flags("editor", off).values())


def test_roles_are_ordered():
    assert permissions.highest_role(["viewer", "admin", "editor"]) == "admin"
    assert permissions.highest_role(["viewer", "editor"]) == "editor"
    assert permissions.highest_role([]) is None


@pytest.mark.parametrize("role", ["admin", "editor", "viewer"])
@pytest.mark.parametrize("flows,brand,audience", FLAG_COMBOS)
def test_direct_membership_table(role, flows, brand, audience, django_assert_num_queries):
    membership = WorkspaceMembershipFactory(
        role=role, flows_manager=flows, brand_kits_manager=brand, audience_viewer=audience
    )
    OrgMembershipFactory(org=membership.workspace.org, user=membership.user)
    user, ws = membership.user, membership.workspace
    permissions.all_access(user)  # loaded once per request

    with django_assert_num_queries(0):
        answers = {
            name: user.has_perm(name, ws)
            for name, cap in CAPABILITIES.items()
            if cap.level == WORKSPACE
        }
        org_answers = {
            name: user.has_perm(name, ws.org)
            for name in ["org.view", "org.view_console", "org.manage_users"]
        }

    # admin role flags are forced on whatever is stored
    forced = role == "admin"
    assert answers == expected_workspace(role, flows or forced, brand or forced, audience or forced)
    assert org_answers == {"org.view": True, "org.view_console": False, "org.manage_users": False}


@pytest.mark.parametrize("role", ["admin", "editor", "viewer"])
@pytest.mark.parametrize("flows,brand,audience", FLAG_COMBOS)
def test_team_access_table(role, flows, brand, audience, django_assert_num_queries):
    access = TeamAccessFactory(
        role=role, flows_manager=flows, brand_kits_manager=brand, audience_viewer=audience
    )
    user = UserFactory()
    OrgMembershipFactory(org=access.team.org, user=user)
    TeamMembershipFactory(team=access.team, user=user)
    permissions.all_access(user)

    with django_assert_num_queries(0):
        answers = {
            name: user.has_perm(name, access.workspace)
            for name, cap in CAPABILITIES.items()
            if cap.level == WORKSPACE
        }
        ws_access = permissions.workspace_access(user, access.workspace)
    forced = role == "admin"
    assert answers == expected_workspace(role, flows or forced, brand or forced, audience or forced)
    assert [s.label for s in ws_access.sources] == [f"team {access.team.name}"]


def test_union_of_direct_and_teams_takes_highest_role_and_ors_flags():
    org = OrganizationFactory()
    ws = WorkspaceFactory(org=org)
    user = UserFactory()
    OrgMembershipFactory(org=org, user=user)
    WorkspaceMembershipFactory(workspace=ws, user=user, role="viewer", audience_viewer=True)
    team_a = TeamAccessFactory(
        team__org=org, workspace=ws, role="editor", brand_kits_manager=False, flows_manager=False
    )
    team_b = TeamAccessFactory(team__org=org, workspace=ws, role="viewer", flows_manager=True)
    TeamMembershipFactory(team=team_a.team, user=user)
    TeamMembershipFactory(team=team_b.team, user=user)

    access = permissions.workspace_access(user, ws)

    assert access.role == "editor"
    assert access.flags == {
        "flows_manager": True,
        "brand_kits_manager": False,
        "audience_viewer": True,
    }
    assert [s.label for s in access.role_sources()] == [f"team {team_a.team.name}"]
    assert [s.label for s in access.flag_sources("audience_viewer")] == ["direct"]
    assert [s.label for s in access.explain("ws.manage_flows")] == [f"team {team_b.team.name}"]
    assert access.can("ws.manage_assets")
    assert not access.can("ws.manage")


def test_org_admin_is_workspace_admin_everywhere(django_assert_num_queries):
    membership = OrgMembershipFactory(admin=True)
    ws = WorkspaceFactory(org=membership.org)
    user = membership.user
    permissions.all_access(user)

    with django_assert_num_queries(0):
        assert all(user.has_perm(name, ws) for name, cap in CAPABILITIES.items())
        access = permissions.workspace_access(user, ws)
    assert access.role == "admin"
    assert [s.label for s in access.sources] == ["org admin"]


def test_a_capability_check_asks_the_policy_without_djangos_backend_loop(monkeypatch):
    """Django instantiates every backend on each has_perm call; capabilities skip that."""
    membership = OrgMembershipFactory(admin=True)
    ws = WorkspaceFactory(org=membership.org)
    permissions.all_access(membership.user)

    def no_backends(*args, **kwargs):
        raise AssertionError("has_perm went through django.contrib.auth's backend loop")

    monkeypatch.setattr("django.contrib.auth.models._user_has_perm", no_backends)
    assert membership.user.has_perm("ws.manage", ws)
    assert membership.user.has_perm("org.view_console", membership.org)
    assert not membership.user.has_perm("org.view_console", WorkspaceFactory().org)


def test_org_user_without_grant_sees_no_workspace():
    membership = OrgMembershipFactory()
    ws = WorkspaceFactory(org=membership.org)
    assert permissions.workspace_access(membership.user, ws) is None
    assert not membership.user.has_perm("ws.view", ws)


def test_access_is_loaded_in_one_query_for_all_orgs(django_assert_num_queries):
    user = UserFactory()
    for _ in range(3):
        m = OrgMembershipFactory(user=user)
        WorkspaceMembershipFactory(user=user, workspace__org=m.org)
    with django_assert_num_queries(1):
        access = permissions.all_access(user)
        for org_access in access.values():
            for ws_id in org_access.workspace_ids:
                assert org_access.workspace(ws_id).can("ws.view")


def test_grants_in_an_org_the_user_left_count_for_nothing():
    """A stale workspace membership without org membership grants nothing (SPEC §2) — a state
    the models and PostgreSQL's deferred trigger refuse, made here behind their back."""
    membership = WorkspaceMembershipFactory(role="admin")
    leave_org_behind_the_models_back(membership.user)
    assert permissions.workspace_access(membership.user, membership.workspace) is None


def test_superuser_who_is_not_a_member_gets_nothing():
    operator = UserFactory(operator=True)
    ws = WorkspaceFactory()
    assert not operator.has_perm("ws.view", ws)
    assert not operator.has_perm("org.view_console", ws.org)
    assert operator.has_perm("orgs.change_organization")  # Django's own perms still apply


def test_inactive_user_has_no_capability():
    membership = OrgMembershipFactory(admin=True, user__is_active=False)
    assert not membership.user.has_perm("org.view", membership.org)


def test_tenancy_acme_user_resolves_nothing_in_globex(demo, acme, globex):
    admin = demo["admin@acme.test"]
    main = globex.workspaces.get(slug="main")
    assert not permissions.org_access(admin, globex).is_member
    assert permissions.workspace_access(admin, main) is None
    assert not admin.has_perm("ws.view", main)
    assert not admin.has_perm("org.view", globex)


def test_requirement_names_the_role_or_flag():
    assert "Flows Manager" in permissions.requirement("ws.manage_flows")
    assert "Org Admin" in permissions.requirement("org.manage_users")
    assert "Editor" in permissions.requirement("ws.manage_assets")


def test_unknown_capability_or_object_is_refused():
    membership = OrgMembershipFactory(admin=True)
    assert not membership.user.has_perm("ws.view", None)
    assert not membership.user.has_perm("ws.view", membership.user)
