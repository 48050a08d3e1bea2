import pytest

from orgs.errors import ServiceError
from tests.factories import FlowTemplateFactory
from workspaces.models import FlowTemplate
from workspaces.services import content as content_services

from .conftest import ws_path

pytestmark = pytest.mark.django_db


@pytest.fixture
def flows_client(client, demo):
    client.force_login(demo["flows@acme.test"])
    return client


def test_create_redirects_to_the_new_template(flows_client, marketing):
    response = flows_client.post(
        ws_path(marketing, "templates/new/"),
        {"name": " Webinar ", "default_destination": "https://example.com/webinar"},
    )
    template = FlowTemplate.objects.get(workspace=marketing, name="Webinar")
    assert response["Location"] == ws_path(marketing, f"templates/{template.pk}/")
    assert template.default_destination == "https://example.com/webinar"


@pytest.mark.parametrize(
    "destination", ["javascript:alert(1)", "ftp://example.com/file", "not a url"]
)
def test_create_refuses_a_destination_that_is_not_http(flows_client, marketing, destination):
    response = flows_client.post(
        ws_path(marketing, "templates/new/"), {"name": "Bad", "default_destination": destination}
    )
    assert response.status_code == 400  # refused: the form again
    assert "default_destination" in response.context["form"].errors
    assert not FlowTemplate.objects.filter(name="Bad").exists()


def test_create_needs_a_name(flows_client, marketing):
    response = flows_client.post(ws_path(marketing, "templates/new/"), {"name": ""})
    assert "This field is required." in response.content.decode()


def test_edit_changes_the_template(flows_client, content):
    flows_client.post(
        ws_path(content.workspace, f"templates/{content.template.pk}/edit/"),
        {"name": "Renamed", "default_destination": "", "description": "For fairs"},
    )
    content.template.refresh_from_db()
    assert (content.template.name, content.template.description) == ("Renamed", "For fairs")


def test_edit_form_is_filled_with_the_template(flows_client, content):
    response = flows_client.get(
        ws_path(content.workspace, f"templates/{content.template.pk}/edit/")
    )
    assert f'value="{content.template.name}"' in response.content.decode()


def test_delete_asks_for_confirmation(flows_client, content):
    response = flows_client.get(
        ws_path(content.workspace, f"templates/{content.template.pk}/delete/")
    )
    assert "Delete this flow template?" in response.content.decode()
    assert FlowTemplate.objects.filter(pk=content.template.pk).exists()


def test_delete_removes_the_template(flows_client, content):
    response = flows_client.post(
        ws_path(content.workspace, f"templates/{content.template.pk}/delete/")
    )
    assert response["Location"] == ws_path(content.workspace, "templates/")
    assert not FlowTemplate.objects.filter(pk=content.template.pk).exists()


def test_list_shows_an_empty_state(flows_client, marketing):
    FlowTemplate.objects.filter(workspace=marketing).delete()
    response = flows_client.get(ws_path(marketing, "templates/"))
    assert "No flow templates in Marketing yet." in response.content.decode()


def test_list_paginates(flows_client, marketing):
    FlowTemplate.objects.filter(workspace=marketing).delete()
    FlowTemplateFactory.create_batch(30, workspace=marketing)
    response = flows_client.get(ws_path(marketing, "templates/"), {"page": 2})
    assert len(response.context["page"].object_list) == 5
    assert "Page 2 of 2" in response.content.decode()


def test_list_page_for_htmx_is_the_results_partial(flows_client, content):
    response = flows_client.get(
        ws_path(content.workspace, "templates/"), headers={"HX-Request": "true"}
    )
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="results"')
    assert content.template.name in html


def test_service_refuses_an_empty_name(marketing):
    with pytest.raises(ServiceError):
        content_services.flow_template_create(actor=None, workspace=marketing, name="  ")
