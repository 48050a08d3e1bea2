"""orgs.permissions.workspace_member_access: everyone's access to one workspace in one query,
the same answer as each user's own access."""

import datetime

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
    PeopleWithAccess,
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
    sql = people.sql
    assert "m.user_full_name" in sql
    assert "u.full_name" not in sql.split("WHERE", 1)[1]


T = datetime.datetime(2031, 3, 14, 12, 0, tzinfo=datetime.UTC)
JUST_BEFORE = T - datetime.timedelta(microseconds=1)


@pytest.fixture
def tricky(demo, acme):
    """Marketing reached every way, some grants ending at T, names a search can trip on."""
    ws = acme.workspaces.get(slug="marketing")
    other_ws = acme.workspaces.get(slug="sales")
    names = ["Ｚoë Quist", "100% Sure", "under_score", "back\\slash", "Straße", "ÅNGSTRÖM"]
    people = [
        OrgMembershipFactory(org=acme, user__full_name=name, user__email=f"P{i}@Tricky.test").user
        for i, name in enumerate(names)
    ]
    WorkspaceMembershipFactory(workspace=ws, user=people[0], role="viewer", until=T)
    WorkspaceMembershipFactory(workspace=other_ws, user=people[1], role="admin")
    team = TeamFactory(org=acme, name="Ends")
    TeamMembershipFactory(team=team, user=people[1], until=T)
    TeamMembershipFactory(team=team, user=people[2])
    TeamAccessFactory(team=team, workspace=ws, role="editor")
    late = TeamFactory(org=acme, name="Late")
    TeamMembershipFactory(team=late, user=people[3])
    TeamAccessFactory(team=late, workspace=ws, role="viewer", until=T)
    TeamAccessFactory(team=late, workspace=other_ws, role="admin")
    OrgMembershipFactory(org=acme, admin=True, until=T, user__full_name="Leaving Admin")
    WorkspaceMembershipFactory(workspace=ws, user=people[4], role="editor", until=JUST_BEFORE)
    stranger = UserFactory(full_name="Stale Grant")
    WorkspaceMembershipFactory(workspace=ws, user=stranger, role="admin")
    leave_org_behind_the_models_back(stranger)
    return ws


@pytest.mark.parametrize("now", [JUST_BEFORE, T, None])
@pytest.mark.parametrize(
    "q", ["", "zoë", "%", "_", "\\", "100%", "r_s", "ACME", "strasse", "ångström", "tricky", " p1 "]
)
def test_the_sql_reads_the_same_people_as_the_orm(tricky, q, now):
    """PeopleWithAccess (raw SQL, the Manage page's count and pages) gives
    users_with_workspace_access's people in its order, for every kind of grant and end and
    searches with LIKE's wildcards, its escape character and folded text."""
    orm = list(users_with_workspace_access(tricky, now=now, q=q).order_by("email"))
    people = PeopleWithAccess(tricky, q, now=now)
    assert people.count() == len(orm)
    assert list(people) == orm
    assert people[1:3] == orm[1:3]
    assert [u.__dict__.keys() for u in people[0:2]] == [u.__dict__.keys() for u in orm[:2]]
    assert [(u.email, u.last_login, u.date_joined) for u in people] == [
        (u.email, u.last_login, u.date_joined) for u in orm
    ]


def test_the_sql_sees_the_ends_at_their_instant(tricky):
    before = {u.full_name for u in PeopleWithAccess(tricky, now=JUST_BEFORE)}
    after = {u.full_name for u in PeopleWithAccess(tricky, now=T)}
    assert {"Ｚoë Quist", "100% Sure", "back\\slash", "Leaving Admin"} <= before - after
    assert "Straße" not in before | after
    assert "Stale Grant" not in before | after
