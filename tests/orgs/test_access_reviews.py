"""Access reviews: the policy (who reviews, who may decide, what a removal
takes), the services (start, decide, reviewers, close at the deadline) and the evidence CSV.
Runs on SQLite and on PostgreSQL (DATABASE_URL=postgres://… REQUIRE_POSTGRES=1)."""

import csv
import io
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from audit.models import ActivityEntry
from orgs import permissions
from orgs.errors import ServiceError
from orgs.models import OrgMembership, Team, TeamMembership
from orgs.reviews import services
from orgs.reviews.evidence import HEADER, evidence_csv
from orgs.reviews.models import AccessReview, AccessReviewer, AccessReviewItem, ItemKind
from workspaces.models import Workspace, WorkspaceMembership

pytestmark = pytest.mark.django_db


def in_days(days=7):
    return timezone.now() + timedelta(days=days)


def start(acme, demo, **kwargs):
    kwargs.setdefault("name", "Q1 review")
    kwargs.setdefault("deadline", in_days())
    return services.review_start(actor=demo["admin@acme.test"], org=acme, **kwargs)


def item(review, email, workspace=None):
    items = AccessReviewItem.objects.filter(review=review, email=email)
    if workspace is None:
        return items.get(kind=ItemKind.ORG_ROLE)
    return items.get(kind=ItemKind.WORKSPACE, workspace_name=workspace)


def entries(acme, entity_type):
    return ActivityEntry.objects.filter(org=acme, entity_type=entity_type).order_by("seq")


# --- policy (no queries) ----------------------------------------------------------------------


def test_default_reviewers_are_workspace_admins_else_org_admins(
    acme, demo, django_assert_num_queries
):
    members = permissions.members_access(acme)
    ws = dict(Workspace.objects.filter(org=acme).values_list("slug", "pk"))
    ids = {email: user.pk for email, user in demo.items()}
    with django_assert_num_queries(0):
        chosen = permissions.default_reviewers(members, ws.values())
    assert chosen[ws["marketing"]] == {ids["wsadmin@acme.test"]}
    assert chosen[ws["sales"]] == {ids["admin@acme.test"]}  # no workspace admin of its own
    assert chosen[ws["events"]] == {ids["admin@acme.test"]}
    assert chosen[permissions.ORG_ROLES] == {ids["admin@acme.test"]}


def test_review_refusal_table(acme, demo, django_assert_num_queries):
    wsadmin = demo["wsadmin@acme.test"]
    member = permissions.org_access(wsadmin, acme)
    stranger = permissions.OrgAccess(acme.pk)
    args = {"user_id": wsadmin.pk, "is_open": True, "scopes": {7}, "item_scope": 7}
    with django_assert_num_queries(0):
        assert permissions.review_refusal(member, subject_id=99, **args) is None
        assert "own access" in permissions.review_refusal(member, subject_id=wsadmin.pk, **args)
        assert "not a member" in permissions.review_refusal(stranger, subject_id=99, **args)
        closed = {**args, "is_open": False}
        assert "closed" in permissions.review_refusal(member, subject_id=99, **closed)
        other = {**args, "item_scope": permissions.ORG_ROLES}
        assert "not a reviewer" in permissions.review_refusal(member, subject_id=99, **other)


def test_workspace_removal_names_every_source(acme, demo):
    sales = Workspace.objects.get(org=acme, slug="sales")
    teamuser = demo["teamuser@acme.test"]
    WorkspaceMembership.objects.create(workspace=sales, user=teamuser, role="viewer")
    access = permissions.members_access(acme)
    plan = permissions.workspace_removal(access[teamuser.pk].workspace(sales.pk))
    assert plan == permissions.Removal(direct=True, teams=("Field Sales",), org_admin=False)
    admin_plan = permissions.workspace_removal(
        access[demo["admin@acme.test"].pk].workspace(sales.pk)
    )
    assert admin_plan.empty and admin_plan.org_admin


# --- starting ---------------------------------------------------------------------------------


