"""The access review pages: who sees what (SPEC §3.3), the start form's errors, the reviewer's
queue (decisions, confirmation before a removal) and its query budget at two sizes."""

import csv
import io
from datetime import timedelta

import pytest
from django.utils import timezone

from orgs.models import Team
from orgs.reviews import services
from orgs.reviews.models import AccessReview, AccessReviewItem, ItemKind
from tests.factories import UserFactory, WorkspaceMembershipFactory
from workspaces.models import Workspace, WorkspaceMembership
from workspaces.services import team_access_set

pytestmark = pytest.mark.django_db


def start(acme, demo, **kwargs):
    return services.review_start(
        actor=demo["admin@acme.test"],
        org=acme,
        name=kwargs.pop("name", "Q1 review"),
        deadline=timezone.now() + timedelta(days=7),
        **kwargs,
    )


def marketing_item(review, email):
    return AccessReviewItem.objects.get(
        review=review, kind=ItemKind.WORKSPACE, workspace_name="Marketing", email=email
    )


def test_list_shows_an_empty_state_and_the_start_button(client, demo):
    client.force_login(demo["admin@acme.test"])
    html = client.get("/orgs/acme/reviews/").content.decode()
    assert "No access reviews yet." in html
    assert 'href="/orgs/acme/reviews/new/"' in html
    assert 'href="/orgs/acme/reviews/" aria-current="page"' in html  # console nav


def test_members_see_only_the_reviews_they_review(client, acme, demo):
    start(acme, demo, name="Everything")
    sales = Workspace.objects.get(org=acme, slug="sales")
    start(acme, demo, name="Sales only", workspaces=[sales], include_org_roles=False)
    client.force_login(demo["wsadmin@acme.test"])
    html = client.get("/orgs/acme/reviews/").content.decode()
    assert "Everything" in html and "Sales only" not in html
    assert "/orgs/acme/reviews/new/" not in html
    client.force_login(demo["viewer@acme.test"])
    assert "No access reviews for you" in client.get("/orgs/acme/reviews/").content.decode()


@pytest.mark.parametrize(
    "email, path, status",
    [
        (None, "reviews/", 302),
        ("admin@globex.test", "reviews/", 404),
        ("wsadmin@acme.test", "reviews/new/", 403),
        ("wsadmin@acme.test", "reviews/{id}/", 403),
        ("wsadmin@acme.test", "reviews/{id}/evidence.csv", 403),
        ("wsadmin@acme.test", "reviews/{id}/evidence/", 403),
        ("wsadmin@acme.test", "reviews/{id}/queue/", 200),
        ("viewer@acme.test", "reviews/{id}/queue/", 403),
        ("admin@acme.test", "reviews/{id}/queue/", 200),
        ("admin@globex.test", "reviews/{id}/queue/", 404),
        ("admin@acme.test", "reviews/{id}/evidence/", 200),
    ],
)
def test_who_opens_what(client, acme, demo, email, path, status):
    review = start(acme, demo)
    if email:
        client.force_login(demo[email])
    response = client.get(f"/orgs/acme/{path.format(id=review.pk)}")
    assert response.status_code == status


def test_a_review_of_another_org_is_not_found(client, acme, globex, demo):
    review = start(acme, demo)
    client.force_login(demo["admin@globex.test"])
    assert client.get(f"/orgs/globex/reviews/{review.pk}/").status_code == 404


