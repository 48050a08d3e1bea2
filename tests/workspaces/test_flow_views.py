import pytest

from tests.factories import FlowFactory, FlowTemplateFactory, ScanFactory
from workspaces.models import Flow

pytestmark = pytest.mark.django_db

BASE = "/orgs/acme/w/marketing/"
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def editor(client, demo):
    client.force_login(demo["editor@acme.test"])
    return client


@pytest.fixture
def viewer(client, demo):
    client.force_login(demo["viewer@acme.test"])
    return client


# --- list ----------------------------------------------------------------------------------


def test_list_shows_flows_with_short_links_and_scan_counts(editor, marketing):
    flow = FlowFactory(workspace=marketing, name="Bus stop ad", short_code="busstop1")
    ScanFactory.create_batch(3, flow=flow)
    html = editor.get(BASE + "flows/").content.decode()
    assert "Bus stop ad" in html
    assert "https://flow.test/s/busstop1" in html
    assert '<td class="num">3</td>' in html


def test_list_search_by_name(editor, marketing):
    FlowFactory(workspace=marketing, name="Bus stop ad")
    html = editor.get(BASE + "flows/", {"q": "bus stop"}).content.decode()
    assert "Bus stop ad" in html
    assert "Spring menu" not in html


def test_list_search_by_short_code(editor, marketing):
    FlowFactory(workspace=marketing, name="Bus stop ad", short_code="busstop1")
    html = editor.get(BASE + "flows/", {"q": "busstop1"}).content.decode()
    assert "Bus stop ad" in html
    assert "Spring menu" not in html


def test_list_status_filter(editor):
    html = editor.get(BASE + "flows/", {"status": "paused"}).content.decode()
    assert "Winter sale (ended)" in html
    assert "Spring menu" not in html


def test_list_ignores_an_unknown_status(editor):
    response = editor.get(BASE + "flows/", {"status": "nonsense"})
    assert response.status_code == 200
    assert "Spring menu" in response.content.decode()


def test_list_empty_state_for_filters(editor):
    html = editor.get(BASE + "flows/", {"q": "no such flow anywhere"}).content.decode()
    assert "No flows match these filters." in html


def test_list_empty_state_for_a_workspace_without_flows(editor, marketing):
    Flow.objects.filter(workspace=marketing).delete()
    html = editor.get(BASE + "flows/").content.decode()
    assert "has no flows yet" in html
    assert "Create the first flow" in html


def test_list_paginates(editor, marketing):
    FlowFactory.create_batch(30, workspace=marketing)
    first = editor.get(BASE + "flows/").content.decode()
    second = editor.get(BASE + "flows/", {"page": 2}).content.decode()
    assert "Page 1 of 2" in first
    assert "Page 2 of 2" in second
    assert "Spring menu" in second  # the oldest flows are on the last page


def test_list_pagination_keeps_the_filters(editor, marketing):
    FlowFactory.create_batch(30, workspace=marketing, name="Poster")
    html = editor.get(BASE + "flows/", {"q": "poster"}).content.decode()
    assert "?q=poster&amp;page=2" in html


def test_list_htmx_renders_only_the_results(editor):
    response = editor.get(BASE + "flows/", {"q": "spring"}, **HTMX)
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="flow-results"')
    assert "<nav" not in html.split('id="flow-results"')[0]
    assert "Spring menu" in html


def test_list_htmx_history_restore_gets_the_whole_page(editor):
    response = editor.get(
        BASE + "flows/", HTTP_HX_REQUEST="true", HTTP_HX_HISTORY_RESTORE_REQUEST="true"
    )
    assert "<html" in response.content.decode()


@pytest.mark.parametrize("flows", [2, 40])
def test_list_query_count_is_constant(editor, marketing, django_assert_max_num_queries, flows):
    for flow in FlowFactory.create_batch(flows, workspace=marketing):
        ScanFactory.create_batch(2, flow=flow)
    with django_assert_max_num_queries(8):
        response = editor.get(BASE + "flows/")
    assert response.status_code == 200


