"""Manage → Members reads its rows' direct memberships with SQL written once
(workspaces.selectors.manage.direct_memberships) instead of the ORM: the same instances,
values and types (ended ones too), in one query, none without users."""

import datetime

import pytest
from django.utils import timezone

from tests.factories import UserFactory, WorkspaceFactory, WorkspaceMembershipFactory
from tests.orgs.test_user_orgs import loaded
from workspaces.models import WorkspaceMembership
from workspaces.selectors.manage import direct_memberships

pytestmark = pytest.mark.django_db


def test_the_memberships_the_orm_gives(django_assert_num_queries):
    workspace, other = WorkspaceFactory(), WorkspaceFactory()
    users = [UserFactory() for _ in range(4)]
    WorkspaceMembershipFactory(workspace=workspace, user=users[0], role="admin")
    WorkspaceMembershipFactory(
        workspace=workspace,
        user=users[1],
        role="viewer",
        audience_viewer=True,
        until=timezone.now() - datetime.timedelta(days=1),  # ended: still read
    )
    WorkspaceMembershipFactory(workspace=other, user=users[2])  # another workspace's
    WorkspaceMembershipFactory(workspace=workspace, user=users[3])  # not asked for
    asked = [user.pk for user in users[:3]]
    expected = WorkspaceMembership.objects.filter(workspace=workspace, user_id__in=asked)
    expected = sorted(expected, key=lambda m: m.pk)
    assert len(expected) == 2
    with django_assert_num_queries(1):
        found = sorted(direct_memberships(workspace, asked), key=lambda m: m.pk)
    assert [loaded(m) for m in found] == [loaded(m) for m in expected]
    assert found[1].flags == expected[1].flags


def test_no_users_no_query(django_assert_num_queries):
    workspace = WorkspaceFactory()
    with django_assert_num_queries(0):
        assert direct_memberships(workspace, []) == []