def test_start_snapshots_effective_access_and_org_roles(
    acme, demo, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        review = start(acme, demo)
    workspace_items = review.items.filter(kind=ItemKind.WORKSPACE).order_by(
        "workspace_name", "email"
    )
    assert [(i.workspace_name, i.email, i.role, i.sources) for i in workspace_items] == [
        ("Marketing", "audience@acme.test", "viewer", ["direct"]),
        ("Marketing", "editor@acme.test", "editor", ["direct"]),
        ("Marketing", "flows@acme.test", "viewer", ["direct"]),
        ("Marketing", "viewer@acme.test", "viewer", ["direct"]),
        ("Marketing", "wsadmin@acme.test", "admin", ["direct"]),
        ("Sales", "teamuser@acme.test", "editor", ["via team Field Sales"]),
    ]  # admin@ reaches every workspace only as Org Admin: reviewed with the org roles
    editor = item(review, "editor@acme.test", "Marketing")
    assert editor.flags == {
        "flows_manager": True,
        "brand_kits_manager": True,
        "audience_viewer": False,
    }
    org_items = review.items.filter(kind=ItemKind.ORG_ROLE).order_by("email")
    assert [(i.email, i.role) for i in org_items][:2] == [
        ("admin@acme.test", "admin"),
        ("audience@acme.test", "user"),
    ]
    assert org_items.count() == OrgMembership.objects.filter(org=acme).count()
    reviewers = {
        (r.workspace.slug if r.workspace else None, r.user.email)
        for r in AccessReviewer.objects.filter(review=review).select_related("workspace", "user")
    }
    assert reviewers == {
        ("marketing", "wsadmin@acme.test"),
        ("sales", "admin@acme.test"),
        ("events", "admin@acme.test"),
        (None, "admin@acme.test"),
    }
    [entry] = entries(acme, "access_review")
    assert entry.action == "created" and entry.actor_email == "admin@acme.test"
    assert entry.changes["items"] == [None, review.items.count()]
    assert entry.changes["reviewers"][1]["Marketing"] == ["wsadmin@acme.test"]
    assert sorted(m.to[0] for m in mailoutbox) == ["admin@acme.test", "wsadmin@acme.test"]
    assert f"/orgs/acme/reviews/{review.pk}/queue/" in mailoutbox[0].body


def test_start_some_workspaces_with_chosen_reviewers(acme, demo):
    sales = Workspace.objects.get(org=acme, slug="sales")
    review = start(
        acme,
        demo,
        workspaces=[sales],
        include_org_roles=False,
        reviewers={sales: [demo["editor@acme.test"], demo["viewer@acme.test"]]},
    )
    assert list(review.items.values_list("email", flat=True)) == ["teamuser@acme.test"]
    assert set(review.reviewers.values_list("user__email", flat=True)) == {
        "editor@acme.test",
        "viewer@acme.test",
    }
    assert not review.all_workspaces and list(review.workspaces.all()) == [sales]


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"name": "  "}, "needs a name"),
        ({"deadline": timezone.now() - timedelta(minutes=1)}, "in the future"),
        ({"workspaces": [], "include_org_roles": False}, "at least one workspace"),
        ({"on_deadline": "shred"}, "Unknown deadline action"),
    ],
)
def test_start_refuses_bad_input_and_writes_nothing(acme, demo, kwargs, message):
    with pytest.raises(ServiceError, match=message):
        start(acme, demo, **kwargs)
    assert not AccessReview.objects.exists()
    assert not entries(acme, "access_review").exists()


def test_start_refuses_workspaces_and_reviewers_of_another_org(acme, globex, demo):
    main = Workspace.objects.get(org=globex)
    with pytest.raises(ServiceError, match="workspaces of this organization"):
        start(acme, demo, workspaces=[main])
    with pytest.raises(ServiceError, match="not a member of Acme"):
        start(acme, demo, reviewers={None: [demo["admin@globex.test"]]})
    assert not AccessReview.objects.exists()


# --- deciding ---------------------------------------------------------------------------------


