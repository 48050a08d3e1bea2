"""The command palette's choices (orgs.palette, GET /jump/): the policy decides what is offered —
never a page that would answer 403 or 404 — in a constant number of queries."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from orgs import palette
from tests.factories import (
    OrgMembershipFactory,
    TeamFactory,
    WorkspaceFactory,
    WorkspaceMembershipFactory,
)

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}


def urls(user, q=""):
    return {choice.url for choice in palette.choices(user, q)}


def test_an_org_admin_is_offered_the_console_pages(demo):
    offered = urls(demo["admin@acme.test"])
    for path in ["/orgs/acme/", "/orgs/acme/users/", "/orgs/acme/activity/", "/orgs/acme/teams/"]:
        assert path in offered
    assert not any(url.startswith("/orgs/globex/") for url in offered)


def test_a_viewer_is_offered_only_their_workspace(demo):
    choices = palette.choices(demo["viewer@acme.test"])
    assert [(c.label, c.kind, c.url) for c in choices] == [
        ("Marketing", "Workspace", "/orgs/acme/w/marketing/")
    ]
    assert palette.choices(demo["viewer@acme.test"], "members") == []
    assert palette.choices(demo["viewer@acme.test"], "vera") == []  # no member profiles


def test_a_workspace_admin_gets_the_manage_page_of_their_workspace_only(demo):
    offered = urls(demo["wsadmin@acme.test"])
    assert "/orgs/acme/w/marketing/manage/members/" in offered
    assert not any("/w/sales/" in url or url == "/orgs/acme/" for url in offered)


def test_a_team_members_workspace_comes_through_the_team(demo):
    assert urls(demo["teamuser@acme.test"]) == {"/orgs/acme/w/sales/"}


def test_typing_finds_members_and_teams_for_an_org_admin(demo):
    found = palette.choices(demo["admin@acme.test"], "vera")
    assert [(c.label, c.kind) for c in found] == [("Vera Viewer", "Member")]
    assert found[0].url == f"/orgs/acme/users/{demo['viewer@acme.test'].pk}/"
    assert [c.label for c in palette.choices(demo["admin@acme.test"], "field")] == ["Field Sales"]
    assert [c.label for c in palette.choices(demo["admin@acme.test"], "ACTIV")] == ["Activity"]


def test_the_page_without_javascript_lists_links(client, demo):
    client.force_login(demo["viewer@acme.test"])
    html = client.get("/jump/", {"q": "mark"}).content.decode()
    assert '<a href="/orgs/acme/w/marketing/">Marketing</a>' in html
    assert "<html" in html


def test_the_palette_gets_only_the_options(client, demo):
    client.force_login(demo["admin@acme.test"])
    html = client.get("/jump/", {"q": "vera"}, headers=HTMX).content.decode()
    assert html.startswith('<li role="option" id="palette-option-1"')
    assert "<html" not in html


def test_anonymous_is_sent_to_log_in(client):
    response = client.get("/jump/")
    assert response.status_code == 302 and "/accounts/login/" in response.url


def test_the_query_count_does_not_grow_with_the_org(client, demo, acme):
    admin = demo["admin@acme.test"]
    client.force_login(admin)

    def queries(q):
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/jump/", {"q": q}, headers=HTMX).status_code == 200
        return len(captured)

    queries("a")  # the first request of a session costs more (session, caches)
    small = queries(""), queries("a")
    for n in range(30):
        ws = WorkspaceFactory(org=acme, name=f"Area {n:02}")
        team = TeamFactory(org=acme, name=f"Area team {n:02}")
        member = OrgMembershipFactory(org=acme).user
        WorkspaceMembershipFactory(workspace=ws, user=member)
        team.members.add(member)
    assert (queries(""), queries("a")) == small
    assert len(palette.choices(admin, "area")) <= 4 * palette.LIMIT
