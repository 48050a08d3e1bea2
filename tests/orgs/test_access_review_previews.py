"""A reviewer's "remove" and "change": before the decision is applied, its
confirmation shows the impact preview — the console's one component (components/impact.html)
fed by orgs.previews — naming the person, the workspace, role and flags before → after and the
source that disappears; nothing changes and no decision is recorded until it is confirmed; the
preview is the difference the decision really makes; and the page costs the same queries
whatever the org's size."""

from datetime import timedelta

import pytest
from django.utils import timezone

from orgs.models import OrgMembership, Team, TeamMembership
from orgs.reviews import services
from orgs.reviews.models import AccessReviewDecision, AccessReviewItem, ItemKind
from orgs.reviews.preview import decision_preview
from tests.factories import UserFactory, WorkspaceFactory, WorkspaceMembershipFactory
from tests.orgs.test_impact_confirmations import state, text
from tests.orgs.test_impact_preview import actual_difference, effective, previewed_difference
from workspaces.models import Workspace, WorkspaceMembership
from workspaces.services import team_access_set

pytestmark = pytest.mark.django_db


def start(acme, demo):
    """A review of everything; the Org Admin reviews Marketing too (with its admin)."""
    marketing = Workspace.objects.get(org=acme, slug="marketing")
    return services.review_start(
        actor=demo["admin@acme.test"],
        org=acme,
        name="Q1 review",
        deadline=timezone.now() + timedelta(days=7),
        reviewers={marketing: [demo["wsadmin@acme.test"], demo["admin@acme.test"]]},
    )


def item_of(review, email, workspace=None):
    if workspace is None:
        return AccessReviewItem.objects.get(review=review, kind=ItemKind.ORG_ROLE, email=email)
    return AccessReviewItem.objects.get(
        review=review, kind=ItemKind.WORKSPACE, workspace_name=workspace, email=email
    )


def url(review, item):
    return f"/orgs/acme/reviews/{review.pk}/items/{item.pk}/"


def decided(item) -> bool:
    return AccessReviewDecision.objects.filter(item=item).exists()


def hidden_fields(response) -> dict:
    """The confirmation form's hidden fields (what its button posts again)."""
    import re

    html = response.content.decode()
    form = html[html.index('<section class="card confirm') :]
    form = form[: form.index("</form>")]
    fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', form))
    fields.pop("csrfmiddlewaretoken")
    return fields


def test_remove_shows_who_loses_what_and_applies_only_when_confirmed(client, acme, demo):
    review = start(acme, demo)
    viewer = item_of(review, "viewer@acme.test", "Marketing")
    client.force_login(demo["wsadmin@acme.test"])
    before = state()
    response = client.post(url(review, viewer), {"decision": "remove", "note": "left the team"})
    assert response.status_code == 200
    page = text(response)
    assert "Remove viewer@acme.test’s access to Marketing?" in page
    assert "Their direct membership of Marketing ends." in page
    # the console's impact component: the person, the workspace, before → after, the source
    html = response.content.decode()
    assert '<section class="impact" aria-labelledby="impact-heading">' in html
    assert "Vera Viewer loses Marketing Viewer (was direct); keeps nothing in Marketing" in page
    assert "Marketing Viewer → None" in page
    assert "direct: Viewer nothing" in page  # goes: the direct grant; remains: nothing
    # nothing happened yet
    assert state() == before and not decided(viewer)
    fields = hidden_fields(response)
    assert fields == {"decision": "remove", "note": "left the team", "confirmed": "1"}
    assert f'href="/orgs/acme/reviews/{review.pk}/queue/?scope={viewer.workspace_id}"' in html
    done = client.post(url(review, viewer), fields)
    assert done.status_code == 302
    assert not WorkspaceMembership.objects.filter(user=demo["viewer@acme.test"]).exists()
    decision = AccessReviewDecision.objects.get(item=viewer)
    assert (decision.decision, decision.note) == ("remove", "left the team")