def test_keep_changes_nothing_and_is_logged(acme, demo):
    review = start(acme, demo)
    editor = item(review, "editor@acme.test", "Marketing")
    decision = services.review_decide(actor=demo["wsadmin@acme.test"], item=editor, decision="keep")
    assert decision.reviewer_email == "wsadmin@acme.test" and decision.outcome == "No change."
    assert WorkspaceMembership.objects.filter(user=demo["editor@acme.test"]).exists()
    [entry] = entries(acme, "access_review_decision")
    assert entry.actor_email == "wsadmin@acme.test"
    assert entry.workspace_name == "Marketing"
    assert entry.entity_label == "editor@acme.test in Marketing: keep"
    assert entry.changes["decision"] == [None, "keep"]
    assert entry.changes["was"] == [None, "Editor (Flows Manager, Brand Kits Manager)"]


def test_remove_goes_through_the_membership_service_as_the_reviewer(acme, demo):
    review = start(acme, demo)
    viewer = item(review, "viewer@acme.test", "Marketing")
    decision = services.review_decide(
        actor=demo["wsadmin@acme.test"], item=viewer, decision="remove", note="left the team"
    )
    assert decision.outcome == "Removed the direct membership."
    assert not WorkspaceMembership.objects.filter(user=demo["viewer@acme.test"]).exists()
    removed = entries(acme, "workspace_member").get(action="deleted")
    assert removed.actor_email == "wsadmin@acme.test"
    logged = entries(acme, "access_review_decision").get()
    assert logged.changes["note"] == [None, "left the team"]
    assert logged.seq > removed.seq


def test_remove_takes_the_person_out_of_the_teams_that_give_access(acme, demo):
    review = start(acme, demo)
    teamuser = item(review, "teamuser@acme.test", "Sales")
    decision = services.review_decide(
        actor=demo["admin@acme.test"], item=teamuser, decision="remove"
    )
    assert decision.outcome == "Removed from team Field Sales."
    assert not TeamMembership.objects.filter(user=demo["teamuser@acme.test"]).exists()
    assert entries(acme, "team_member").get(action="deleted").actor_email == "admin@acme.test"


def test_change_sets_the_direct_role_and_flags(acme, demo):
    review = start(acme, demo)
    editor = item(review, "editor@acme.test", "Marketing")
    decision = services.review_decide(
        actor=demo["wsadmin@acme.test"],
        item=editor,
        decision="change",
        role="viewer",
        flags={"audience_viewer": True},
    )
    membership = WorkspaceMembership.objects.get(user=demo["editor@acme.test"])
    assert (membership.role, membership.flags) == (
        "viewer",
        {"flows_manager": False, "brand_kits_manager": False, "audience_viewer": True},
    )
    assert decision.new_role == "viewer"
    assert decision.outcome == "Direct role set to Viewer (Audience Viewer)."
    assert (
        entries(acme, "workspace_member").get(action="updated").actor_email == "wsadmin@acme.test"
    )


def test_change_says_when_a_team_keeps_more(acme, demo):
    review = start(acme, demo)
    teamuser = item(review, "teamuser@acme.test", "Sales")
    decision = services.review_decide(
        actor=demo["admin@acme.test"], item=teamuser, decision="change", role="viewer", flags={}
    )
    assert decision.outcome == (
        "Direct role set to Viewer. Effective access is Editor (Flows Manager, Brand Kits "
        "Manager) (direct, team Field Sales)."
    )


def test_org_role_items_change_and_remove_through_the_org_services(acme, demo):
    review = start(acme, demo)
    admin = demo["admin@acme.test"]
    services.review_decide(
        actor=admin, item=item(review, "editor@acme.test"), decision="change", role="admin"
    )
    assert OrgMembership.objects.get(org=acme, user=demo["editor@acme.test"]).role == "admin"
    services.review_decide(actor=admin, item=item(review, "outsider@acme.test"), decision="remove")
    assert not OrgMembership.objects.filter(org=acme, user=demo["outsider@acme.test"]).exists()
    assert entries(acme, "org_member").get(action="deleted").actor_email == "admin@acme.test"


