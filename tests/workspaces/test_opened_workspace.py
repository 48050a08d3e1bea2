"""The workspace a URL names, read with SQL written once (workspaces.selectors.opened) instead of
the ORM's select_related: the same instances, values and types, with the org, its SSO settings
and the whitelabel domain loaded, in one query; None for another org's slug or no workspace."""

import pytest

from orgs.models import SSOConfiguration
from tests.factories import (
    DomainFactory,
    OrganizationFactory,
    SSOConfigurationFactory,
    WorkspaceFactory,
)
from tests.orgs.test_user_orgs import loaded
from workspaces.models import Workspace
from workspaces.selectors.opened import workspace_by_slugs

pytestmark = pytest.mark.django_db


def orm(org_slug, ws_slug):
    return (
        Workspace.objects.select_related("org__sso", "whitelabel_domain")
        .filter(org__slug=org_slug, slug=ws_slug)
        .first()
    )


@pytest.fixture
def workspaces():
    with_sso, plain = OrganizationFactory(), OrganizationFactory()
    SSOConfigurationFactory(org=with_sso, enforced=True, client_id="abc")
    domain = DomainFactory(org=with_sso, verified=True)
    branded = WorkspaceFactory(org=with_sso, slug="same", whitelabel_domain=domain)
    domain.workspace = branded
    domain.save()
    WorkspaceFactory(org=plain, slug="same")  # the same slug in another org
    WorkspaceFactory(org=plain, slug="other")
    return with_sso, plain


@pytest.mark.parametrize("which", [0, 1])
def test_the_workspace_the_orm_gives(workspaces, which, django_assert_num_queries):
    org = workspaces[which]
    expected = orm(org.slug, "same")
    with django_assert_num_queries(1):
        found = workspace_by_slugs(org.slug, "same")
    with django_assert_num_queries(0):
        assert loaded(found) == loaded(expected)
        assert loaded(found.org) == loaded(expected.org)
        if expected.whitelabel_domain is None:
            assert found.whitelabel_domain is None
        else:
            assert loaded(found.whitelabel_domain) == loaded(expected.whitelabel_domain)
        if hasattr(expected.org, "sso"):
            assert loaded(found.org.sso) == loaded(expected.org.sso)
            assert found.org.sso.org is found.org
        else:
            with pytest.raises(SSOConfiguration.DoesNotExist):
                found.org.sso  # noqa: B018


def test_no_such_workspace(workspaces):
    with_sso, plain = workspaces
    assert workspace_by_slugs(with_sso.slug, "other") is None  # the other org's
    assert workspace_by_slugs("no-such-org", "same") is None
