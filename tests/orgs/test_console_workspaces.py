import pytest
from django.core.files.base import ContentFile

from orgs.models import Domain, IntegrationInstallation
from tests.factories import (
    AssetFactory,
    AudienceContactFactory,
    DomainFactory,
    FlowFactory,
    IntegrationInstallationFactory,
    ScanFactory,
    TeamAccessFactory,
    WorkspaceFactory,
    WorkspaceMembershipFactory,
)
from tests.orgs.console import HTMX, html, logged_in
from workspaces import services as workspace_services
from workspaces.models import Flow, Scan, TeamAccess, Workspace, WorkspaceMembership

pytestmark = pytest.mark.django_db

LIST = "/orgs/acme/workspaces/"


def test_list_shows_every_workspace_with_member_counts_and_links(client, demo):
    response = logged_in(client, demo).get(LIST)
    rows = {ws.slug: ws for ws in response.context["page"]}
    assert sorted(rows) == ["events", "marketing", "sales"]
    assert (rows["marketing"].member_count, rows["sales"].team_count) == (5, 1)
    page = html(response)
    assert 'href="/orgs/acme/w/marketing/"' in page
    assert 'href="/orgs/acme/w/marketing/manage/"' in page
    assert "5 members" in page


def test_create_a_workspace(client, demo, acme):
    response = logged_in(client, demo).post(
        LIST, {"name": "Spring Launch", "slug": "", "description": "Q2 campaign"}
    )
    assert response.status_code == 302
    ws = Workspace.objects.get(org=acme, slug="spring-launch")
    assert (ws.name, ws.description) == ("Spring Launch", "Q2 campaign")


def test_create_with_a_chosen_slug(client, demo, acme):
    logged_in(client, demo).post(LIST, {"name": "Spring Launch", "slug": "spring"})
    assert Workspace.objects.filter(org=acme, slug="spring").exists()


def test_derived_slug_does_not_collide(client, demo, acme):
    logged_in(client, demo).post(LIST, {"name": "Marketing!"})
    assert Workspace.objects.filter(org=acme, slug="marketing-2", name="Marketing!").exists()


@pytest.mark.parametrize(
    "data,field,message",
    [
        ({"name": ""}, "name", "This field is required."),
        ({"name": "X", "slug": "marketing"}, "slug", "already has a workspace with the slug"),
        ({"name": "X", "slug": "no spaces!"}, "slug", "Enter a valid “slug”"),
        ({"name": "x" * 121}, "name", "at most 120 characters"),
    ],
)
def test_create_refuses_bad_input(client, demo, acme, data, field, message):
    response = logged_in(client, demo).post(LIST, data)
    assert response.status_code == 400  # refused: the form again
    assert message in " ".join(response.context["form"].errors[field])
    assert Workspace.objects.filter(org=acme).count() == 3


def test_slug_suggestion_while_typing_the_name(client, demo):
    response = logged_in(client, demo).get(
        LIST + "?suggest_slug=1&name=Marketing&slug=", headers=HTMX
    )
    page = html(response)
    assert page.lstrip().startswith('<div class="form-row" id="slug-row">')
    assert 'placeholder="marketing-2"' in page
    assert "Leave blank to use “marketing-2”" in page


def test_slug_suggestion_keeps_a_typed_slug(client, demo):
    response = logged_in(client, demo).get(
        LIST + "?suggest_slug=1&name=Spring&slug=my-own", headers=HTMX
    )
    assert 'value="my-own"' in html(response)


def test_empty_state(client, demo, acme):
    Workspace.objects.filter(org=acme).delete()
    assert "has no workspaces yet" in html(logged_in(client, demo).get(LIST))


def test_list_paginates(client, demo, acme):
    for n in range(50):
        WorkspaceFactory(org=acme, name=f"Zz {n:02}")
    response = logged_in(client, demo).get(LIST + "?page=2")
    assert len(response.context["page"]) == 3
    assert "Page 2 of 2" in html(response)


@pytest.fixture
def full_workspace(acme, no_seeded_content):
    ws = Workspace.objects.get(org=acme, slug="marketing")
    flow = FlowFactory(workspace=ws)
    ScanFactory.create_batch(3, flow=flow)
    AudienceContactFactory.create_batch(2, workspace=ws)
    AssetFactory(workspace=ws)
    IntegrationInstallationFactory(org=acme, workspace=ws, app="segment")
    DomainFactory(org=acme, workspace=ws)
    return ws