def test_remove_through_a_team_names_the_team_and_every_workspace_it_gave(client, acme, demo):
    events = Workspace.objects.get(org=acme, slug="events")
    team_access_set(
        actor="system", team=Team.objects.get(name="Field Sales"), workspace=events, role="viewer"
    )
    review = start(acme, demo)
    tim = item_of(review, "teamuser@acme.test", "Sales")
    client.force_login(demo["admin@acme.test"])
    before = state()
    page = text(client.post(url(review, tim), {"decision": "remove"}))
    assert "They leave the team Field Sales" in page
    assert (
        "Tim Teamer loses Sales Editor (was via team Field Sales); keeps nothing in Sales" in page
    )
    assert "Tim Teamer loses Events Viewer (was via team Field Sales)" in page
    assert "via team Field Sales: Editor" in page
    assert state() == before and not decided(tim)


def test_a_lowering_change_shows_who_loses_what_first(client, acme, demo):
    review = start(acme, demo)
    editor = item_of(review, "editor@acme.test", "Marketing")
    client.force_login(demo["wsadmin@acme.test"])
    before = state()
    choice = {"decision": "change", "role": "viewer", "flows_manager": "on"}
    response = client.post(url(review, editor), choice)
    assert response.status_code == 200
    page = text(response)
    assert "Change editor@acme.test’s access to Marketing?" in page
    assert "sets their direct role in Marketing to Viewer (Flows Manager)" in page
    assert (
        "Eddie Editor loses Marketing Editor (was direct); "
        "keeps Marketing Viewer with Flows Manager (direct)" in page
    )
    assert "Marketing Editor → Viewer on → on on → off off → off" in page  # role, each flag
    assert "direct: Editor direct: Viewer with Flows Manager" in page  # goes, remains
    assert state() == before and not decided(editor)
    fields = hidden_fields(response)
    assert fields == {**choice, "confirmed": "1"}
    assert client.post(url(review, editor), fields).status_code == 302
    membership = WorkspaceMembership.objects.get(user=demo["editor@acme.test"])
    assert membership.role == "viewer"
    assert membership.flags["flows_manager"] and not membership.flags["brand_kits_manager"]
    assert AccessReviewDecision.objects.get(item=editor).new_role == "viewer"


def test_turning_a_permission_off_is_a_lowering_change(client, acme, demo):
    review = start(acme, demo)
    flows = item_of(review, "flows@acme.test", "Marketing")
    client.force_login(demo["wsadmin@acme.test"])
    page = text(client.post(url(review, flows), {"decision": "change", "role": "viewer"}))
    assert "Flo Manager loses Flows Manager (was direct); keeps Marketing Viewer (direct)" in page
    assert "Marketing Viewer → Viewer on → off" in page
    assert not decided(flows)


def test_a_change_that_lowers_nothing_is_recorded_at_once(client, acme, demo):
    review = start(acme, demo)
    viewer = item_of(review, "viewer@acme.test", "Marketing")
    client.force_login(demo["wsadmin@acme.test"])
    response = client.post(url(review, viewer), {"decision": "change", "role": "editor"})
    assert response.status_code == 302
    assert WorkspaceMembership.objects.get(user=demo["viewer@acme.test"]).role == "editor"
    assert decided(viewer)


def test_org_role_remove_and_lowering_change_preview_first(client, acme, demo):
    OrgMembership.objects.filter(org=acme, user=demo["editor@acme.test"]).update(role="admin")
    review = start(acme, demo)
    editor = item_of(review, "editor@acme.test")
    client.force_login(demo["admin@acme.test"])
    before = state()
    change = text(client.post(url(review, editor), {"decision": "change", "role": "user"}))
    assert "Make editor@acme.test an Org User?" in change
    assert "Eddie Editor goes from Org Admin to Org User in Acme" in change
    assert (
        "Eddie Editor loses Admin (was as Org Admin); keeps nothing there — "
        "in 2 workspaces: Events, Sales" in change
    )
    assert "as Org Admin: Admin direct: Editor" in change  # Marketing: goes, remains
    remove = text(client.post(url(review, editor), {"decision": "remove"}))
    assert "Remove editor@acme.test’s membership of Acme?" in remove
    assert "Eddie Editor leaves Acme (was Org Admin)" in remove
    assert state() == before and not decided(editor)


