"""Every flow and analytics URL and POST of issue 6 × every demo user, answered as SPEC §3.3;
refused POSTs change nothing; ids of another workspace or org are 404."""

import pytest

from workspaces.models import Flow

pytestmark = pytest.mark.django_db

BASE = "/orgs/acme/w/marketing/"

WRITERS = ["admin@acme.test", "wsadmin@acme.test", "editor@acme.test", "flows@acme.test"]
READERS = ["viewer@acme.test", "audience@acme.test"]
HIDDEN = ["teamuser@acme.test", "outsider@acme.test", "admin@globex.test", "ops@flowadmin.test"]
EVERYONE = [*WRITERS, *READERS, *HIDDEN, None]  # None = anonymous

READ_PAGES = ["flows/", "flows/{id}/", "flows/{id}/qr.svg", "flows/{id}/qr.png", "analytics/"]
WRITE_PAGES = ["flows/new/", "flows/{id}/edit/", "flows/{id}/delete/"]


def expected_status(email, *, write):
    if email is None:
        return 302
    if email in HIDDEN:
        return 404
    if write and email in READERS:
        return 403
    return 200


def client_for(client, demo, email):
    if email:
        client.force_login(demo[email])
    return client


@pytest.mark.parametrize("email", EVERYONE)
@pytest.mark.parametrize("page", READ_PAGES)
def test_read_pages(client, demo, marketing_flow, email, page):
    path = BASE + page.format(id=marketing_flow.pk)
    response = client_for(client, demo, email).get(path)
    assert response.status_code == expected_status(email, write=False)
    if email is None:
        assert response["Location"] == f"/accounts/login/?next={path}"


@pytest.mark.parametrize("email", EVERYONE)
@pytest.mark.parametrize("page", WRITE_PAGES)
def test_write_pages(client, demo, marketing_flow, email, page):
    path = BASE + page.format(id=marketing_flow.pk)
    response = client_for(client, demo, email).get(path)
    assert response.status_code == expected_status(email, write=True)


@pytest.mark.parametrize("email", EVERYONE)
def test_workspace_root_shows_the_flows(client, demo, email):
    response = client_for(client, demo, email).get(BASE)
    status = expected_status(email, write=False)
    if status == 200:
        assert response.status_code == 302
        assert response["Location"] == BASE + "flows/"
    else:
        assert response.status_code == status


def test_403_names_the_flag_that_would_allow_it(client, demo):
    client.force_login(demo["viewer@acme.test"])
    response = client.get(BASE + "flows/new/")
    assert response.status_code == 403
    assert "Flows Manager" in response.content.decode()


# --- POSTs ---------------------------------------------------------------------------------


def flow_state(flow):
    flow.refresh_from_db()
    return (flow.name, flow.destination_url, flow.status)


@pytest.mark.parametrize("email", EVERYONE)
def test_post_create(client, demo, marketing, email):
    before = Flow.objects.filter(workspace=marketing).count()
    response = client_for(client, demo, email).post(
        BASE + "flows/new/",
        {"name": "Matrix flow", "destination_url": "https://example.com/m", "status": "active"},
    )
    created = Flow.objects.filter(workspace=marketing, name="Matrix flow")
    if email in WRITERS:
        assert response.status_code == 302
        assert response["Location"] == BASE + f"flows/{created.get().pk}/"
    else:
        assert response.status_code == expected_status(email, write=True)
        assert Flow.objects.filter(workspace=marketing).count() == before


@pytest.mark.parametrize("email", EVERYONE)
def test_post_edit(client, demo, marketing_flow, email):
    before = flow_state(marketing_flow)
    response = client_for(client, demo, email).post(
        BASE + f"flows/{marketing_flow.pk}/edit/",
        {"name": "Renamed", "destination_url": "https://example.com/new", "status": "paused"},
    )
    if email in WRITERS:
        assert response.status_code == 302
        assert flow_state(marketing_flow) == ("Renamed", "https://example.com/new", "paused")
    else:
        assert response.status_code == expected_status(email, write=True)
        assert flow_state(marketing_flow) == before


@pytest.mark.parametrize("email", EVERYONE)
def test_post_delete(client, demo, marketing_flow, email):
    response = client_for(client, demo, email).post(BASE + f"flows/{marketing_flow.pk}/delete/")
    exists = Flow.objects.filter(pk=marketing_flow.pk).exists()
    if email in WRITERS:
        assert response.status_code == 302
        assert response["Location"] == BASE + "flows/"
        assert not exists
    else:
        assert response.status_code == expected_status(email, write=True)
        assert exists


# --- other workspaces' and orgs' ids --------------------------------------------------------

ID_PAGES = [*READ_PAGES[1:4], *WRITE_PAGES[1:]]


@pytest.mark.parametrize("other", ["sales_flow", "globex_flow"])
@pytest.mark.parametrize("page", ID_PAGES)
def test_flow_of_another_workspace_or_org_is_404(client, demo, request, other, page):
    flow = request.getfixturevalue(other)
    client.force_login(demo["admin@acme.test"])
    response = client.get(BASE + page.format(id=flow.pk))
    assert response.status_code == 404


@pytest.mark.parametrize("other", ["sales_flow", "globex_flow"])
def test_edit_post_on_another_workspaces_flow_is_404_and_changes_nothing(
    client, demo, request, other
):
    flow = request.getfixturevalue(other)
    before = flow_state(flow)
    client.force_login(demo["admin@acme.test"])
    response = client.post(
        BASE + f"flows/{flow.pk}/edit/",
        {"name": "Hijacked", "destination_url": "https://evil.example/", "status": "active"},
    )
    assert response.status_code == 404
    assert flow_state(flow) == before


@pytest.mark.parametrize("other", ["sales_flow", "globex_flow"])
def test_delete_post_on_another_workspaces_flow_is_404_and_changes_nothing(
    client, demo, request, other
):
    flow = request.getfixturevalue(other)
    client.force_login(demo["admin@acme.test"])
    response = client.post(BASE + f"flows/{flow.pk}/delete/")
    assert response.status_code == 404
    assert Flow.objects.filter(pk=flow.pk).exists()


def test_acme_flow_id_under_globex_is_404_for_globex_admin(client, demo, marketing_flow):
    client.force_login(demo["admin@globex.test"])
    response = client.get(f"/orgs/globex/w/main/flows/{marketing_flow.pk}/qr.png")
    assert response.status_code == 404


def test_teamuser_reads_and_writes_sales_through_the_team(client, demo, sales_flow):
    client.force_login(demo["teamuser@acme.test"])
    assert client.get(f"/orgs/acme/w/sales/flows/{sales_flow.pk}/").status_code == 200
    assert client.get("/orgs/acme/w/sales/flows/new/").status_code == 200


# --- methods -------------------------------------------------------------------------------


@pytest.mark.parametrize("page", READ_PAGES)
def test_read_pages_refuse_post(client, demo, marketing_flow, page):
    client.force_login(demo["admin@acme.test"])
    response = client.post(BASE + page.format(id=marketing_flow.pk))
    assert response.status_code == 405


@pytest.mark.parametrize("page", WRITE_PAGES)
def test_write_pages_refuse_put(client, demo, marketing_flow, page):
    client.force_login(demo["admin@acme.test"])
    response = client.put(BASE + page.format(id=marketing_flow.pk))
    assert response.status_code == 405