# --- buttons follow permissions ------------------------------------------------------------


def test_editor_sees_create_and_edit_controls(editor, marketing_flow):
    list_html = editor.get(BASE + "flows/").content.decode()
    detail_html = editor.get(BASE + f"flows/{marketing_flow.pk}/").content.decode()
    assert "New flow" in list_html
    assert f"flows/{marketing_flow.pk}/edit/" in list_html
    assert f"flows/{marketing_flow.pk}/delete/" in detail_html


def test_viewer_sees_downloads_but_no_edit_controls(viewer, marketing_flow):
    list_html = viewer.get(BASE + "flows/").content.decode()
    detail_html = viewer.get(BASE + f"flows/{marketing_flow.pk}/").content.decode()
    for html in (list_html, detail_html):
        assert "New flow" not in html
        assert "/edit/" not in html
        assert "/delete/" not in html
        assert "qr.png?download=1" in html
    assert "Flows Manager" in list_html  # says which flag would allow more


# --- create --------------------------------------------------------------------------------


def test_create_form_renders(editor):
    html = editor.get(BASE + "flows/new/").content.decode()
    assert 'name="destination_url"' in html


def test_create_makes_a_flow_and_shows_it(editor, demo, marketing):
    response = editor.post(
        BASE + "flows/new/",
        {"name": "Bus stop ad", "destination_url": "https://example.com/bus", "status": "active"},
        follow=True,
    )
    flow = Flow.objects.get(workspace=marketing, name="Bus stop ad")
    assert flow.created_by == demo["editor@acme.test"]
    assert flow.short_link in response.content.decode()


def test_create_assumes_https_for_a_bare_domain(editor, marketing):
    editor.post(
        BASE + "flows/new/",
        {"name": "Bare", "destination_url": "example.com/x", "status": "active"},
    )
    assert (
        Flow.objects.get(workspace=marketing, name="Bare").destination_url
        == "https://example.com/x"
    )


@pytest.mark.parametrize(
    "url", ["javascript:alert(1)", "ftp://example.com/f", "data:text/html,x", "http://"]
)
def test_create_refuses_a_non_http_destination_in_place(editor, marketing, url):
    before = Flow.objects.count()
    response = editor.post(
        BASE + "flows/new/", {"name": "Bad", "destination_url": url, "status": "active"}
    )
    assert response.status_code == 400  # refused: the form again
    assert "http://" in response.context["form"].errors["destination_url"][0]
    assert Flow.objects.count() == before


def test_create_refuses_a_missing_name(editor):
    response = editor.post(
        BASE + "flows/new/",
        {"name": "", "destination_url": "https://example.com/", "status": "active"},
    )
    assert "name" in response.context["form"].errors


def test_create_shows_a_service_refusal_on_the_form(editor, monkeypatch):
    from orgs.errors import ServiceError
    from workspaces import services

    def refuse(**kwargs):
        raise ServiceError("Could not find a free short code; please try again.")

    monkeypatch.setattr(services, "flow_create", refuse)
    response = editor.post(
        BASE + "flows/new/",
        {"name": "X", "destination_url": "https://example.com/", "status": "active"},
    )
    assert response.status_code == 400  # refused: the form again
    assert "free short code" in response.content.decode()


def test_create_prefills_from_a_flow_template(editor, marketing):
    template = FlowTemplateFactory(
        workspace=marketing, name="Event check-in", default_destination="https://example.com/in"
    )
    form = editor.get(BASE + "flows/new/", {"template": template.pk}).context["form"]
    assert form.initial == {"name": "Event check-in", "destination_url": "https://example.com/in"}


def test_create_ignores_another_workspaces_template(editor, globex):
    template = FlowTemplateFactory(workspace=globex.workspaces.get(), name="Secret")
    form = editor.get(BASE + "flows/new/", {"template": template.pk}).context["form"]
    assert form.initial == {}