def test_the_confirmation_step_keeps_the_decisions_refusals(client, acme, demo):
    """The confirmation is a step of the decision: the same refusals apply (own access)."""
    review = start(acme, demo)
    own = item_of(review, "wsadmin@acme.test", "Marketing")
    client.force_login(demo["wsadmin@acme.test"])
    assert client.post(url(review, own), {"decision": "remove"}).status_code == 403


# --- the preview is what the decision does ----------------------------------------------------


def _tim_in_events(acme):
    events = Workspace.objects.get(org=acme, slug="events")
    team = Team.objects.get(name="Field Sales")
    team_access_set(actor="system", team=team, workspace=events, role="viewer")
    WorkspaceMembershipFactory(
        workspace=Workspace.objects.get(org=acme, slug="sales"),
        user=TeamMembership.objects.get(team=team).user,
        role="viewer",
    )


CASES = [
    ("viewer@acme.test", "Marketing", "remove", None, {}),
    ("teamuser@acme.test", "Sales", "remove", None, {}),  # direct and team, two workspaces
    ("editor@acme.test", "Marketing", "change", "viewer", {"flows_manager": True}),
    ("flows@acme.test", "Marketing", "change", "viewer", {}),
    ("teamuser@acme.test", "Sales", "change", "admin", {}),  # raises
    ("editor@acme.test", None, "remove", None, {}),
    ("wsadmin@acme.test", None, "change", "admin", {}),
]


@pytest.mark.parametrize("email, workspace, decision, role, flags", CASES)
def test_the_preview_equals_what_the_decision_does(
    acme, demo, email, workspace, decision, role, flags
):
    _tim_in_events(acme)
    review = start(acme, demo)
    item = item_of(review, email, workspace)
    ws_ids = list(Workspace.objects.filter(org=acme).values_list("pk", flat=True))
    preview = decision_preview(acme, item, decision, role=role, flags=flags)
    before = effective(acme, ws_ids)
    reviewer = demo["admin@acme.test"]
    services.review_decide(actor=reviewer, item=item, decision=decision, role=role, flags=flags)
    after = effective(acme, ws_ids)
    assert previewed_difference(preview) == actual_difference(before, after, ws_ids)
    assert preview.lowers == (role != "admin")


# --- queries --------------------------------------------------------------------------------


def _grow(acme, n):
    """`n` more people in Marketing and in Field Sales, and `n` more workspaces (Field Sales
    gives each) — what a preview of Tim's or Eddie's decisions could read."""
    marketing = Workspace.objects.get(org=acme, slug="marketing")
    team = Team.objects.get(name="Field Sales")
    for i in range(n):
        user = UserFactory()
        OrgMembership.objects.create(org=acme, user=user, role="user")
        WorkspaceMembershipFactory(workspace=marketing, user=user, role="editor")
        TeamMembership.objects.create(team=team, user=user)
        ws = WorkspaceFactory(org=acme, name=f"Region {i:03}", slug=f"region-{i:03}")
        team_access_set(actor="system", team=team, workspace=ws, role="viewer")


def _confirmation_queries(client, acme, demo, extra):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    _grow(acme, extra)
    review = start(acme, demo)
    client.force_login(demo["admin@acme.test"])
    posts = [
        (item_of(review, "teamuser@acme.test", "Sales"), {"decision": "remove"}),
        (
            item_of(review, "editor@acme.test", "Marketing"),
            {"decision": "change", "role": "viewer"},
        ),
        (item_of(review, "editor@acme.test"), {"decision": "remove"}),
    ]
    client.get(f"/orgs/acme/reviews/{review.pk}/queue/")  # the session and the like, warmed
    counts = []
    for item, data in posts:
        with CaptureQueriesContext(connection) as queries:
            response = client.post(url(review, item), data)
        assert response.status_code == 200 and "Who loses what" in text(response)
        counts.append(len(queries))
    return counts


def test_the_confirmation_costs_the_same_queries_at_two_sizes(client, acme, demo):
    small = _confirmation_queries(client, acme, demo, 0)
    large = _confirmation_queries(client, acme, demo, 40)
    assert small == large == CONFIRMATION_QUERIES


CONFIRMATION_QUERIES = [14, 13, 13]