@pytest.mark.parametrize(
    "reviewer, subject, workspace, message",
    [
        ("viewer@acme.test", "editor@acme.test", "Marketing", "not a reviewer"),
        ("wsadmin@acme.test", "wsadmin@acme.test", "Marketing", "your own access"),
        ("wsadmin@acme.test", "teamuser@acme.test", "Sales", "not a reviewer"),
        ("wsadmin@acme.test", "editor@acme.test", None, "not a reviewer"),
        ("admin@acme.test", "admin@acme.test", None, "your own access"),
    ],
)
def test_policy_refusals_change_nothing(acme, demo, reviewer, subject, workspace, message):
    review = start(acme, demo)
    before = ActivityEntry.objects.filter(org=acme).count()
    with pytest.raises(ServiceError, match=message):
        services.review_decide(
            actor=demo[reviewer], item=item(review, subject, workspace), decision="remove"
        )
    assert ActivityEntry.objects.filter(org=acme).count() == before
    assert OrgMembership.objects.filter(org=acme, user=demo[subject]).exists()


def test_an_item_is_decided_once(acme, demo):
    review = start(acme, demo)
    services.review_reviewer_add(
        actor=demo["admin@acme.test"], review=review, workspace=None, user=demo["wsadmin@acme.test"]
    )
    flows = item(review, "flows@acme.test")
    services.review_decide(actor=demo["admin@acme.test"], item=flows, decision="keep")
    with pytest.raises(ServiceError, match="already reviewed"):
        services.review_decide(actor=demo["wsadmin@acme.test"], item=flows, decision="remove")
    assert OrgMembership.objects.filter(org=acme, user=demo["flows@acme.test"]).exists()


def test_a_refused_change_records_no_decision(acme, demo):
    review = start(acme, demo)
    Team.objects.filter(name="Field Sales").update(managed_by_idp=True)
    teamuser = item(review, "teamuser@acme.test", "Sales")
    with pytest.raises(ServiceError, match="managed by your identity provider"):
        services.review_decide(actor=demo["admin@acme.test"], item=teamuser, decision="remove")
    assert not hasattr(AccessReviewItem.objects.get(pk=teamuser.pk), "decision")


# --- reviewers ------------------------------------------------------------------------------


def test_reviewers_are_added_and_removed_with_log_entries(acme, demo):
    review = start(acme, demo)
    admin, editor = demo["admin@acme.test"], demo["editor@acme.test"]
    marketing = Workspace.objects.get(org=acme, slug="marketing")
    services.review_reviewer_add(actor=admin, review=review, workspace=marketing, user=editor)
    with pytest.raises(ServiceError, match="already reviews Marketing"):
        services.review_reviewer_add(actor=admin, review=review, workspace=marketing, user=editor)
    with pytest.raises(ServiceError, match="not a member"):
        services.review_reviewer_add(
            actor=admin, review=review, workspace=marketing, user=demo["admin@globex.test"]
        )
    services.review_decide(
        actor=editor, item=item(review, "viewer@acme.test", "Marketing"), decision="keep"
    )
    services.review_reviewer_remove(actor=admin, review=review, workspace=marketing, user=editor)
    with pytest.raises(ServiceError, match="not a reviewer"):
        services.review_decide(
            actor=editor, item=item(review, "flows@acme.test", "Marketing"), decision="keep"
        )
    assert [(e.action, e.entity_label) for e in entries(acme, "access_reviewer")] == [
        ("created", "editor@acme.test reviews Marketing in Q1 review"),
        ("deleted", "editor@acme.test reviews Marketing in Q1 review"),
    ]


# --- the deadline -------------------------------------------------------------------------


def decide_all_but(review, demo, *left):
    """Keep every item except those about `left` (emails), as each item's first reviewer."""
    for it in review.items.all():
        if it.email in left:
            continue
        reviewers = AccessReviewer.objects.filter(review=review, workspace_id=it.scope)
        others = [r.user for r in reviewers if r.user_id != it.user_id]
        if not others:  # e.g. a workspace's only admin: the Org Admin reviews them
            admin = demo["admin@acme.test"]
            services.review_reviewer_add(
                actor=admin, review=review, workspace=it.workspace, user=admin
            )
            others = [admin]
        reviewer = others[0]
        services.review_decide(actor=reviewer, item=it, decision="keep")


