"""Avatars of orgs, teams and workspaces: stored as square PNGs, served by the app to the
org's members (in production the media directory itself is not served), initials otherwise."""

import io

import pytest
from django.template import Context, Template
from django.test import RequestFactory
from PIL import Image

from orgs import services
from orgs.avatars import process_avatar, replace_avatar
from orgs.models import Team
from tests.factories import TeamFactory, WorkspaceFactory
from tests.orgs.console import image_file, logged_in
from workspaces.models import Workspace

pytestmark = pytest.mark.django_db


def with_avatar(obj):
    replace_avatar(obj, process_avatar(image_file()))
    obj.save()
    return obj


def avatar_url(obj, kind, org_slug="acme"):
    return f"/orgs/{org_slug}/avatars/{kind}/{obj.pk}/{obj.avatar.name.rsplit('/', 1)[1]}"


def render(obj, **extra):
    template = Template('{% include "components/avatar.html" with obj=obj size=size label=label %}')
    request = RequestFactory().get("/")
    request.org = extra.pop("org", None)
    return template.render(Context({"obj": obj, "request": request, **extra}))


def test_component_shows_initials_without_an_avatar(acme):
    team = TeamFactory(org=acme, name="Field Ops")
    assert render(team).strip() == '<span class="avatar" aria-hidden="true">FO</span>'


def test_component_labels_the_image_when_asked(acme):
    ws = with_avatar(Workspace.objects.get(org=acme, slug="sales"))
    out = render(ws, org=acme, size="lg", label=True)
    assert f'src="{avatar_url(ws, "workspace")}"' in out
    assert 'class="avatar lg"' in out
    assert 'alt="Sales"' in out


def test_component_finds_the_org_of_an_object_of_another_org(acme, globex):
    ws = with_avatar(Workspace.objects.get(org=globex, slug="main"))
    assert avatar_url(ws, "workspace", "globex") in render(ws, org=acme)


def test_org_avatar_is_served_to_any_member(client, demo, acme):
    with_avatar(acme)
    response = logged_in(client, demo, "viewer@acme.test").get(avatar_url(acme, "org"))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert "immutable" in response["Cache-Control"]
    image = Image.open(io.BytesIO(b"".join(response.streaming_content)))
    assert image.size == (256, 256)


def test_team_avatar_is_served_to_members(client, demo, acme):
    team = with_avatar(Team.objects.get(org=acme))
    assert (
        logged_in(client, demo, "outsider@acme.test").get(avatar_url(team, "team")).status_code
        == 200
    )


def test_workspace_avatar_only_for_those_who_see_the_workspace(client, demo, acme):
    marketing = with_avatar(Workspace.objects.get(org=acme, slug="marketing"))
    sales = with_avatar(Workspace.objects.get(org=acme, slug="sales"))
    logged_in(client, demo, "viewer@acme.test")
    assert client.get(avatar_url(marketing, "workspace")).status_code == 200
    assert client.get(avatar_url(sales, "workspace")).status_code == 404


def test_avatars_are_not_found_for_other_orgs(client, demo, acme):
    with_avatar(acme)
    logged_in(client, demo, "admin@globex.test")
    assert client.get(avatar_url(acme, "org")).status_code == 404
    assert client.get(avatar_url(acme, "org").replace("/acme/", "/globex/")).status_code == 404


def test_avatar_of_an_object_of_another_org_is_not_found(client, demo, globex):
    team = with_avatar(TeamFactory(org=globex))
    response = logged_in(client, demo).get(avatar_url(team, "team"))
    assert response.status_code == 404


def test_avatar_for_anonymous_redirects_to_login(client, demo, acme):
    with_avatar(acme)
    assert client.get(avatar_url(acme, "org")).status_code == 302


@pytest.mark.parametrize("change", ["filename", "kind", "none", "missing_file"])
def test_wrong_or_missing_avatar_is_not_found(client, demo, acme, change):
    team = with_avatar(Team.objects.get(org=acme))
    url = avatar_url(team, "team")
    if change == "filename":
        url = url.rsplit("/", 1)[0] + "/old.png"
    elif change == "kind":
        url = url.replace("/team/", "/user/")
    elif change == "none":
        Team.objects.filter(pk=team.pk).update(avatar="")
    else:
        team.avatar.storage.delete(team.avatar.name)
    assert logged_in(client, demo).get(url).status_code == 404


def test_a_new_avatar_gets_a_new_name_and_the_old_file_goes_after_commit(
    acme, django_capture_on_commit_callbacks
):
    with_avatar(acme)
    storage, first = acme.avatar.storage, acme.avatar.name
    with django_capture_on_commit_callbacks(execute=True):
        services.org_update(actor=None, org=acme, avatar=process_avatar(image_file()))
    assert acme.avatar.name != first
    assert storage.exists(acme.avatar.name)
    assert not storage.exists(first)


def test_team_delete_removes_its_avatar_after_commit(acme, django_capture_on_commit_callbacks):
    team = with_avatar(TeamFactory(org=acme))
    storage, name = team.avatar.storage, team.avatar.name
    with django_capture_on_commit_callbacks(execute=True):
        services.team_delete(actor=None, team=team)
    assert not storage.exists(name)


def test_avatar_served_with_production_settings(client, demo, acme, settings):
    """No media URL routing in production: the view serves the file itself."""
    settings.DEBUG = False
    with_avatar(acme)
    assert logged_in(client, demo).get(avatar_url(acme, "org")).status_code == 200


def test_workspace_list_uses_the_component(client, demo, acme):
    ws = WorkspaceFactory(org=acme, name="Pop Up", slug="pop-up")
    page = logged_in(client, demo).get("/orgs/acme/workspaces/").content.decode()
    assert '<span class="avatar" aria-hidden="true">PU</span>' in page
    with_avatar(ws)
    page = client.get("/orgs/acme/workspaces/").content.decode()
    assert f'src="{avatar_url(ws, "workspace")}"' in page
