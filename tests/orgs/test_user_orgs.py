"""The user's orgs (orgs.selectors.user_orgs), read by SQL written once (flowadmin.model_rows)
instead of the ORM's select_related: the same instances, values and types, the SSO settings
loaded, in one query."""

import pytest
from django.forms.models import model_to_dict

from audit.models import ActivityEntry
from orgs import permissions, selectors
from orgs.models import Organization, SSOConfiguration
from tests.factories import (
    OrganizationFactory,
    OrgMembershipFactory,
    SSOConfigurationFactory,
    TeamAccessFactory,
    TeamMembershipFactory,
    UserFactory,
    WorkspaceFactory,
    WorkspaceMembershipFactory,
)
from workspaces.models import Workspace

pytestmark = pytest.mark.django_db


def loaded(instance) -> dict:
    """An instance's loaded state: field values (typed) and where it was read from."""
    values = {f.attname: getattr(instance, f.attname) for f in instance._meta.concrete_fields}
    return {
        **values,
        "_types": {name: type(value) for name, value in values.items()},
        "_db": instance._state.db,
        "_adding": instance._state.adding,
    }


@pytest.fixture
def member():
    user = UserFactory()
    plain = OrganizationFactory(name="Beta", require_two_factor=True)
    with_sso = OrganizationFactory(name="Alpha")
    SSOConfigurationFactory(org=with_sso, enforced=True, client_id="abc")
    other = OrganizationFactory(name="Gamma")  # not the user's
    SSOConfigurationFactory(org=other)
    OrgMembershipFactory(org=plain, user=user)
    OrgMembershipFactory(org=with_sso, user=user, admin=True)
    return user


def test_same_orgs_and_sso_as_the_orm(member, django_assert_num_queries):
    expected = list(
        Organization.objects.select_related("sso").filter(memberships__user=member).order_by("name")
    )
    with django_assert_num_queries(2):  # the access, then the orgs with their SSO settings
        orgs = selectors.user_orgs(member)
    assert [org.name for org, _access in orgs] == ["Alpha", "Beta"]
    with django_assert_num_queries(0):
        for (org, access), orm in zip(orgs, expected, strict=True):
            assert loaded(org) == loaded(orm)
            assert access.org_id == org.pk and access.is_member
            if hasattr(orm, "sso"):
                assert loaded(org.sso) == loaded(orm.sso)
                assert org.sso.org is org
            else:
                with pytest.raises(SSOConfiguration.DoesNotExist):
                    org.sso  # noqa: B018


def _saved_changes(org) -> dict:
    """The `changes` the activity log records when `org` is saved described as "Renamed"."""
    org.description = "Renamed"
    org.save()
    return ActivityEntry.objects.latest("pk").changes


def test_a_loaded_org_saves_and_logs_like_an_orm_one(member):
    org, _access = selectors.user_orgs(member)[0]
    before = org.description
    orm_changes = _saved_changes(Organization.objects.get(pk=org.pk))
    Organization.objects.filter(pk=org.pk).update(description=before)  # no signal, no entry
    assert orm_changes == {"description": [before, "Renamed"]}  # the post_init snapshot
    assert _saved_changes(org) == orm_changes
    assert model_to_dict(Organization.objects.get(pk=org.pk))["description"] == "Renamed"


def test_no_orgs_no_query(django_assert_num_queries):
    with django_assert_num_queries(0):
        assert selectors.orgs_with_sso([]) == []


def visible_workspaces(user, org):
    """The oracle: the workspaces of `org` the policy lets the user see, by name, by the ORM."""
    access = permissions.org_access(user, org)
    qs = Workspace.objects.filter(org=org).order_by("name")
    if access.sees_every_workspace:
        return qs
    if not access.is_member:
        return qs.none()
    return qs.filter(pk__in=access.workspace_ids)


@pytest.mark.parametrize("limit", [1, 3, 50])
def test_the_sidebars_workspaces_are_the_visible_ones_in_order(limit, django_assert_num_queries):
    org = OrganizationFactory()
    spaces = [WorkspaceFactory(org=org, name=name) for name in ["b", "A", "c", "é", "ab", "d"]]
    WorkspaceFactory(name="other org")
    admin, direct, via_team, outsider = UserFactory(), UserFactory(), UserFactory(), UserFactory()
    OrgMembershipFactory(org=org, user=admin, admin=True)
    WorkspaceMembershipFactory(workspace=spaces[0], user=direct)
    WorkspaceMembershipFactory(workspace=spaces[3], user=direct)
    team = TeamMembershipFactory(user=via_team, team__org=org).team
    TeamAccessFactory(team=team, workspace=spaces[4])
    OrgMembershipFactory(org=org, user=outsider)
    stranger = UserFactory()
    for user in [admin, direct, via_team, outsider, stranger]:
        expected = list(visible_workspaces(user, org).values_list("pk", "name", "slug")[:limit])
        with django_assert_num_queries(1 if expected else 0):
            shown = selectors.first_visible_workspaces(user, org, limit)
            assert [tuple(row) for row in shown] == expected