def test_start_form_shows_errors_in_place(client, demo):
    client.force_login(demo["admin@acme.test"])
    response = client.post(
        "/orgs/acme/reviews/new/",
        {"name": "", "deadline": "2001-01-01T10:00", "scope": "some", "on_deadline": "report"},
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "Give the review a name." in html
    assert "The deadline must be in the future." in html
    assert "Choose at least one workspace" in html
    assert not AccessReview.objects.exists()


def test_start_form_starts_a_review(client, acme, demo):
    client.force_login(demo["admin@acme.test"])
    marketing = Workspace.objects.get(org=acme, slug="marketing")
    deadline = (timezone.now() + timedelta(days=3)).strftime("%Y-%m-%dT%H:%M")
    response = client.post(
        "/orgs/acme/reviews/new/",
        {
            "name": "Marketing check",
            "deadline": deadline,
            "scope": "some",
            "workspaces": [marketing.pk],
            "on_deadline": "remove",
        },
    )
    review = AccessReview.objects.get()
    assert response.status_code == 302 and response.url == f"/orgs/acme/reviews/{review.pk}/"
    assert (review.on_deadline, review.include_org_roles) == ("remove", False)
    assert set(review.items.values_list("workspace_name", flat=True)) == {"Marketing"}


def test_keep_from_the_queue(client, acme, demo):
    review = start(acme, demo)
    editor = marketing_item(review, "editor@acme.test")
    client.force_login(demo["wsadmin@acme.test"])
    url = f"/orgs/acme/reviews/{review.pk}/items/{editor.pk}/"
    response = client.post(url, {"decision": "keep"})
    assert response.status_code == 302
    assert response.url.endswith(f"queue/?scope={editor.workspace_id}#item-{editor.pk}")
    assert editor.__class__.objects.get(pk=editor.pk).decision.decision == "keep"


def test_remove_asks_for_confirmation_first(client, acme, demo):
    review = start(acme, demo)
    viewer = marketing_item(review, "viewer@acme.test")
    client.force_login(demo["wsadmin@acme.test"])
    url = f"/orgs/acme/reviews/{review.pk}/items/{viewer.pk}/"
    page = client.post(url, {"decision": "remove"})
    assert page.status_code == 200
    html = page.content.decode()
    assert "Remove viewer@acme.test’s access to Marketing?" in html
    assert "Their direct membership of Marketing ends." in html
    assert '<h3 id="impact-heading">Who loses what</h3>' in html
    assert "Vera Viewer loses Marketing Viewer" in html
    assert WorkspaceMembership.objects.filter(user=demo["viewer@acme.test"]).exists()
    response = client.post(url, {"decision": "remove", "confirmed": "1"})
    assert response.status_code == 302
    assert not WorkspaceMembership.objects.filter(user=demo["viewer@acme.test"]).exists()


def test_removal_through_a_team_previews_every_workspace_the_team_gave(client, acme, demo):
    sales = Workspace.objects.get(org=acme, slug="sales")
    events = Workspace.objects.get(org=acme, slug="events")
    team_access_set(
        actor="system", team=Team.objects.get(name="Field Sales"), workspace=events, role="viewer"
    )
    review = start(acme, demo, workspaces=[sales])
    teamuser = AccessReviewItem.objects.get(review=review, kind=ItemKind.WORKSPACE)
    client.force_login(demo["admin@acme.test"])
    html = client.post(
        f"/orgs/acme/reviews/{review.pk}/items/{teamuser.pk}/", {"decision": "remove"}
    ).content.decode()
    assert "They leave the team Field Sales" in html
    assert "Tim Teamer loses Events Viewer" in html
    assert "Tim Teamer loses Sales Editor" in html


def test_change_needs_a_role(client, acme, demo):
    review = start(acme, demo)
    editor = marketing_item(review, "editor@acme.test")
    client.force_login(demo["wsadmin@acme.test"])
    url = f"/orgs/acme/reviews/{review.pk}/items/{editor.pk}/"
    response = client.post(url, {"decision": "change", "role": ""})
    assert response.status_code == 400
    assert "Choose the role to change to." in response.content.decode()


def test_deciding_ones_own_item_is_refused(client, acme, demo):
    review = start(acme, demo)
    own = marketing_item(review, "wsadmin@acme.test")
    client.force_login(demo["wsadmin@acme.test"])
    response = client.post(f"/orgs/acme/reviews/{review.pk}/items/{own.pk}/", {"decision": "keep"})
    assert response.status_code == 403
    assert not AccessReviewItem.objects.filter(pk=own.pk, decision__isnull=False).exists()


def test_reviewers_edited_from_the_review_page(client, acme, demo):
    review = start(acme, demo)
    marketing = Workspace.objects.get(org=acme, slug="marketing")
    client.force_login(demo["admin@acme.test"])
    url = f"/orgs/acme/reviews/{review.pk}/reviewers/"
    client.post(url, {"scope": marketing.pk, "email": "Editor@acme.test"})
    assert review.reviewers.filter(workspace=marketing, user=demo["editor@acme.test"]).exists()
    response = client.post(url, {"scope": marketing.pk, "email": "nobody@acme.test"}, follow=True)
    assert "nobody@acme.test is not a member of Acme." in response.content.decode()
    client.post(f"{url}remove/", {"scope": marketing.pk, "user": demo["editor@acme.test"].pk})
    assert not review.reviewers.filter(user=demo["editor@acme.test"]).exists()


def test_close_now_confirms_then_closes(client, acme, demo):
    review = start(acme, demo)
    client.force_login(demo["admin@acme.test"])
    url = f"/orgs/acme/reviews/{review.pk}/close/"
    assert "Close Q1 review now?" in client.get(url).content.decode()
    client.post(url)
    review.refresh_from_db()
    assert (review.status, review.closed_by) == ("closed", "admin@acme.test")


def test_evidence_page_and_csv(client, acme, demo):
    review = start(acme, demo)
    services.review_decide(
        actor=demo["wsadmin@acme.test"],
        item=marketing_item(review, "viewer@acme.test"),
        decision="remove",
    )
    client.force_login(demo["admin@acme.test"])
    html = client.get(f"/orgs/acme/reviews/{review.pk}/evidence/").content.decode()
    assert "Removed the direct membership." in html and "Unreviewed" in html
    response = client.get(f"/orgs/acme/reviews/{review.pk}/evidence.csv")
    assert response["Content-Disposition"] == (
        f'attachment; filename="access-review-acme-{review.pk}.csv"'
    )
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert len(rows) == 1 + review.items.count()


def test_home_points_reviewers_to_their_reviews(client, acme, demo):
    start(acme, demo)
    client.force_login(demo["wsadmin@acme.test"])
    html = client.get("/").content.decode()
    assert 'href="/orgs/acme/reviews/">Acme: 1 open review' in html


def _grow(acme, n):
    marketing = Workspace.objects.get(org=acme, slug="marketing")
    for _ in range(n):
        WorkspaceMembershipFactory(workspace=marketing, user=UserFactory(), role="editor")


@pytest.mark.parametrize("extra", [0, 40])
def test_queue_page_query_count_is_constant(client, acme, demo, extra, django_assert_num_queries):
    _grow(acme, extra)
    review = start(acme, demo)
    wsadmin = demo["wsadmin@acme.test"]
    marketing = marketing_item(review, "editor@acme.test")
    services.review_decide(actor=wsadmin, item=marketing, decision="keep")
    client.force_login(wsadmin)
    url = f"/orgs/acme/reviews/{review.pk}/queue/?scope={marketing.workspace_id}"
    client.get(url)  # the session and the like, warmed
    with django_assert_num_queries(QUEUE_QUERIES):
        response = client.get(url)
    assert response.status_code == 200
    assert response.content.decode().count('id="item-') == min(5 + extra, 25)


# The org under the URL and the org switcher share one query (orgs.selectors.user_orgs).
QUEUE_QUERIES = 11


def test_many_parts_paginate_and_the_queue_offers_a_select(client, acme, demo):
    from tests.factories import WorkspaceFactory

    for n in range(30):
        WorkspaceFactory(org=acme, name=f"Region {n:02}", slug=f"region-{n:02}")
    review = start(acme, demo)
    client.force_login(demo["admin@acme.test"])
    detail = client.get(f"/orgs/acme/reviews/{review.pk}/").content.decode()
    assert "Page 1 of 2" in detail and 'name="page" value="1"' in detail
    queue = client.get(f"/orgs/acme/reviews/{review.pk}/queue/?scope=org").content.decode()
    assert '<select id="queue-scope" name="scope">' in queue
    assert '<option value="org" selected>Org roles (8 to do)</option>' in queue
    response = client.post(
        f"/orgs/acme/reviews/{review.pk}/reviewers/",
        {"scope": "org", "email": "editor@acme.test", "page": "2"},
    )
    assert response.url == f"/orgs/acme/reviews/{review.pk}/?page=2#reviewers"


def test_another_orgs_user_named_in_a_reviewer_removal_is_a_404_without_their_email(
    client, acme, demo
):
    """The refusal "x does not review …" names the user: for an id of another org's user it
    would show their email to this org's admin."""
    review = start(acme, demo)
    reviewers = review.reviewers.count()
    client.force_login(demo["admin@acme.test"])
    url = f"/orgs/acme/reviews/{review.pk}/reviewers/remove/"
    response = client.post(url, {"scope": "org", "user": demo["admin@globex.test"].pk}, follow=True)
    assert response.status_code == 404
    assert "admin@globex.test" not in response.content.decode()
    assert review.reviewers.count() == reviewers
