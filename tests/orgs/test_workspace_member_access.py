"""orgs.permissions.workspace_member_access: everyone's access to one workspace in one query,
the same answer as each user's own access."""

import pytest

from orgs import permissions
from orgs.models import User
from tests.factories import (
    OrgMembershipFactory,
    TeamAccessFactory,
    TeamFactory,
    TeamMembershipFactory,
    UserFactory,
    WorkspaceMembershipFactory,
    leave_org_behind_the_models_back,
)
from workspaces.selectors.manage import (
    people_with_access,
    search_users,
    users_with_workspace_access,
)

pytestmark = pytest.mark.django_db


def summary(access):
    return access and (
        access.role,
        access.flags,
        [(s.kind, s.role, s.team) for s in access.sources],
    )


@pytest.mark.parametrize("ws_slug", ["marketing", "sales", "events"])
def test_same_answer_as_each_users_own_access(demo, acme, ws_slug, django_assert_num_queries):
    ws = acme.workspaces.get(slug=ws_slug)
    # A richer mix: a direct member also in two teams, one with a flag.
    viewer = demo["viewer@acme.test"]
    for name, role, flags in [
        ("B team", "editor", {}),
        ("A team", "viewer", {"audience_viewer": True}),
    ]:
        team = TeamFactory(org=acme, name=name)
        TeamMembershipFactory(team=team, user=viewer)
        TeamAccessFactory(team=team, workspace=ws, role=role, **flags)
    with django_assert_num_queries(1):
        bulk = permissions.workspace_member_access(ws)
    for user in User.objects.all():
        assert summary(bulk.get(user.pk)) == summary(permissions.workspace_access(user, ws)), user


def test_only_the_given_users(demo, acme):
    ws = acme.workspaces.get(slug="marketing")
    ids = [demo["viewer@acme.test"].pk, demo["outsider@acme.test"].pk]
    assert set(permissions.workspace_member_access(ws, ids)) == {demo["viewer@acme.test"].pk}


def test_no_users_no_query(demo, acme, django_assert_num_queries):
    ws = acme.workspaces.first()
    with django_assert_num_queries(0):
        assert permissions.workspace_member_access(ws, []) == {}


def test_people_outside_the_org_do_not_count(demo, acme):
    ws = acme.workspaces.get(slug="marketing")
    stranger = UserFactory()
    WorkspaceMembershipFactory(workspace=ws, user=stranger, role="admin")
    team = TeamFactory(org=acme)
    TeamMembershipFactory(team=team, user=stranger)
    TeamAccessFactory(team=team, workspace=ws)
    # Left the org, grants stale (the models refuse this state; made behind their back).
    leave_org_behind_the_models_back(stranger)
    assert stranger.pk not in permissions.workspace_member_access(ws)
    assert not users_with_workspace_access(ws).filter(pk=stranger.pk).exists()


def test_users_with_access_matches_the_loader(demo, acme):
    ws = acme.workspaces.get(slug="sales")
    OrgMembershipFactory(org=acme, admin=True)
    expected = set(permissions.workspace_member_access(ws))
    assert set(users_with_workspace_access(ws).values_list("pk", flat=True)) == expected


def test_one_workspaces_grants_are_read_not_the_orgs(demo, acme):
    """The loader reads the workspace's grants only (at bench size, 25 members' grants in
    every workspace were most of the Manage page's SQL); each member's other grants stay out."""
    ws = acme.workspaces.get(slug="marketing")
    access = permissions.members_access(acme, workspace_id=ws.pk)
    assert access
    assert all(set(a.grants) <= {ws.pk} for a in access.values())
    assert any(set(a.grants) - {ws.pk} for a in permissions.members_access(acme).values())


def test_the_search_matches_the_memberships_copies_not_every_user(demo, acme):
    """Manage → Members' search folds the org membership's copies of the name and email: the
    same people as matching the users' own columns, without testing every user of the org."""
    ws = acme.workspaces.get(slug="marketing")
    renamed = demo["viewer@acme.test"]
    renamed.full_name = "Ｚoë Quist"  # full-width Z: matched by its NFKC fold, "zoë"
    renamed.save()
    people = people_with_access(ws, "zoë")
    assert list(people) == [renamed]
    assert list(people_with_access(ws, "VIEWER@")) == [renamed]
    everyone = set(users_with_workspace_access(ws))
    for q in ("acme", "a", "zz-none"):
        by_users = {u for u in search_users(User.objects.all(), q) if u in everyone}
        assert set(people_with_access(ws, q)) == by_users, q
    sql = str(people.query)
    assert '."user_full_name"' in sql
    assert '"orgs_user"."full_name"' not in sql.split("WHERE", 1)[1]
