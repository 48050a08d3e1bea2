"""Every URL and POST of the Org Admin console answers as SPEC §3.3: an Org Admin is let in, an
org user gets 403, an admin of another org 404, an anonymous visitor a redirect to the login
page; a refused POST changes nothing. Ids of another org's objects are 404."""

import pytest

from orgs import domains
from orgs.models import Domain, IntegrationInstallation, Organization, Team, TeamMembership
from tests.factories import (
    DomainFactory,
    IntegrationInstallationFactory,
    TeamAccessFactory,
    TeamFactory,
    WorkspaceFactory,
)
from tests.orgs.console import ADMIN, ORG_USER, OTHER_ORG_ADMIN
from workspaces.models import TeamAccess, Workspace

pytestmark = pytest.mark.django_db


@pytest.fixture
def objects(acme, monkeypatch):
    """The acme objects the URLs point at."""
    team = Team.objects.get(org=acme, name="Field Sales")
    domain = DomainFactory(org=acme, hostname="go.acme.example")
    monkeypatch.setattr(domains, "lookup_txt", lambda name: [domain.verification_token])
    IntegrationInstallationFactory(org=acme, app="hubspot")
    return {
        "org": acme,
        "team": team,
        "member": team.members.get(),
        "ws": Workspace.objects.get(org=acme, slug="marketing"),
        "granted": Workspace.objects.get(org=acme, slug="sales"),
        "events": Workspace.objects.get(org=acme, slug="events"),
        "domain": domain,
    }


# (path under /orgs/acme/, with {placeholders} filled from `objects`)
GETS = [
    "",
    "workspaces/",
    "workspaces/{ws.pk}/delete/",
    "teams/",
    "teams/{team.pk}/",
    "teams/{team.pk}/members/{member.pk}/remove/",
    "teams/{team.pk}/access/{granted.pk}/remove/",
    "teams/{team.pk}/settings/",
    "teams/{team.pk}/delete/",
    "settings/",
    "settings/integrations/",
    "settings/integrations/hubspot/",
    "settings/integrations/segment/",
    "settings/integrations/hubspot/uninstall/",
    "settings/sso/",
    "settings/domains/",
    "settings/domains/{domain.pk}/remove/",
]

# (path, data): valid data, so that an allowed POST would change something
POSTS = [
    ("workspaces/", {"name": "Brand New"}),
    ("workspaces/{ws.pk}/delete/", {"confirm": "marketing"}),
    ("teams/", {"name": "Brand New"}),
    ("teams/{team.pk}/members/", {"email": "outsider@acme.test"}),
    ("teams/{team.pk}/members/{member.pk}/remove/", {}),
    ("teams/{team.pk}/access/", {"workspace": "{events.pk}", "role": "viewer"}),
    ("teams/{team.pk}/access/{granted.pk}/", {"role": "admin"}),
    ("teams/{team.pk}/access/{granted.pk}/remove/", {}),
    ("teams/{team.pk}/settings/", {"name": "Renamed", "description": "x"}),
    ("teams/{team.pk}/delete/", {}),
    ("settings/", {"description": "Changed"}),
    ("settings/integrations/segment/", {"write_key": "wk-123"}),
    ("settings/integrations/hubspot/", {"portal_id": "9", "access_token": "new"}),
    ("settings/integrations/hubspot/enabled/", {"enabled": "off"}),
    ("settings/integrations/hubspot/uninstall/", {}),
    ("settings/domains/", {"hostname": "new.acme.example"}),
    ("settings/domains/{domain.pk}/verify/", {}),
    ("settings/domains/{domain.pk}/remove/", {}),
]


def fill(template, objects):
    return template.format(**objects)


def url(path, objects):
    return "/orgs/acme/" + fill(path, objects)


def state(org):
    """Everything a console POST can change, to compare before and after a refusal."""
    org = Organization.objects.get(pk=org.pk)
    return {
        "org": (org.description, org.avatar.name),
        "workspaces": sorted(Workspace.objects.filter(org=org).values_list("slug", flat=True)),
        "teams": sorted(Team.objects.filter(org=org).values_list("name", "description")),
        "team_members": sorted(TeamMembership.objects.values_list("team_id", "user_id")),
        "team_access": sorted(
            TeamAccess.objects.values_list(
                "team_id", "workspace_id", "role", "flows_manager", "audience_viewer"
            )
        ),
        "domains": sorted(Domain.objects.values_list("hostname", "status")),
        "integrations": sorted(
            IntegrationInstallation.objects.values_list(
                "app", "enabled", "config", "secrets_encrypted"
            ),
            key=str,
        ),
    }


@pytest.mark.parametrize("path", GETS)
def test_get_allowed_for_the_org_admin(client, demo, objects, path):
    client.force_login(demo[ADMIN])
    assert client.get(url(path, objects)).status_code == 200


