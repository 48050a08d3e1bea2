"""Teams created through SCIM in the console: members read-only (only the org's SCIM token may
change them, in orgs.services), workspace access still editable."""

import pytest

from orgs import services
from orgs.errors import ServiceError
from orgs.models import OrgMembership, Team, TeamMembership, User
from tests.factories import OrgMembershipFactory, WorkspaceFactory
from workspaces.models import TeamAccess

from .conftest import GROUP_SCHEMA, USER_SCHEMA

pytestmark = pytest.mark.django_db


@pytest.fixture
def managed(scim, org):
    uid = scim.post("Users", {"schemas": [USER_SCHEMA], "userName": "fay@initech.com"}).json()["id"]
    body = {"schemas": [GROUP_SCHEMA], "displayName": "Support", "members": [{"value": uid}]}
    return Team.objects.get(pk=scim.post("Groups", body).json()["id"])


def test_services_refuse_other_writers(managed, org):
    boss = User.objects.get(email="boss@initech.com")
    fay = User.objects.get(email="fay@initech.com")
    with pytest.raises(ServiceError, match="managed by your identity provider"):
        services.team_member_add(actor=boss, team=managed, user=boss)
    with pytest.raises(ServiceError, match="managed by your identity provider"):
        services.team_member_remove(actor=boss, team=managed, user=fay)
    # Leaving the org still takes the person out of every team.
    services.member_remove(actor=boss, org=org, user=fay)
    assert not TeamMembership.objects.filter(team=managed).exists()


def test_console_shows_members_read_only(client, managed, org):
    boss = User.objects.get(email="boss@initech.com")
    fay = User.objects.get(email="fay@initech.com")
    client.force_login(boss)
    page = client.get(f"/orgs/initech/teams/{managed.pk}/").content.decode()
    assert "Managed by your identity provider" in page
    assert "Add to team" not in page and "/remove/" not in page.split("team-access")[0]
    assert "Identity provider" in client.get("/orgs/initech/teams/").content.decode()

    OrgMembershipFactory(org=org, user__email="gus@initech.com")
    client.post(f"/orgs/initech/teams/{managed.pk}/members/", {"email": "gus@initech.com"})
    removal = client.post(f"/orgs/initech/teams/{managed.pk}/members/{fay.pk}/remove/")
    assert removal.status_code == 403
    assert set(managed.members.values_list("email", flat=True)) == {"fay@initech.com"}

    # Workspace access is still set in flowadmin.
    workspace = WorkspaceFactory(org=org)
    response = client.post(
        f"/orgs/initech/teams/{managed.pk}/access/",
        {"workspace": workspace.pk, "role": "viewer"},
    )
    assert response.status_code in (200, 302)
    assert TeamAccess.objects.filter(team=managed, workspace=workspace).exists()
    assert OrgMembership.objects.filter(org=org, user=fay).exists()


def test_admin_site_shows_members_read_only(client, managed):
    from tests.factories import UserFactory

    client.force_login(UserFactory(operator=True))
    page = client.get(f"/admin/orgs/team/{managed.pk}/change/").content.decode()
    assert "fay@initech.com" in page
    assert "Add another team member" not in page and 'name="memberships-0-DELETE"' not in page
