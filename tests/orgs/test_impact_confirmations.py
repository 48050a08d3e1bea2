"""Every confirmation of a change that removes or lowers access shows the impact preview:
who loses what, per workspace, with the source that disappears and what remains — on the
console's pages and Manage's, and in place of an htmx row save that lowers access."""

import html as html_lib
import re

import pytest

from orgs.models import Domain, OrgMembership, SSOConfiguration, Team, TeamMembership
from orgs.roles import FLAG_DEFINITIONS
from tests.orgs.console import HTMX, logged_in
from workspaces.models import TeamAccess, Workspace, WorkspaceMembership

pytestmark = pytest.mark.django_db

MANAGE = "/orgs/acme/w/{ws}/manage/"
TIM_LOSES_SALES = "Tim Teamer loses Sales Editor (was via team Field Sales); keeps nothing in Sales"


def text(response) -> str:
    """The page's text as read (tags dropped, entities decoded, spaces collapsed)."""
    body = re.sub(r"<[^>]+>", " ", response.content.decode())
    return " ".join(html_lib.unescape(body).split())


def state():
    """Every grant row, to check a confirmation page changed nothing."""
    return (
        sorted(OrgMembership.objects.values_list("org_id", "user_id", "role")),
        sorted(WorkspaceMembership.objects.values_list("workspace_id", "user_id", "role")),
        sorted(TeamMembership.objects.values_list("team_id", "user_id")),
        sorted(TeamAccess.objects.values_list("team_id", "workspace_id", "role")),
        sorted(Workspace.objects.values_list("pk", flat=True)),
        sorted(Team.objects.values_list("pk", flat=True)),
    )


@pytest.fixture
def field_sales(acme):
    return Team.objects.get(org=acme, name="Field Sales")


@pytest.fixture
def sales(acme):
    return Workspace.objects.get(org=acme, slug="sales")


@pytest.fixture
def marketing(acme):
    return Workspace.objects.get(org=acme, slug="marketing")


# --- the Org Admin console ----------------------------------------------------------------


def test_deleting_a_team(client, demo, field_sales):
    before = state()
    page = text(logged_in(client, demo).get(f"/orgs/acme/teams/{field_sales.pk}/delete/"))
    assert "Who loses what" in page
    assert TIM_LOSES_SALES in page
    assert state() == before


def test_removing_a_team_member(client, demo, field_sales):
    tim = demo["teamuser@acme.test"]
    url = f"/orgs/acme/teams/{field_sales.pk}/members/{tim.pk}/remove/"
    page = text(logged_in(client, demo).get(url))
    assert TIM_LOSES_SALES in page


def test_removing_a_teams_workspace_access(client, demo, field_sales, sales):
    url = f"/orgs/acme/teams/{field_sales.pk}/access/{sales.pk}/remove/"
    page = text(logged_in(client, demo).get(url))
    assert TIM_LOSES_SALES in page


def test_lowering_a_teams_role_in_place_asks_first(client, demo, field_sales, sales):
    before = state()
    url = f"/orgs/acme/teams/{field_sales.pk}/access/{sales.pk}/"
    response = logged_in(client, demo).post(url, {"role": "viewer"}, headers=HTMX)
    assert response["HX-Retarget"] == "#content"
    page = text(response)
    assert "Change Field Sales's access to Sales?" in page
    assert (
        "Tim Teamer loses Sales Editor (was via team Field Sales); "
        "keeps Sales Viewer (via team Field Sales)" in page
    )
    assert state() == before
    client.post(url, {"role": "viewer", "confirmed": "1"})
    assert TeamAccess.objects.get(team=field_sales, workspace=sales).role == "viewer"


def test_deleting_a_workspace_names_everyone_who_loses_it(client, demo, acme, marketing):
    page = text(logged_in(client, demo).get(f"/orgs/acme/workspaces/{marketing.pk}/delete/"))
    assert "Ada Admin loses Marketing Admin (was as Org Admin): the workspace is deleted" in page
    assert "Eddie Editor loses Marketing Editor (was direct): the workspace is deleted" in page
    assert Workspace.objects.filter(pk=marketing.pk).exists()


