"""Every write of an access review: start it, choose its reviewers, decide its items, close it.
Each is a service (`*, actor`, atomic, org lock first) that logs what it did; a decision that
changes access goes through the normal services with the reviewer as actor, so the change is
logged as theirs, next to the decision entry.

Lock order (README "Concurrency"): the org's chain head (`lock_org`), then the review row, then
what the decision changes (the services it calls take the same org lock again: a no-op)."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from audit.context import actor_of, service
from audit.recording import record
from workspaces import services as workspace_services
from workspaces.models import Workspace

from .. import permissions
from ..access_report import access_rows
from ..errors import ServiceError, unique_or_error
from ..locking import lock_org, lock_row
from ..models import Team, User
from ..roles import FLAG_LABELS, FLAGS, OrgRole, WorkspaceRole
from ..selectors import org_workspaces
from ..services import member_remove, org_role_set, require_fit, require_member, team_member_remove
from .models import (
    AccessReview,
    AccessReviewDecision,
    AccessReviewer,
    AccessReviewItem,
    DeadlineAction,
    Decision,
    ItemKind,
    ReviewStatus,
)
from .preview import chosen_flags, removal_plan

log = logging.getLogger(__name__)

DEADLINE_ACTOR = "review"  # the actor of what the deadline job does


def _lock_review(review) -> AccessReview:
    """The review row, locked (after `lock_org`); ServiceError when it is closed."""
    locked = lock_row(AccessReview.objects.filter(pk=review.pk))
    if locked is None or not locked.is_open:
        raise ServiceError(
            "This review is closed: its decisions can no longer change.", code="closed"
        )
    return locked


def _scope_name(workspace_name: str | None) -> str:
    return workspace_name if workspace_name else "the org roles"


def _absolute(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def _mail_on_commit(subject: str, template: str, context: dict, recipients: list[str]) -> None:
    """Send once the transaction commits; a failing mail server is logged, never undoes the
    review (the console shows the same information)."""
    recipients = sorted({r for r in recipients if r})
    if not recipients:
        return
    body = render_to_string(template, context)

    def send():
        for recipient in recipients:  # one mail each: reviewers don't see each other's address
            try:
                send_mail(subject, body, None, [recipient])
            except OSError:
                log.exception("Could not email %s about an access review", recipient)

    transaction.on_commit(send)


# --- start --------------------------------------------------------------------------------


@service
def review_start(
    *,
    actor,
    org,
    name: str,
    deadline,
    workspaces=None,
    include_org_roles: bool = True,
    on_deadline: str = DeadlineAction.REPORT,
    reviewers: dict | None = None,
) -> AccessReview:
    """Start a review of `org`: a snapshot of every person's effective access to each
    workspace in scope (`workspaces`: Workspace objects, None = all of them; access only as
    Org Admin is left to the org roles) and, with `include_org_roles`, of each member's org
    role. `deadline`: an aware datetime in the future. `on_deadline`: "report" or "remove".
    `reviewers`: {Workspace or None (org roles): [User, …]} replacing the defaults for those
    scopes (policy `default_reviewers`: the workspace's admins, the Org Admins for org roles).
    ServiceError on a missing name, a past deadline, an empty scope, a foreign workspace or a
    reviewer who is not an org member. Logged as one `created` entry; reviewers are emailed."""
    name = (name or "").strip()
    if not name:
        raise ServiceError("A review needs a name.", code="name")
    require_fit(AccessReview, name=name)
    if deadline is None or deadline <= timezone.now():
        raise ServiceError("The deadline must be in the future.", code="deadline")
    if on_deadline not in DeadlineAction.values:
        raise ServiceError(f"Unknown deadline action {on_deadline!r}.", code="on_deadline")
    lock_org(org)
    in_org = org_workspaces(org)
    if workspaces is None:
        scope = list(in_org)
    else:
        ids = {ws.pk for ws in workspaces}
        scope = list(in_org.filter(pk__in=ids))
        if len(scope) != len(ids):
            raise ServiceError("Choose workspaces of this organization.", code="workspaces")
    if not scope and not include_org_roles:
        raise ServiceError("Choose at least one workspace, or the org roles.", code="scope")

    members = permissions.members_access(org)
    items = [
        AccessReviewItem(
            kind=ItemKind.WORKSPACE,
            workspace_id=row.workspace_id,
            workspace_name=row.workspace_name,
            user_id=row.user_id,
            email=row.email,
            full_name=row.name,
            org_role=row.org_role,
            role=row.access.role,
            flags=dict(row.access.flags),
            sources=row.sources,
        )
        for row in access_rows(org, [ws.pk for ws in scope], members=members)
        if permissions.reviewable(row.access)
    ]
    people = User.objects.filter(pk__in=list(members)).order_by("email")
    emails = dict(people.values_list("pk", "email"))
    if include_org_roles:
        for user_id, email, full_name in people.values_list("pk", "email", "full_name"):
            role = members[user_id].org_role
            items.append(
                AccessReviewItem(
                    kind=ItemKind.ORG_ROLE,
                    user_id=user_id,
                    email=email,
                    full_name=full_name,
                    org_role=role,
                    role=role,
                    sources=["org membership"],
                )
            )

    chosen = permissions.default_reviewers(members, [ws.pk for ws in scope])
    if not include_org_roles:
        chosen.pop(permissions.ORG_ROLES)
    for target, users in (reviewers or {}).items():
        key = getattr(target, "pk", target)
        if key not in chosen:
            raise ServiceError(f"{target} is not part of this review.", code="reviewers")
        for user in users:
            if user.pk not in members:
                raise ServiceError(f"{user.email} is not a member of {org.name}.", code="reviewers")
        chosen[key] = {user.pk for user in users}

    starter = actor_of(actor)
    review = AccessReview.objects.create(
        org=org,
        name=name,
        started_by=starter.user,
        started_by_email=starter.email,
        deadline=deadline,
        all_workspaces=workspaces is None,
        include_org_roles=include_org_roles,
        on_deadline=on_deadline,
    )
    review.workspaces.set(scope)
    for item in items:
        item.review = review
    AccessReviewItem.objects.bulk_create(items, batch_size=1000)
    AccessReviewer.objects.bulk_create(
        [
            AccessReviewer(review=review, workspace_id=key, user_id=user_id)
            for key, users in chosen.items()
            for user_id in sorted(users)
        ],
        batch_size=1000,
    )
    names = {ws.pk: ws.name for ws in scope}
    record(
        action="created",
        org=org,
        entity_type="access_review",
        entity_id=review.pk,
        entity_label=name,
        changes={
            "deadline": [None, deadline],
            "workspaces": [None, "all" if workspaces is None else [ws.name for ws in scope]],
            "org_roles": [None, include_org_roles],
            "on_deadline": [None, on_deadline],
            "items": [None, len(items)],
            "reviewers": [
                None,
                {
                    _scope_name(names.get(key)): sorted(emails.get(u, f"#{u}") for u in users)
                    for key, users in chosen.items()
                },
            ],
        },
    )
    queue = _absolute(reverse("orgs:review_queue", args=[org.slug, review.pk]))
    _mail_on_commit(
        f"Access review: {name}",
        "orgs/email/review_started.txt",
        {"review": review, "org": org, "queue_url": queue},
        [emails.get(u) for users in chosen.values() for u in users],
    )
    return review


# --- reviewers ------------------------------------------------------------------------------


def _review_scope_check(review, workspace) -> None:
    if workspace is None:
        if not review.include_org_roles:
            raise ServiceError("This review does not cover the org roles.", code="scope")
    elif not review.workspaces.filter(pk=workspace.pk).exists():
        raise ServiceError(f"{workspace.name} is not part of this review.", code="scope")


@service
def review_reviewer_add(*, actor, review, workspace, user) -> AccessReviewer:
    """Make `user` (an org member) a reviewer of `workspace` (None: the org roles) in an open
    review. ServiceError when they already are, or the scope is not in the review."""
    lock_org(review.org_id)
    review = _lock_review(review)
    _review_scope_check(review, workspace)
    require_member(review.org, user)
    where = _scope_name(workspace.name if workspace else None)
    rows = AccessReviewer.objects.filter(review=review, workspace=workspace, user=user)
    taken = f"{user.email} already reviews {where}."
    if rows.exists():
        raise ServiceError(taken, code="duplicate")
    with unique_or_error(taken, code="duplicate"):
        reviewer = AccessReviewer.objects.create(review=review, workspace=workspace, user=user)
    _record_reviewer("created", review, workspace, user, where)
    return reviewer


@service
def review_reviewer_remove(*, actor, review, workspace, user) -> None:
    lock_org(review.org_id)
    review = _lock_review(review)
    where = _scope_name(workspace.name if workspace else None)
    row = lock_row(AccessReviewer.objects.filter(review=review, workspace=workspace, user=user))
    if row is None:
        raise ServiceError(f"{user.email} does not review {where}.", code="gone")
    row.delete()
    _record_reviewer("deleted", review, workspace, user, where)


def _record_reviewer(action: str, review, workspace, user, where: str) -> None:
    """The `access_reviewer` entry of `user` made ("created") or no longer ("deleted") a
    reviewer of `where` (the scope's name) in `review`."""
    email = [None, user.email] if action == "created" else [user.email, None]
    record(
        action=action,
        org=review.org_id,
        workspace=workspace,
        entity_type="access_reviewer",
        entity_id=review.pk,
        entity_label=f"{user.email} reviews {where} in {review.name}",
        changes={"reviewer": email},
    )


# --- decisions ------------------------------------------------------------------------------


def reviewer_scopes(review, user) -> set:
    """The scopes (workspace ids; None = org roles) `user` reviews in `review`: one query."""
    return set(
        AccessReviewer.objects.filter(review=review, user=user).values_list(
            "workspace_id", flat=True
        )
    )


def role_text(kind: str, role: str, flags: dict | None = None) -> str:
    """'Org Admin', or 'Editor (Flows Manager, Audience Viewer)' for a workspace item."""
    if kind == ItemKind.ORG_ROLE:
        return f"Org {OrgRole(role).label}"
    on = [FLAG_LABELS[f] for f in FLAGS if (flags or {}).get(f)]
    return WorkspaceRole(role).label + (f" ({', '.join(on)})" if on else "")


@dataclass
class _Change:
    outcome: str
    new_role: str = ""
    new_flags: dict = field(default_factory=dict)


def _live(item) -> tuple[User, Workspace | None]:
    """The person and workspace an item is about, as they are now (ServiceError when gone)."""
    user = User.objects.filter(pk=item.user_id).first() if item.user_id else None
    if user is None:
        raise ServiceError(f"{item.email}'s account no longer exists.", code="gone")
    workspace = None
    if item.kind == ItemKind.WORKSPACE:
        workspace = Workspace.objects.select_related("org").filter(pk=item.workspace_id).first()
        if workspace is None:
            raise ServiceError(f"The workspace {item.workspace_name} was deleted.", code="gone")
    return user, workspace


def _apply(actor, review, item, decision, role, flags) -> _Change:
    """Carry out a decision through the normal services, with `actor` as their actor."""
    if decision == Decision.KEEP:
        return _Change("No change.")
    user, workspace = _live(item)
    if item.kind == ItemKind.ORG_ROLE:
        if decision == Decision.REMOVE:
            member_remove(actor=actor, org=review.org, user=user)
            return _Change(f"Removed from {review.org.name}.")
        if not permissions.is_org_role(role):
            raise ServiceError("Choose the org role to change to.", code="role")
        org_role_set(actor=actor, org=review.org, user=user, role=role)
        return _Change(f"Org role set to {OrgRole(role).label}.", new_role=role)
    if decision == Decision.CHANGE:
        if not permissions.is_workspace_role(role):
            raise ServiceError("Choose the workspace role to change to.", code="role")
        membership = workspace_services.workspace_member_set(
            actor=actor, workspace=workspace, user=user, role=role, flags=chosen_flags(flags)
        )
        after = permissions.members_access(review.org_id, [user.pk])[user.pk].workspace(
            workspace.pk
        )
        text = f"Direct role set to {role_text(item.kind, membership.role, membership.flags)}."
        if (after.role, after.flags) != (membership.role, membership.flags):
            text += (
                f" Effective access is {role_text(item.kind, after.role, after.flags)} "
                f"({', '.join(s.label for s in after.sources)})."
            )
        return _Change(text, new_role=membership.role, new_flags=membership.flags)
    # Remove: every source this review can take away, as they are now.
    plan = removal_plan(review.org_id, item)
    done = []
    if plan.direct:
        workspace_services.workspace_member_remove(actor=actor, workspace=workspace, user=user)
        done.append("removed the direct membership")
    for team in Team.objects.filter(org_id=review.org_id, name__in=plan.teams).order_by("name"):
        team_member_remove(actor=actor, team=team, user=user)
        done.append(f"removed from team {team.name}")
    text = "; ".join(done) + "." if done else "had no access left to remove."
    text = text[0].upper() + text[1:]
    if plan.org_admin:
        text += " Still reaches it as Org Admin (reviewed with the org roles)."
    return _Change(text)


def _decide(*, actor, review, item, decision, role=None, flags=None, note="", automatic=False):
    if decision not in Decision.values:
        raise ServiceError(f"Unknown decision {decision!r}: keep, change or remove.")
    if AccessReviewDecision.objects.filter(item=item).exists():
        raise ServiceError(f"{item} was already reviewed.", code="duplicate")
    note = (note or "").strip()
    require_fit(AccessReviewDecision, note=note)
    change = _apply(actor, review, item, decision, role, flags)
    who = actor_of(actor)
    with unique_or_error(f"{item} was already reviewed.", code="duplicate"):
        made = AccessReviewDecision.objects.create(
            item=item,
            decision=decision,
            reviewer=who.user,
            reviewer_email=who.email,
            new_role=change.new_role,
            new_flags=change.new_flags,
            note=note,
            outcome=change.outcome[:500],
            automatic=automatic,
        )
    where = item.workspace_name if item.kind == ItemKind.WORKSPACE else "org role"
    record(
        action="created",
        org=review.org_id,
        workspace=Workspace.objects.filter(pk=item.workspace_id).first()
        if item.workspace_id
        else None,
        entity_type="access_review_decision",
        entity_id=item.pk,
        entity_label=f"{item.email} in {where}: {decision}"[:255],
        changes={
            "review": [None, review.name],
            "decision": [None, decision],
            "was": [None, role_text(item.kind, item.role, item.flags)],
            **({"note": [None, note]} if note else {}),
            "outcome": [None, made.outcome],
            **({"automatic": [None, True]} if automatic else {}),
        },
    )
    return made


@service
def review_decide(
    *, actor, item, decision: str, role=None, flags=None, note: str = ""
) -> AccessReviewDecision:
    """`actor` (a reviewer of the item's scope, not the person it is about) keeps, changes or
    removes one item. change: `role` (a workspace role and `flags` {flag: bool}, or an org
    role); remove: the direct membership and the teams that give the access (workspace), or
    the org membership (org role). ServiceError when the policy refuses, the item was already
    decided, or the service that makes the change refuses it (nothing is then recorded)."""
    lock_org(item.review.org_id)
    review = _lock_review(item.review)
    refusal = permissions.review_refusal(
        permissions.org_access(actor, review.org_id),
        user_id=actor.pk,
        is_open=review.is_open,
        scopes=reviewer_scopes(review, actor),
        item_scope=item.scope,
        subject_id=item.user_id,
    )
    if refusal:
        raise ServiceError(refusal, code="refused")
    return _decide(
        actor=actor, review=review, item=item, decision=decision, role=role, flags=flags, note=note
    )


# --- closing --------------------------------------------------------------------------------


@dataclass
class Closing:
    review: AccessReview
    unreviewed: list = field(default_factory=list)  # items left without a decision
    removed: list = field(default_factory=list)  # items the deadline removed
    refused: list = field(default_factory=list)  # (item, reason) the deadline could not remove


@service
def review_close(*, actor, review) -> Closing:
    """Close an open review (its deadline passed, or an Org Admin closes it early). Unreviewed
    items are removed through the services with `actor` when the review says so (an item a
    service refuses — e.g. the last Org Admin — stays unreviewed with the reason), otherwise
    left unreviewed; the starter gets the list by email. Logged as one `updated` entry."""
    lock_org(review.org_id)
    review = _lock_review(review)
    closing = Closing(review)
    pending = list(
        AccessReviewItem.objects.filter(review=review, decision__isnull=True).order_by(
            "kind", "workspace_name", "email", "pk"
        )
    )
    for item in pending:
        if review.on_deadline != DeadlineAction.REMOVE:
            closing.unreviewed.append(item)
            continue
        try:
            with transaction.atomic():
                _decide(
                    actor=actor, review=review, item=item, decision=Decision.REMOVE, automatic=True
                )
        except ServiceError as error:
            closing.refused.append((item, error.text))
            closing.unreviewed.append(item)
        else:
            closing.removed.append(item)
    review.status = ReviewStatus.CLOSED
    review.closed_at = timezone.now()
    review.closed_by = actor_of(actor).email
    review.save(update_fields=["status", "closed_at", "closed_by"])
    record(
        action="updated",
        org=review.org_id,
        entity_type="access_review",
        entity_id=review.pk,
        entity_label=review.name,
        changes={
            "status": [ReviewStatus.OPEN, ReviewStatus.CLOSED],
            "unreviewed": [None, len(closing.unreviewed)],
            "removed_at_deadline": [None, len(closing.removed)],
        },
    )
    evidence = _absolute(reverse("orgs:review", args=[review.org.slug, review.pk]))
    _mail_on_commit(
        f"Access review closed: {review.name}",
        "orgs/email/review_closed.txt",
        {"closing": closing, "review": review, "evidence_url": evidence},
        [review.started_by.email if review.started_by else review.started_by_email],
    )
    return closing


def close_due_reviews(*, actor=DEADLINE_ACTOR, now=None) -> list[Closing]:
    """Close every open review whose deadline has passed (the beat schedule and the
    `close_access_reviews` command), each in its own transaction; returns what each did."""
    due = AccessReview.objects.filter(
        status=ReviewStatus.OPEN, deadline__lte=now or timezone.now()
    ).order_by("deadline", "pk")
    closed = []
    for review in due.select_related("org", "started_by"):
        try:
            closed.append(review_close(actor=actor, review=review))
        except ServiceError:  # closed by someone else a moment ago
            continue
    return closed
