"""A full page of Users or Groups (the maximum page size) costs the same number of queries
whatever the number of members on it."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from orgs.models import ScimUser, Team
from orgs.scim.schema import MAX_PAGE_SIZE
from tests.factories import OrgMembershipFactory, TeamMembershipFactory

pytestmark = pytest.mark.django_db


def grow(org, people, teams, tag):
    users = [OrgMembershipFactory(org=org).user for _ in range(people)]
    for user in users[::2]:
        ScimUser.objects.create(org=org, user=user, external_id=f"x{user.pk}", given_name="A")
    for n in range(teams):
        team = Team.objects.create(org=org, name=f"Team {tag}{n}", managed_by_idp=True)
        for user in users[n % 2 :: 2]:
            TeamMembershipFactory(team=team, user=user)


def queries(scim, path):
    with CaptureQueriesContext(connection) as captured:
        response = scim.get(path, count=MAX_PAGE_SIZE)
    assert response.status_code == 200
    return len(captured), response.json()


@pytest.mark.parametrize("path", ["Users", "Groups"])
def test_full_page_is_a_constant_number_of_queries(scim, org, path):
    scim.get(path)  # the token's last-used time is written once a minute: not measured
    grow(org, 4, 2, "a")
    small, body = queries(scim, path)
    assert 2 <= body["itemsPerPage"] < 10
    grow(org, 60, 12, "b")
    large, body = queries(scim, path)
    assert body["itemsPerPage"] > 12
    assert small == large