def test_removing_a_domain_used_by_sso_says_what_it_does_to_sign_in(client, demo, acme):
    domain = Domain.objects.create(org=acme, hostname="acme.example", status="verified")
    sso = SSOConfiguration.objects.create(
        org=acme, protocol="saml", entity_id="e", metadata_url="x", enforced=True
    )
    sso.domains.add(domain)
    page = text(logged_in(client, demo).get(f"/orgs/acme/settings/domains/{domain.pk}/remove/"))
    assert "No one's role or permissions change." in page
    assert "Single sign-on stops for addresses at acme.example" in page
    assert "SSO is enforced for acme.example today" in page
    assert Domain.objects.filter(pk=domain.pk).exists()


def test_removing_a_domain_sso_does_not_use_changes_no_access(client, demo, acme):
    domain = Domain.objects.create(org=acme, hostname="plain.example", status="verified")
    page = text(logged_in(client, demo).get(f"/orgs/acme/settings/domains/{domain.pk}/remove/"))
    assert "No one's role or permissions change." in page
    assert "Single sign-on stops" not in page


# --- the workspace's Manage page -------------------------------------------------------------


def test_manage_removing_a_direct_member(client, demo, marketing):
    m = WorkspaceMembership.objects.get(workspace=marketing, user=demo["editor@acme.test"])
    page = text(
        logged_in(client, demo).get(MANAGE.format(ws="marketing") + f"members/{m.pk}/remove/")
    )
    assert "Eddie Editor loses Marketing Editor (was direct); keeps nothing in Marketing" in page


def test_manage_turning_a_flag_off_in_place_asks_first(client, demo, marketing):
    flag = FLAG_DEFINITIONS[-1]
    m = WorkspaceMembership.objects.get(workspace=marketing, user=demo["audience@acme.test"])
    before = state()
    url = MANAGE.format(ws="marketing") + f"members/{m.pk}/"
    response = logged_in(client, demo, "wsadmin@acme.test").post(
        url, {"role": "viewer"}, headers=HTMX
    )
    assert response["HX-Retarget"] == "#content"
    page = text(response)
    assert "Change Aud Ience's access to Marketing?" in page
    assert f"Aud Ience loses {flag.label} (was direct); keeps Marketing Viewer (direct)" in page
    assert 'name="confirmed" value="1"' in response.content.decode()
    assert state() == before
    m.refresh_from_db()
    assert getattr(m, flag.name) is True


def test_manage_removing_a_teams_access(client, demo, field_sales, sales):
    access = TeamAccess.objects.get(team=field_sales, workspace=sales)
    page = text(
        logged_in(client, demo).get(MANAGE.format(ws="sales") + f"teams/{access.pk}/remove/")
    )
    assert TIM_LOSES_SALES in page


def test_manage_lowering_a_teams_role_in_place_asks_first(client, demo, field_sales, sales):
    access = TeamAccess.objects.get(team=field_sales, workspace=sales)
    url = MANAGE.format(ws="sales") + f"teams/{access.pk}/"
    response = logged_in(client, demo).post(url, {"role": "viewer"}, headers=HTMX)
    assert "Tim Teamer loses Sales Editor (was via team Field Sales)" in text(response)
    access.refresh_from_db()
    assert access.role == "editor"


def test_raising_in_place_saves_without_asking(client, demo, field_sales, sales):
    access = TeamAccess.objects.get(team=field_sales, workspace=sales)
    url = MANAGE.format(ws="sales") + f"teams/{access.pk}/"
    flags = {flag.name: "on" for flag in FLAG_DEFINITIONS}
    response = logged_in(client, demo).post(url, {"role": "admin", **flags}, headers=HTMX)
    assert "HX-Retarget" not in response
    access.refresh_from_db()
    assert access.role == "admin"


def test_an_undo_restores_without_asking(client, demo, marketing):
    m = WorkspaceMembership.objects.get(workspace=marketing, user=demo["editor@acme.test"])
    url = MANAGE.format(ws="marketing") + f"members/{m.pk}/"
    response = logged_in(client, demo).post(url, {"role": "viewer", "restore": "on"}, headers=HTMX)
    assert "HX-Retarget" not in response
    m.refresh_from_db()
    assert m.role == "viewer"