def test_deadline_reports_unreviewed_items_to_the_starter(
    acme, demo, mailoutbox, django_capture_on_commit_callbacks
):
    review = start(acme, demo)
    services.review_reviewer_add(
        actor=demo["admin@acme.test"], review=review, workspace=None, user=demo["wsadmin@acme.test"]
    )
    decide_all_but(review, demo, "viewer@acme.test")
    AccessReview.objects.filter(pk=review.pk).update(deadline=timezone.now() - timedelta(seconds=1))
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        [closing] = services.close_due_reviews()
    assert [str(i) for i in closing.unreviewed] == [
        "viewer@acme.test in org role",
        "viewer@acme.test in Marketing",
    ]
    assert closing.removed == []
    review.refresh_from_db()
    assert (review.status, review.closed_by) == ("closed", "review")
    assert WorkspaceMembership.objects.filter(user=demo["viewer@acme.test"]).exists()
    [mail] = mailoutbox
    assert mail.to == ["admin@acme.test"]
    assert (
        "Not reviewed (2):\n- viewer@acme.test in org role\n- viewer@acme.test in Marketing"
        in mail.body
    )
    closed = entries(acme, "access_review").get(action="updated")
    assert closed.actor_email == "review"
    assert closed.changes["unreviewed"] == [None, 2]
    with pytest.raises(ServiceError, match="closed"):
        services.review_decide(
            actor=demo["wsadmin@acme.test"],
            item=item(review, "viewer@acme.test", "Marketing"),
            decision="keep",
        )
    assert services.close_due_reviews() == []  # closed once


def test_deadline_removes_unreviewed_access_when_the_review_says_so(acme, demo):
    review = start(acme, demo, on_deadline="remove", include_org_roles=False)
    decide_all_but(review, demo, "viewer@acme.test", "teamuser@acme.test")
    AccessReview.objects.filter(pk=review.pk).update(deadline=timezone.now())
    out = io.StringIO()
    call_command("close_access_reviews", stdout=out)
    assert (
        out.getvalue() == "acme: closed 'Q1 review' — 0 unreviewed, 2 removed\nClosed 1 review.\n"
    )
    assert not WorkspaceMembership.objects.filter(user=demo["viewer@acme.test"]).exists()
    assert not TeamMembership.objects.filter(user=demo["teamuser@acme.test"]).exists()
    assert entries(acme, "workspace_member").get(action="deleted").actor_email == "review"
    assert entries(acme, "team_member").get(action="deleted").actor_email == "review"
    auto = AccessReviewItem.objects.get(review=review, email="viewer@acme.test").decision
    assert (auto.decision, auto.reviewer_email, auto.automatic) == ("remove", "review", True)


def test_deadline_removal_refused_by_a_service_stays_unreviewed(acme, demo):
    review = start(acme, demo, on_deadline="remove", workspaces=[])
    decide_all_but(review, demo, "admin@acme.test")  # nobody else reviews the only admin
    closing = services.review_close(actor="review", review=review)
    assert closing.removed == []
    [(refused, reason)] = closing.refused
    assert refused.email == "admin@acme.test" and "at least one Org Admin" in reason
    assert OrgMembership.objects.get(org=acme, user=demo["admin@acme.test"]).role == "admin"


def test_the_beat_schedule_runs_the_deadline_task(settings):
    from orgs import tasks

    entry = settings.CELERY_BEAT_SCHEDULE["close-access-reviews"]
    assert entry["task"] == tasks.close_access_reviews.name


# --- evidence -----------------------------------------------------------------------------