@pytest.mark.parametrize("path", GETS)
def test_get_forbidden_for_an_org_user(client, demo, objects, path):
    client.force_login(demo[ORG_USER])
    response = client.get(url(path, objects))
    assert response.status_code == 403
    assert b"Org Admin" in response.content


@pytest.mark.parametrize("path", GETS)
def test_get_not_found_for_another_orgs_admin(client, demo, objects, path):
    client.force_login(demo[OTHER_ORG_ADMIN])
    assert client.get(url(path, objects)).status_code == 404


@pytest.mark.parametrize("path", GETS)
def test_get_redirects_anonymous_to_login(client, demo, objects, path):
    target = url(path, objects)
    response = client.get(target)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")


@pytest.mark.parametrize("path", GETS)
def test_get_not_found_for_a_django_superuser_who_is_not_a_member(client, demo, objects, path):
    client.force_login(demo["ops@flowadmin.test"])
    assert client.get(url(path, objects)).status_code == 404


@pytest.mark.parametrize("path,data", POSTS)
def test_post_allowed_for_the_org_admin_changes_something(client, demo, objects, path, data):
    client.force_login(demo[ADMIN])
    before = state(objects["org"])
    response = client.post(url(path, objects), {k: fill(v, objects) for k, v in data.items()})
    assert response.status_code == 302
    assert state(objects["org"]) != before


@pytest.mark.parametrize("email,status", [(ORG_USER, 403), (OTHER_ORG_ADMIN, 404), (None, 302)])
@pytest.mark.parametrize("path,data", POSTS)
def test_refused_post_changes_nothing(client, demo, objects, path, data, email, status):
    if email:
        client.force_login(demo[email])
    before = state(objects["org"])
    response = client.post(url(path, objects), {k: fill(v, objects) for k, v in data.items()})
    assert response.status_code == status
    assert state(objects["org"]) == before


@pytest.mark.parametrize(
    "path,methods",
    [
        ("workspaces/{other_ws}/delete/", ["get", "post"]),
        ("teams/{other_team}/", ["get"]),
        ("teams/{other_team}/members/", ["post"]),
        ("teams/{other_team}/access/", ["post"]),
        ("teams/{other_team}/settings/", ["get", "post"]),
        ("teams/{other_team}/delete/", ["get", "post"]),
        ("teams/{team}/members/{other_user}/remove/", ["get", "post"]),
        ("teams/{other_team}/access/{other_ws}/", ["post"]),
        ("teams/{team}/access/{other_ws}/remove/", ["get", "post"]),
        ("teams/{other_team}/access/{other_ws}/remove/", ["get", "post"]),
        ("settings/domains/{other_domain}/verify/", ["post"]),
        ("settings/domains/{other_domain}/remove/", ["get", "post"]),
    ],
)
def test_ids_of_another_org_are_not_found(client, demo, objects, globex, path, methods):
    other_team = TeamFactory(org=globex)
    other_ws = Workspace.objects.get(org=globex, slug="main")
    TeamAccessFactory(team=other_team, workspace=other_ws)
    ids = {
        "team": objects["team"].pk,
        "other_team": other_team.pk,
        "other_ws": other_ws.pk,
        "other_user": demo[OTHER_ORG_ADMIN].pk,
        "other_domain": DomainFactory(org=globex).pk,
    }
    client.force_login(demo[ADMIN])
    before = state(globex)
    for method in methods:
        assert getattr(client, method)("/orgs/acme/" + path.format(**ids)).status_code == 404
    assert state(globex) == before


@pytest.mark.parametrize(
    "path,data",
    [
        ("teams/{team}/access/{other_ws}/", {"role": "admin"}),
        ("teams/{team}/access/", {"workspace": "{other_ws}", "role": "admin"}),
        ("teams/{team}/members/", {"email": OTHER_ORG_ADMIN}),
    ],
)
def test_posts_naming_another_orgs_objects_change_nothing(
    client, demo, objects, globex, path, data
):
    other_ws = WorkspaceFactory(org=globex)
    ids = {"team": objects["team"].pk, "other_ws": other_ws.pk}
    client.force_login(demo[ADMIN])
    before = state(objects["org"]), list(TeamAccess.objects.filter(workspace=other_ws))
    response = client.post(
        "/orgs/acme/" + path.format(**ids), {k: v.format(**ids) for k, v in data.items()}
    )
    assert response.status_code in (200, 404)  # a form error, or no such object here
    assert (state(objects["org"]), list(TeamAccess.objects.filter(workspace=other_ws))) == before


@pytest.mark.parametrize("path", ["", "workspaces/", "teams/", "settings/"])
def test_unknown_org_is_not_found(client, demo, path):
    client.force_login(demo[ADMIN])
    assert client.get(f"/orgs/nope/{path}").status_code == 404


@pytest.mark.parametrize(
    "path",
    ["settings/integrations/nope/", "settings/integrations/nope/uninstall/"],
)
def test_unknown_app_is_not_found(client, demo, objects, path):
    client.force_login(demo[ADMIN])
    assert client.get(url(path, objects)).status_code == 404
