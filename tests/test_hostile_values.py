"""Values from the database and the request that reach HTML written in Python (the users page,
the activity page, a member's profile, Manage → Members) are escaped once, in text and in
attributes: names, emails, search terms echoed back."""

import re

import pytest

from orgs.models import Team, User
from workspaces.models import Workspace

# Breaks out of an attribute ("> or '), opens a tag, and has an & to be escaped once.
HOSTILE = "R&D \"><script>alert(1)</script>' onmouseover='x"


def _unsafe(html: str) -> list[str]:
    """What of HOSTILE got through unescaped, or was escaped twice."""
    found = []
    if "<script>alert(1)" in html:
        found.append("<script>")
    if "' onmouseover='" in html or '" onmouseover=' in html:
        found.append("onmouseover")
    if re.search(r'"><script', html):
        found.append('">')
    if "&amp;amp;" in html or "&amp;lt;" in html or "&amp;quot;" in html or "&amp;#x27;" in html:
        found.append("escaped twice")
    return found


@pytest.fixture
def hostile(client, demo, acme):
    """acme's "sales" workspace, a team and a member named HOSTILE, the admin signed in."""
    Workspace.objects.filter(org=acme, slug="sales").update(name=f"Sales {HOSTILE}")
    Team.objects.filter(org=acme).update(name=f"Team {HOSTILE}")
    member = demo["viewer@acme.test"]
    member.full_name = f"Vi {HOSTILE}"
    member.save()
    client.force_login(demo["admin@acme.test"])
    return member


ESCAPED = "R&amp;D &quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;&#x27; onmouseover=&#x27;x"


def _get(client, url, **params):
    response = client.get(url, params)
    assert response.status_code == 200, (url, response.status_code)
    html = response.content.decode()
    assert ESCAPED in html  # the value reached the page
    return html


@pytest.mark.parametrize(
    "params",
    [{}, {"q": HOSTILE}, {"q": "Vi"}, {"sort": HOSTILE}, {"two_factor": HOSTILE}],
    ids=["plain", "search-hostile", "search-found", "sort", "two-factor"],
)
def test_users_page_escapes_names_and_search(client, hostile, params):
    html = _get(client, "/orgs/acme/users/", **params)
    assert _unsafe(html) == []


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"email": HOSTILE},
        {"workspace": HOSTILE},
        {"workspace": "Sales"},
        {"id": HOSTILE[:60]},
        {"action": HOSTILE},
        {"email": "viewer", "entity": "workspace"},
    ],
    ids=["plain", "email", "workspace", "workspace-found", "id", "action", "chips"],
)
def test_activity_page_escapes_filters_and_chips(client, hostile, params):
    html = _get(client, "/orgs/acme/activity/", **params)
    assert _unsafe(html) == []


@pytest.mark.parametrize("find", ["", "Sales", HOSTILE])
def test_profile_escapes_names_and_find(client, hostile, find):
    html = _get(client, f"/orgs/acme/users/{hostile.pk}/", find=find)
    assert _unsafe(html) == []


@pytest.mark.parametrize("q", ["", "Vi", HOSTILE])
def test_manage_members_escapes_names_and_search(client, hostile, q):
    html = _get(client, "/orgs/acme/w/sales/manage/members/", q=q)
    assert _unsafe(html) == []
    html = _get(client, "/orgs/acme/w/sales/manage/members/add/", q=q)
    assert _unsafe(html) == []


HTMX = {"HTTP_HX_REQUEST": "true"}


def test_users_page_htmx_rows_escape(client, hostile):
    response = client.get("/orgs/acme/users/", {"q": "Vi"}, **HTMX)
    html = response.content.decode()
    assert ESCAPED in html
    assert _unsafe(html) == []


@pytest.mark.parametrize("part", ["workspaces", "found_rows"])
def test_profile_parts_escape(client, hostile, part):
    response = client.get(
        f"/orgs/acme/users/{hostile.pk}/", {"part": part, "find": "Sales"}, **HTMX
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert _unsafe(html) == []


@pytest.mark.parametrize("headers", [{}, HTMX], ids=["plain", "htmx"])
def test_profile_refused_save_echoes_values_escaped(client, hostile, acme, headers):
    sales = Workspace.objects.get(org=acme, slug="sales")
    response = client.post(
        f"/orgs/acme/users/{hostile.pk}/workspaces/{sales.pk}/",
        {"role": HOSTILE, "until": HOSTILE, "flows_manager": HOSTILE},
        **headers,
    )
    html = response.content.decode()
    assert ESCAPED in html
    assert _unsafe(html) == []


def test_manage_member_add_refused_echoes_values_escaped(client, hostile, acme):
    outsider = User.objects.create(email="nobody@acme.test")
    for user in (hostile, outsider):
        response = client.post(
            "/orgs/acme/w/sales/manage/members/add/",
            {"user": user.pk, "role": HOSTILE, "until": HOSTILE},
        )
        html = response.content.decode()
        assert response.status_code in (400, 404)
        assert _unsafe(html) == []
    response = client.post(
        "/orgs/acme/w/sales/manage/members/add/", {"user": HOSTILE, "role": "viewer"}
    )
    assert _unsafe(response.content.decode()) == []


def test_team_pages_escape_names(client, hostile, acme):
    team = Team.objects.filter(org=acme).order_by("pk").first()
    html = _get(client, f"/orgs/acme/teams/{team.pk}/")
    assert _unsafe(html) == []
    html = _get(client, "/orgs/acme/w/sales/manage/teams/")
    assert _unsafe(html) == []


def test_manage_member_add_service_error_escaped_once(client, hostile, acme):
    from tests.factories import WorkspaceMembershipFactory
    from workspaces.models import WorkspaceMembership

    sales = Workspace.objects.get(org=acme, slug="sales")
    if not WorkspaceMembership.objects.filter(workspace=sales, user=hostile).exists():
        WorkspaceMembershipFactory(workspace=sales, user=hostile, role="viewer")
    response = client.post(
        "/orgs/acme/w/sales/manage/members/add/", {"user": hostile.pk, "role": "viewer"}
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert "already a member of Sales " + ESCAPED in html
    assert _unsafe(html) == []