def test_evidence_csv_cell_by_cell(acme, demo):
    marketing = Workspace.objects.get(org=acme, slug="marketing")
    review = start(acme, demo, workspaces=[marketing], include_org_roles=False)
    wsadmin = demo["wsadmin@acme.test"]
    editor = item(review, "editor@acme.test", "Marketing")
    services.review_decide(actor=wsadmin, item=editor, decision="change", role="viewer", flags={})
    services.review_decide(
        actor=wsadmin,
        item=item(review, "flows@acme.test", "Marketing"),
        decision="remove",
        note="=HYPERLINK(left)",
    )
    rows = list(csv.reader(io.StringIO("".join(evidence_csv(review=review)))))
    assert rows[0] == list(HEADER)
    decisions = {
        d.item.email: d
        for d in review.items.filter(decision__isnull=False).select_related("decision")
        for d in [d.decision]
    }
    assert rows[1:] == [
        [
            "Marketing",
            "audience@acme.test",
            "Aud Ience",
            "User",
            "Viewer",
            "no",
            "no",
            "yes",
            "direct",
            "unreviewed",
            "",
            "",
            "",
            "",
            "",
        ],
        [
            "Marketing",
            "editor@acme.test",
            "Eddie Editor",
            "User",
            "Editor",
            "yes",
            "yes",
            "no",
            "direct",
            "change",
            "wsadmin@acme.test",
            decisions["editor@acme.test"].decided_at.isoformat(),
            "Viewer",
            "Direct role set to Viewer.",
            "",
        ],
        [
            "Marketing",
            "flows@acme.test",
            "Flo Manager",
            "User",
            "Viewer",
            "yes",
            "no",
            "no",
            "direct",
            "remove",
            "wsadmin@acme.test",
            decisions["flows@acme.test"].decided_at.isoformat(),
            "",
            "Removed the direct membership.",
            "'=HYPERLINK(left)",
        ],
        [
            "Marketing",
            "viewer@acme.test",
            "Vera Viewer",
            "User",
            "Viewer",
            "no",
            "no",
            "no",
            "direct",
            "unreviewed",
            "",
            "",
            "",
            "",
            "",
        ],
        [
            "Marketing",
            "wsadmin@acme.test",
            "Walt Workspace",
            "User",
            "Admin",
            "yes",
            "yes",
            "yes",
            "direct",
            "unreviewed",
            "",
            "",
            "",
            "",
            "",
        ],
    ]
    exported = entries(acme, "access_review").get(action="exported")
    assert exported.changes == {"format": [None, "csv"]}


# --- at the same moment (PostgreSQL) ----------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_reviewers_deciding_one_item_at_once_record_one_decision(acme, demo):
    from tests.concurrency import run_at_once

    review = start(acme, demo)
    marketing = Workspace.objects.get(org=acme, slug="marketing")
    admin, wsadmin = demo["admin@acme.test"], demo["wsadmin@acme.test"]
    services.review_reviewer_add(actor=admin, review=review, workspace=marketing, user=admin)
    viewer = item(review, "viewer@acme.test", "Marketing")
    outcomes = run_at_once(
        [
            lambda: services.review_decide(actor=wsadmin, item=viewer, decision="remove"),
            lambda: services.review_decide(actor=admin, item=viewer, decision="keep"),
        ],
        expected=(ServiceError,),
    )
    refused = [o for o in outcomes if isinstance(o, ServiceError)]
    assert len(refused) == 1 and "already reviewed" in refused[0].text
    [made] = [o for o in outcomes if not isinstance(o, ServiceError)]
    assert entries(acme, "access_review_decision").count() == 1
    removed = entries(acme, "workspace_member").filter(action="deleted").count()
    assert removed == (1 if made.decision == "remove" else 0)
    still_member = WorkspaceMembership.objects.filter(user=demo["viewer@acme.test"]).exists()
    assert still_member == (made.decision == "keep")


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_decision_and_the_deadline_at_once_never_both_act(acme, demo):
    from tests.concurrency import run_at_once

    review = start(acme, demo, on_deadline="remove", include_org_roles=False)
    viewer = item(review, "viewer@acme.test", "Marketing")
    outcomes = run_at_once(
        [
            lambda: services.review_decide(
                actor=demo["wsadmin@acme.test"], item=viewer, decision="keep"
            ),
            lambda: services.review_close(actor="review", review=review),
        ],
        expected=(ServiceError,),
    )
    decision = AccessReviewItem.objects.get(pk=viewer.pk).decision
    if isinstance(outcomes[0], ServiceError):  # the deadline came first and removed it
        assert "closed" in outcomes[0].text
        assert (decision.decision, decision.reviewer_email) == ("remove", "review")
    else:  # the reviewer came first: the deadline left the kept item alone
        assert (decision.decision, decision.reviewer_email) == ("keep", "wsadmin@acme.test")
        assert WorkspaceMembership.objects.filter(user=demo["viewer@acme.test"]).exists()
    assert entries(acme, "access_review_decision").filter(entity_id=str(viewer.pk)).count() == 1
