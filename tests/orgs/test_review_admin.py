"""Access reviews in /admin/: read-only evidence. The reviews, their items and the
decisions are listed (filters by org and status, search) and shown (a review with its
reviewers, items and decisions) to an operator; nothing can be added, changed or deleted there
(the console's services are the only writers), and each screen links to the console page."""

from datetime import timedelta

import pytest
from django.contrib import admin
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from orgs.reviews import services
from orgs.reviews.models import (
    AccessReview,
    AccessReviewDecision,
    AccessReviewItem,
    ItemKind,
)
from tests.factories import OrgMembershipFactory, WorkspaceMembershipFactory
from workspaces.models import Workspace

pytestmark = pytest.mark.django_db

OPS = "ops@flowadmin.test"
MODELS = ["accessreview", "accessreviewitem", "accessreviewdecision"]


def text(response):
    return response.content.decode().replace("&#x27;", "'")


@pytest.fixture
def operator(client, demo):
    client.force_login(demo[OPS])
    return client


def start(org, demo, name="Q1 review", admin="admin@acme.test"):
    return services.review_start(
        actor=demo[admin],
        org=org,
        name=name,
        deadline=timezone.now() + timedelta(days=7),
    )


def item(review, email, workspace):
    return AccessReviewItem.objects.get(
        review=review, email=email, kind=ItemKind.WORKSPACE, workspace_name=workspace
    )


@pytest.fixture
def review(acme, demo):
    review = start(acme, demo)
    wsadmin = demo["wsadmin@acme.test"]
    services.review_decide(
        actor=wsadmin, item=item(review, "editor@acme.test", "Marketing"), decision="keep"
    )
    services.review_decide(
        actor=wsadmin,
        item=item(review, "viewer@acme.test", "Marketing"),
        decision="remove",
        note="left the team",
    )
    return review


def state():
    return (
        list(AccessReview.objects.order_by("pk").values_list("pk", "name", "status")),
        AccessReviewItem.objects.count(),
        list(AccessReviewDecision.objects.order_by("pk").values_list("pk", "decision", "note")),
    )


# --- read ------------------------------------------------------------------------------------


# Each list's filter parameters for the review's status and org.
FILTERS = {
    "accessreview": ("status__exact", "org__id__exact"),
    "accessreviewitem": ("review__status__exact", "review__org__id__exact"),
    "accessreviewdecision": ("item__review__status__exact", "item__review__org__id__exact"),
}


@pytest.mark.parametrize("model", MODELS)
@pytest.mark.parametrize(
    "query", ["", "?q=acme", "?q=editor", "?{status}=open", "?{org}={acme}", "?o=1", "?p=0"]
)
def test_the_lists_answer_200_for_a_superuser(operator, review, acme, model, query):
    status, org = FILTERS[model]
    query = query.format(status=status, org=org, acme=acme.pk)
    response = operator.get(f"/admin/orgs/{model}/{query}")
    assert response.status_code == 200


def test_the_lists_filter_by_org_and_status(operator, review, acme, globex, demo):
    other = start(globex, demo, name="Globex review", admin="admin@globex.test")
    page = text(operator.get(f"/admin/orgs/accessreview/?org__id__exact={acme.pk}"))
    assert "Q1 review" in page and "Globex review" not in page
    assert "2 of " in page  # decided of all items
    services.review_close(actor=demo["admin@globex.test"], review=other)
    closed = text(operator.get("/admin/orgs/accessreview/?status__exact=closed"))
    assert "Globex review" in closed and "Q1 review" not in closed
    items = text(operator.get(f"/admin/orgs/accessreviewitem/?review__org__id__exact={acme.pk}"))
    assert "editor@acme.test" in items and "globex.test" not in items


def test_the_items_filter_by_decision(operator, review):
    removed = operator.get("/admin/orgs/accessreviewitem/?decision=remove")
    assert [i.email for i in removed.context["cl"].result_list] == ["viewer@acme.test"]
    unreviewed = operator.get("/admin/orgs/accessreviewitem/?decision=unreviewed")
    undecided = AccessReviewItem.objects.filter(review=review, decision__isnull=True)
    assert {i.pk for i in unreviewed.context["cl"].result_list} == set(
        undecided.values_list("pk", flat=True)
    )
    assert "outsider@acme.test" in text(unreviewed)


def test_a_review_shows_its_reviewers_items_and_decisions_with_console_links(operator, review):
    response = operator.get(f"/admin/orgs/accessreview/{review.pk}/change/")
    assert response.status_code == 200
    page = text(response)
    assert f'href="/orgs/acme/reviews/{review.pk}/"' in page
    assert f'href="/orgs/acme/reviews/{review.pk}/evidence/"' in page
    assert f'href="/orgs/acme/reviews/{review.pk}/evidence.csv"' in page
    assert f"review__id__exact={review.pk}" in page
    assert "<caption>Reviewers of Q1 review</caption>" in page
    assert "wsadmin@acme.test" in page
    # the evidence rows: the decisions with who decided, the rest unreviewed
    assert "<td>keep</td>" in page and "<td>remove</td>" in page
    assert "<td>left the team</td>" in page
    assert "<td>unreviewed</td>" in page


