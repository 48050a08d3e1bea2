"""The invitation form at any size: its initial workspace roles show the workspaces given a
role (or an end) so far and at most FIND_LIMIT others found by name — a server-side search
(a POST with action=find, so it works without JavaScript; htmx swaps only the workspace rows)
that keeps everything typed. Never a role select per workspace of the org, and the same
queries at 10 and 500 workspaces. Only this org's workspaces are accepted."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from orgs import expiry
from orgs.models import Invitation
from tests.orgs.console import HTMX, grow_workspaces, measure
from workspaces.models import Workspace

pytestmark = pytest.mark.django_db

URL = "/orgs/acme/users/invite/"


@pytest.fixture
def admin(client, demo):
    client.force_login(demo["admin@acme.test"])
    return client


def form(**fields):
    return {"email": "new@hire.test", "role": "user", **fields}


def rows(response) -> dict[str, str]:
    """The workspace role selects: {workspace name: the role selected ("" for No access)}."""
    html = response.content.decode()
    found = {}
    for pk, options in re.findall(r'<select name="ws_(\d+)"[^>]*>(.*?)</select>', html, re.S):
        selected = re.search(r'<option value="([^"]*)" selected>', options)
        name = Workspace.objects.get(pk=pk).name
        found[name] = selected[1] if selected else ""
    return found


def ws(acme, slug):
    return Workspace.objects.get(org=acme, slug=slug)


def test_find_keeps_the_email_role_and_workspace_roles_and_invites_nobody(admin, acme):
    marketing = ws(acme, "marketing")
    day = (timezone.localdate() + timedelta(days=9)).isoformat()
    data = form(
        role="admin",
        until=day,
        find="sal",
        action="find",
        **{f"ws_{marketing.pk}": "editor", f"ws_{marketing.pk}_until": day},
    )
    response = admin.post(URL, data)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'value="new@hire.test"' in html
    assert '<option value="admin" selected>' in html
    assert f'name="until" value="{day}"' in html
    assert f'name="ws_{marketing.pk}_until" value="{day}"' in html
    assert 'id="ws-find" name="find" value="sal"' in html
    assert rows(response) == {"Marketing": "editor", "Sales": ""}  # given a role, then found
    assert "1 other workspace matches “sal”; 1 given a role." in html
    assert "errorlist" not in html  # a search judges nothing yet
    assert not Invitation.objects.filter(email="new@hire.test").exists()


def test_workspace_roles_chosen_across_searches_carry_through_to_the_invitation(admin, acme):
    marketing, sales = ws(acme, "marketing"), ws(acme, "sales")
    first = admin.post(URL, form(find="mark", action="find"))
    assert rows(first) == {"Marketing": ""}
    picked = {f"ws_{marketing.pk}": "editor"}
    second = admin.post(URL, form(find="sal", action="find", **picked))
    assert rows(second) == {"Marketing": "editor", "Sales": ""}
    day = timezone.localdate() + timedelta(days=5)
    picked |= {f"ws_{sales.pk}": "viewer", f"ws_{sales.pk}_until": day.isoformat()}
    third = admin.post(URL, form(find="", action="find", **picked))
    assert rows(third) == {"Marketing": "editor", "Sales": "viewer", "Events": ""}
    sent = admin.post(URL, form(**picked))
    assert sent.status_code == 302
    invitation = Invitation.objects.get(email="new@hire.test")
    assert invitation.workspace_roles == [
        {"workspace": marketing.pk, "role": "editor"},
        {
            "workspace": sales.pk,
            "role": "viewer",
            "until": expiry.end_of_day(day).isoformat(),
        },
    ]


def test_htmx_swaps_only_the_workspace_rows_and_the_status_line(admin, acme):
    marketing = ws(acme, "marketing")
    data = form(find="s", action="find", **{f"ws_{marketing.pk}": "admin"})
    response = admin.post(URL, data, headers=HTMX)
    html = response.content.decode()
    assert response.status_code == 200 and "<html" not in html and 'name="email"' not in html
    assert (
        '<p hx-swap-oob="innerHTML:#ws-status">2 other workspaces match “s”; 1 given a role.</p>'
        in html
    )
    assert rows(response) == {"Marketing": "admin", "Events": "", "Sales": ""}


def test_no_access_drops_a_workspace_from_those_given_a_role(admin, acme):
    marketing = ws(acme, "marketing")
    response = admin.post(URL, form(find="", action="find", **{f"ws_{marketing.pk}": ""}))
    assert "; 0 given a role." in response.content.decode()
    assert not any(rows(response).values())


@pytest.mark.parametrize(
    "field",
    ["ws_{globex}", "ws_{globex}_until", "ws_999999", "ws_1; DROP", "ws_{marketing}x", "ws_"],
)
def test_another_orgs_or_a_malformed_workspace_is_refused(admin, acme, globex, field):
    marketing = ws(acme, "marketing")
    theirs = Workspace.objects.filter(org=globex).first()
    key = field.format(globex=theirs.pk, marketing=marketing.pk)
    value = (timezone.localdate() + timedelta(days=3)).isoformat() if "until" in key else "admin"
    response = admin.post(URL, form(**{f"ws_{marketing.pk}": "editor", key: value}))
    assert response.status_code == 400  # refused: the form again
    html = response.content.decode()
    assert "Choose workspaces of this organization." in html
    assert not Invitation.objects.filter(email="new@hire.test").exists()
    assert theirs.name not in rows(response)
    assert rows(response)["Marketing"] == "editor"


def test_a_search_never_shows_another_orgs_workspace(admin, globex):
    theirs = Workspace.objects.filter(org=globex).first()
    response = admin.post(URL, form(action="find", **{f"ws_{theirs.pk}": "admin"}))
    assert theirs.name not in rows(response)
    assert "; 0 given a role." in response.content.decode()


# --- size: the bench org's 500 workspaces ----------------------------------------------------


@pytest.mark.parametrize("extra", [7, 497])  # 10 and 500 workspaces
def test_the_form_has_no_row_per_workspace_and_constant_queries(admin, acme, extra):
    grow_workspaces(acme, extra)
    assert Workspace.objects.filter(org=acme).count() == extra + 3
    page, queries = measure(admin, URL, "get")
    assert len(rows(page)) == min(20, extra + 3)
    assert queries == PAGE_QUERIES
    more = page.content.decode().count("more match")
    assert more == (2 if extra + 3 > 20 else 0)  # the status line and under the rows
    if extra + 3 > 20:
        assert f"{extra + 3 - 20} more match" in page.content.decode()
    chosen = Workspace.objects.filter(org=acme).order_by("name")[:5]
    picked = {f"ws_{w.pk}": "viewer" for w in chosen}
    search = form(find="Region 00", action="find", **picked)
    found, queries = measure(admin, URL, "post", search)
    # 5 given a role (Events, Marketing, Region 000-002), then the other Region 00x
    assert len(rows(found)) == 5 + min(extra, 10) - 3
    assert queries == FIND_QUERIES
    partial, queries = measure(admin, URL, "post", form(find="Region", action="find"), HTMX)
    assert len(rows(partial)) == min(extra, 20)
    assert (f"{extra - 20} more match" in partial.content.decode()) == (extra > 20)
    assert queries == FIND_PARTIAL_QUERIES
    sent, queries = measure(
        admin, URL, "post", {**picked, "email": "bad"}, status=400
    )  # refused: no invitation
    assert "Enter a valid email address." in sent.content.decode()
    assert queries == SEND_REFUSED_QUERIES


PAGE_QUERIES = 6
FIND_QUERIES = 7
FIND_PARTIAL_QUERIES = 5
SEND_REFUSED_QUERIES = 7