def test_create_ignores_a_malformed_template_id(editor):
    assert editor.get(BASE + "flows/new/", {"template": "1 OR 1"}).status_code == 200


# --- detail, edit, delete ------------------------------------------------------------------


def test_detail_shows_short_link_qr_and_scans(editor, marketing_flow):
    ScanFactory.create_batch(4, flow=marketing_flow)
    response = editor.get(BASE + f"flows/{marketing_flow.pk}/")
    html = response.content.decode()
    assert marketing_flow.short_link in html
    assert f"flows/{marketing_flow.pk}/qr.svg" in html
    assert response.context["analytics"].daily[-1][1] >= 4
    assert "Scans per day as a table" in html


def test_detail_uses_the_whitelabel_domain(editor, marketing, marketing_flow):
    from tests.factories import DomainFactory

    marketing.whitelabel_domain = DomainFactory(
        org=marketing.org, hostname="go.acme.com", verified=True
    )
    marketing.save()
    html = editor.get(BASE + f"flows/{marketing_flow.pk}/").content.decode()
    assert f"https://go.acme.com/s/{marketing_flow.short_code}" in html


def test_detail_period_htmx_renders_the_scans_part(editor, marketing_flow):
    response = editor.get(BASE + f"flows/{marketing_flow.pk}/", {"days": 7}, **HTMX)
    html = response.content.decode()
    assert html.lstrip().startswith('<section class="card" id="flow-scans"')
    assert response.context["analytics"].period.days == 7


@pytest.mark.parametrize("scans", [1, 60])
def test_detail_query_count_is_constant(
    editor, marketing_flow, django_assert_max_num_queries, scans
):
    ScanFactory.create_batch(scans, flow=marketing_flow)
    with django_assert_max_num_queries(9):
        editor.get(BASE + f"flows/{marketing_flow.pk}/")


def test_edit_form_is_prefilled(editor, marketing_flow):
    form = editor.get(BASE + f"flows/{marketing_flow.pk}/edit/").context["form"]
    assert form.initial["name"] == marketing_flow.name


def test_edit_shows_errors_in_place_and_changes_nothing(editor, marketing_flow):
    response = editor.post(
        BASE + f"flows/{marketing_flow.pk}/edit/",
        {"name": "New name", "destination_url": "mailto:a@b.c", "status": "active"},
    )
    assert response.status_code == 400  # refused: the form again
    assert response.context["form"].errors["destination_url"]
    marketing_flow.refresh_from_db()
    assert marketing_flow.name != "New name"


def test_edit_shows_a_service_refusal_on_the_form(editor, marketing_flow, monkeypatch):
    from orgs.errors import ServiceError
    from workspaces import services

    def refuse(**kwargs):
        raise ServiceError("Refused for a reason.")

    monkeypatch.setattr(services, "flow_update", refuse)
    response = editor.post(
        BASE + f"flows/{marketing_flow.pk}/edit/",
        {"name": "New", "destination_url": "https://example.com/", "status": "active"},
    )
    assert "Refused for a reason." in response.content.decode()


def test_delete_asks_for_confirmation(editor, marketing_flow):
    html = editor.get(BASE + f"flows/{marketing_flow.pk}/delete/").content.decode()
    assert "cannot be undone" in html
    assert f"{marketing_flow.scans.count()} recorded scans" in html
    assert Flow.objects.filter(pk=marketing_flow.pk).exists()


def test_delete_then_the_short_link_is_404(editor, client, marketing_flow):
    editor.post(BASE + f"flows/{marketing_flow.pk}/delete/")
    editor.logout()
    assert client.get(f"/s/{marketing_flow.short_code}").status_code == 404


def test_unknown_flow_id_is_404(editor):
    assert editor.get(BASE + "flows/999999/").status_code == 404
