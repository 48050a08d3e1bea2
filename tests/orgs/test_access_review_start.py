"""The access review start form at any size: "All workspaces" (the default) or
"Only the workspaces I choose" with a workspace picker — a server-side search by name (a POST
with action=find, so it works without JavaScript; htmx swaps only its options) whose ticked
workspaces stay chosen across searches and the start. Never one checkbox per workspace of the
org, and the same queries at 10 and 500 workspaces. Only this org's workspaces are accepted."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from orgs.reviews.models import AccessReview
from tests.orgs.console import HTMX, grow_workspaces, measure
from workspaces.models import Workspace

pytestmark = pytest.mark.django_db

URL = "/orgs/acme/reviews/new/"


@pytest.fixture
def admin(client, demo):
    client.force_login(demo["admin@acme.test"])
    return client


def deadline():
    return (timezone.now() + timedelta(days=3)).strftime("%Y-%m-%dT%H:%M")


def form(**fields):
    return {"name": "Q1 review", "deadline": deadline(), "on_deadline": "report", **fields}


def boxes(response) -> dict[str, bool]:
    """The picker's checkboxes: {workspace name: ticked}."""
    found = re.findall(
        r'<input type="checkbox" name="workspaces" value="\d+"( checked)?> ([^<]+)</label>',
        response.content.decode(),
    )
    return {name: bool(checked) for checked, name in found}


def ws(acme, slug):
    return Workspace.objects.get(org=acme, slug=slug)


def test_all_workspaces_is_the_default(admin):
    html = admin.get(URL).content.decode()
    assert '<input type="radio" name="scope" value="all" required id="id_scope_0" checked>' in html


def test_find_keeps_what_was_typed_and_ticked_and_starts_nothing(admin, acme):
    marketing = ws(acme, "marketing")
    data = form(scope="some", workspaces=[marketing.pk], find="sal", action="find")
    response = admin.post(URL, {**data, "name": "Marketing and Sales"})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'value="Marketing and Sales"' in html  # the name typed so far
    assert 'value="some" required id="id_scope_1" checked' in html
    assert 'id="ws-find" name="find" value="sal"' in html
    assert boxes(response) == {"Marketing": True, "Sales": False}  # chosen, then found
    assert "1 other workspace matches “sal”; 1 chosen." in html
    assert "errorlist" not in html  # a search judges nothing yet
    assert not AccessReview.objects.exists()


def test_chosen_workspaces_are_kept_across_searches_and_started(admin, acme):
    marketing, sales = ws(acme, "marketing"), ws(acme, "sales")
    first = admin.post(URL, form(scope="some", find="mark", action="find"))
    assert boxes(first) == {"Marketing": False}
    second = admin.post(
        URL, form(scope="some", workspaces=[marketing.pk], find="sal", action="find")
    )
    assert boxes(second) == {"Marketing": True, "Sales": False}
    third = admin.post(
        URL, form(scope="some", workspaces=[marketing.pk, sales.pk], find="", action="find")
    )
    assert boxes(third) == {"Marketing": True, "Sales": True, "Events": False}
    started = admin.post(URL, form(scope="some", workspaces=[marketing.pk, sales.pk]))
    review = AccessReview.objects.get()
    assert started.status_code == 302
    assert set(review.workspaces.values_list("slug", flat=True)) == {"marketing", "sales"}
    assert not review.all_workspaces


def test_htmx_swaps_only_the_options_and_the_status_line(admin, acme):
    marketing = ws(acme, "marketing")
    data = form(scope="some", workspaces=[marketing.pk], find="s", action="find")
    response = admin.post(URL, data, headers=HTMX)
    html = response.content.decode()
    assert response.status_code == 200 and "<html" not in html and 'name="name"' not in html
    assert (
        '<p hx-swap-oob="innerHTML:#ws-status">2 other workspaces match “s”; 1 chosen.</p>' in html
    )
    assert boxes(response) == {"Marketing": True, "Events": False, "Sales": False}


def test_unticking_a_chosen_workspace_drops_it(admin, acme):
    response = admin.post(URL, form(scope="some", workspaces=[], find="", action="find"))
    assert not any(boxes(response).values())


def test_some_needs_at_least_one_workspace(admin):
    response = admin.post(URL, form(scope="some"))
    assert response.status_code == 400
    assert "Choose at least one workspace, or “All workspaces”." in response.content.decode()
    assert not AccessReview.objects.exists()


@pytest.mark.parametrize("foreign", ["globex", "missing", "malformed"])
def test_only_this_orgs_workspaces_are_accepted(admin, acme, globex, foreign):
    marketing = ws(acme, "marketing")
    other = {
        "globex": str(Workspace.objects.filter(org=globex).first().pk),
        "missing": "999999",
        "malformed": "1; DROP",
    }[foreign]
    response = admin.post(URL, form(scope="some", workspaces=[marketing.pk, other]))
    assert response.status_code == 400
    assert "Choose workspaces of this organization." in response.content.decode()
    assert not AccessReview.objects.exists()
    assert boxes(response) == {"Marketing": True, "Events": False, "Sales": False}


def test_a_search_never_shows_another_orgs_workspace_as_chosen(admin, globex):
    theirs = Workspace.objects.filter(org=globex).first()
    response = admin.post(URL, form(scope="some", workspaces=[theirs.pk], action="find"))
    assert theirs.name not in boxes(response)
    assert "0 chosen" in response.content.decode()


def test_all_workspaces_ignores_ticked_ones(admin, acme):
    admin.post(URL, form(scope="all", workspaces=[ws(acme, "marketing").pk]))
    review = AccessReview.objects.get()
    assert review.all_workspaces and review.workspaces.count() == 3


# --- size: the bench org's 500 workspaces ----------------------------------------------------


@pytest.mark.parametrize("extra", [7, 497])  # 10 and 500 workspaces
def test_the_form_has_no_checkbox_per_workspace_and_constant_queries(admin, acme, extra):
    grow_workspaces(acme, extra)
    assert Workspace.objects.filter(org=acme).count() == extra + 3
    page, queries = measure(admin, URL, "get")
    assert len(boxes(page)) == min(20, extra + 3)
    assert queries == START_QUERIES
    chosen = list(Workspace.objects.filter(org=acme).values_list("pk", flat=True)[:5])
    search = form(scope="some", workspaces=chosen, find="Region 00", action="find")
    found, queries = measure(admin, URL, "post", search)
    assert (
        len(boxes(found)) == 5 + min(extra, 10) - 3
    )  # 5 chosen (3 of them "Region 00x") + the others
    assert queries == FIND_QUERIES
    more = form(scope="some", find="Region", action="find")
    found, queries = measure(admin, URL, "post", more, HTMX)
    assert len(boxes(found)) == min(extra, 20)
    assert ("More workspaces match “Region”" in found.content.decode()) == (extra > 20)
    assert queries == FIND_PARTIAL_QUERIES


START_QUERIES = 6
FIND_QUERIES = 7
FIND_PARTIAL_QUERIES = 5