def test_an_item_and_a_decision_show_with_a_console_link(operator, review):
    removed = item(review, "viewer@acme.test", "Marketing")
    page = text(operator.get(f"/admin/orgs/accessreviewitem/{removed.pk}/change/"))
    assert f'href="/orgs/acme/reviews/{review.pk}/"' in page
    assert "wsadmin@acme.test" in page and "left the team" in page
    decision = removed.decision
    page = text(operator.get(f"/admin/orgs/accessreviewdecision/{decision.pk}/change/"))
    assert f'href="/orgs/acme/reviews/{review.pk}/"' in page
    assert "left the team" in page


def test_cells_are_escaped(operator, review):
    AccessReviewItem.objects.filter(review=review, email="editor@acme.test").update(
        full_name="<b>Eddie</b>"
    )
    page = text(operator.get(f"/admin/orgs/accessreview/{review.pk}/change/"))
    assert "<b>Eddie</b>" not in page and "&lt;b&gt;Eddie&lt;/b&gt;" in page


# --- no writes -------------------------------------------------------------------------------


@pytest.mark.parametrize("model", MODELS)
def test_no_add_change_or_delete_permission(operator, review, model, demo):
    model_admin = next(a for m, a in admin.site._registry.items() if m._meta.model_name == model)
    request = type("Request", (), {"user": demo[OPS]})()
    assert demo[OPS].is_superuser
    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request)
    assert not model_admin.has_delete_permission(request)
    assert model_admin.has_view_permission(request)


@pytest.mark.parametrize("model", MODELS)
def test_writes_through_the_admin_are_refused(operator, review, model):
    obj = {
        "accessreview": review,
        "accessreviewitem": item(review, "editor@acme.test", "Marketing"),
        "accessreviewdecision": AccessReviewDecision.objects.first(),
    }[model]
    before = state()
    assert operator.get(f"/admin/orgs/{model}/add/").status_code == 403
    assert operator.post(f"/admin/orgs/{model}/add/", {"name": "x"}).status_code == 403
    change = f"/admin/orgs/{model}/{obj.pk}/change/"
    page = text(operator.get(change))
    assert 'name="_save"' not in page and "/delete/" not in page
    operator.post(change, {"name": "Renamed", "note": "rewritten", "decision": "keep"})
    assert operator.get(f"/admin/orgs/{model}/{obj.pk}/delete/").status_code == 403
    assert (
        operator.post(f"/admin/orgs/{model}/{obj.pk}/delete/", {"post": "yes"}).status_code == 403
    )
    changelist = text(operator.get(f"/admin/orgs/{model}/"))
    assert "delete_selected" not in changelist
    operator.post(
        f"/admin/orgs/{model}/",
        {"action": "delete_selected", "_selected_action": [obj.pk], "post": "yes"},
    )
    assert state() == before


# --- query counts ----------------------------------------------------------------------------


def count(client, url):
    """Queries of a GET of `url` after an untimed one (which fills the process's own caches,
    e.g. the content types an admin page looks up once, so the count does not depend on what
    ran before it in the worker)."""
    assert client.get(url).status_code == 200
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def grow(acme, n):
    marketing = Workspace.objects.get(org=acme, slug="marketing")
    for _ in range(n):
        WorkspaceMembershipFactory(
            workspace=marketing, user=OrgMembershipFactory(org=acme).user, role="viewer"
        )


@pytest.mark.parametrize(
    "path", ["accessreview/", "accessreview/{review}/change/", "accessreviewitem/", "decisions"]
)
def test_query_counts_do_not_grow_with_the_review(operator, acme, demo, path):
    def url(review):
        if path == "decisions":
            return "/admin/orgs/accessreviewdecision/"
        return "/admin/orgs/" + path.format(review=review.pk)

    def decide_all(review):
        """Every Marketing item but the reviewer's own: kept by its Workspace Admin."""
        marketing = AccessReviewItem.objects.filter(
            review=review, kind=ItemKind.WORKSPACE, workspace_name="Marketing"
        )
        for entry in marketing.exclude(email="wsadmin@acme.test"):
            services.review_decide(actor=demo["wsadmin@acme.test"], item=entry, decision="keep")

    small = start(acme, demo, name="small")
    decide_all(small)
    few = count(operator, url(small))
    AccessReview.objects.all().delete()
    grow(acme, 30)
    large = start(acme, demo, name="large")
    decide_all(large)
    assert AccessReviewItem.objects.filter(review=large).count() > 30
    assert count(operator, url(large)) == few