def test_delete_confirmation_states_what_is_lost(client, demo, full_workspace):
    response = logged_in(client, demo).get(f"/orgs/acme/workspaces/{full_workspace.pk}/delete/")
    page = html(response)
    assert "the access of 5 direct members and 0 teams" in page
    assert "1 flow with 3 recorded scans" in page
    assert "2 audience contacts" in page
    assert "1 asset" in page
    assert "1 workspace integration with their stored credentials" in page
    assert "1 domain the workspace added" in page
    assert "Type marketing to confirm" in page


@pytest.mark.parametrize("typed", ["", "Marketing", "sales"])
def test_delete_needs_the_slug_typed(client, demo, full_workspace, typed):
    response = logged_in(client, demo).post(
        f"/orgs/acme/workspaces/{full_workspace.pk}/delete/", {"confirm": typed}
    )
    assert response.status_code == 400  # refused: the form again
    assert response.context["form"].errors["confirm"]
    assert Workspace.objects.filter(pk=full_workspace.pk).exists()
    assert Flow.objects.filter(workspace=full_workspace).count() == 1


def test_delete_removes_the_workspace_and_its_content(
    client, demo, full_workspace, django_capture_on_commit_callbacks
):
    asset_file = full_workspace.assets.get().file
    storage, name = asset_file.storage, asset_file.name
    assert storage.exists(name)
    with django_capture_on_commit_callbacks(execute=True):
        response = logged_in(client, demo).post(
            f"/orgs/acme/workspaces/{full_workspace.pk}/delete/", {"confirm": "marketing"}
        )
    assert response.status_code == 302
    assert not Workspace.objects.filter(pk=full_workspace.pk).exists()
    assert not Scan.objects.exists()
    assert not WorkspaceMembership.objects.filter(workspace_id=full_workspace.pk).exists()
    assert not IntegrationInstallation.objects.filter(app="segment").exists()
    assert not Domain.objects.filter(workspace_id=full_workspace.pk).exists()
    assert not storage.exists(name)


def test_delete_keeps_other_workspaces(client, demo, acme, full_workspace):
    logged_in(client, demo).post(
        f"/orgs/acme/workspaces/{full_workspace.pk}/delete/", {"confirm": "marketing"}
    )
    assert sorted(Workspace.objects.filter(org=acme).values_list("slug", flat=True)) == [
        "events",
        "sales",
    ]
    assert TeamAccess.objects.filter(workspace__slug="sales").exists()


def test_workspace_delete_service_deletes_the_avatar_after_commit(
    acme, django_capture_on_commit_callbacks
):
    ws = WorkspaceFactory(org=acme)
    ws.avatar.save("a.png", ContentFile(b"png"))
    storage, name = ws.avatar.storage, ws.avatar.name
    with django_capture_on_commit_callbacks(execute=True):
        workspace_services.workspace_delete(actor=None, workspace=ws)
    assert not storage.exists(name)


def grow(org, n):
    for _ in range(n):
        ws = WorkspaceFactory(org=org)
        WorkspaceMembershipFactory.create_batch(2, workspace=ws)
        TeamAccessFactory(team__org=org, workspace=ws)


def test_list_query_count_does_not_grow(client, demo, acme, django_assert_max_num_queries):
    logged_in(client, demo)
    with django_assert_max_num_queries(8):
        client.get(LIST)
    grow(acme, 10)
    with django_assert_max_num_queries(8):
        client.get(LIST)


def test_delete_page_query_count_does_not_grow(
    client, demo, full_workspace, django_assert_max_num_queries
):
    logged_in(client, demo)
    url = f"/orgs/acme/workspaces/{full_workspace.pk}/delete/"
    budget = 9 + 6  # + the impact preview: six queries with SSO-covered domains
    with django_assert_max_num_queries(budget):
        client.get(url)
    for _ in range(5):
        FlowFactory(workspace=full_workspace)
        AssetFactory(workspace=full_workspace)
    with django_assert_max_num_queries(budget):
        client.get(url)


def test_delete_confirmation_speaks_in_the_singular(client, demo, acme):
    sales = Workspace.objects.get(org=acme, slug="sales")
    page = html(logged_in(client, demo).get(f"/orgs/acme/workspaces/{sales.pk}/delete/"))
    assert "the access of 0 direct members and 1 team (the people" in page
