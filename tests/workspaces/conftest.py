"""Fixtures for the workspace Manage page tests."""

import pytest

from orgs import domains
from orgs.models import Team, User
from tests.factories import (
    DomainFactory,
    IntegrationInstallationFactory,
    OrgMembershipFactory,
    TeamAccessFactory,
    TeamFactory,
    UserFactory,
    WorkspaceMembershipFactory,
)
from workspaces.models import Flow


@pytest.fixture
def workspaces(acme):
    return {ws.slug: ws for ws in acme.workspaces.all()}


@pytest.fixture
def marketing(workspaces):
    return workspaces["marketing"]


@pytest.fixture
def manage_objects(demo, acme, workspaces):
    """Per acme workspace, one object of each kind the Manage page edits, so that every URL
    with an id resolves: a direct membership (of extra@acme.test, who is in no demo scenario), a
    team's access (team Designers, no members), an own pending domain, an installed app.
    Plus what the POSTs use: a verified org-wide domain and a team without access."""
    extra = UserFactory(email="extra@acme.test", full_name="Ext Ra")
    OrgMembershipFactory(org=acme, user=extra)
    designers = TeamFactory(org=acme, name="Designers")
    spare = TeamFactory(org=acme, name="Spare")
    org_domain = DomainFactory(org=acme, hostname="go.acme.example", verified=True)
    objects = {"extra": extra, "designers": designers, "spare": spare, "org_domain": org_domain}
    for slug, ws in workspaces.items():
        objects[slug] = {
            "membership": WorkspaceMembershipFactory(workspace=ws, user=extra, role="viewer"),
            "team_access": TeamAccessFactory(team=designers, workspace=ws, role="viewer"),
            "domain": DomainFactory(org=acme, workspace=ws, hostname=f"links.{slug}.example"),
            "installation": IntegrationInstallationFactory(org=acme, workspace=ws, app="segment"),
        }
    return objects


@pytest.fixture
def txt_records(monkeypatch):
    """DNS as the tests want it: `txt_records[name] = [values]`."""
    records = {}
    monkeypatch.setattr(domains, "lookup_txt", lambda name: records.get(name, []))
    return records


def login(client, email):
    client.force_login(User.objects.get(email=email))
    return client


@pytest.fixture
def as_user(client):
    return lambda email: login(client, email)


@pytest.fixture
def field_sales(acme):
    return Team.objects.get(org=acme, name="Field Sales")


@pytest.fixture
def marketing_flow(marketing):
    return Flow.objects.filter(workspace=marketing, status="active").order_by("pk").first()


@pytest.fixture
def sales_flow(acme):
    return Flow.objects.filter(workspace__org=acme, workspace__slug="sales").order_by("pk").first()


@pytest.fixture
def globex_flow(globex):
    return Flow.objects.filter(workspace__org=globex).order_by("pk").first()
