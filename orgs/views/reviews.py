"""Access reviews (SPEC §10): Org Admins start reviews, choose reviewers, close them and read
the evidence; reviewers work through their queue. Who may decide what is the policy's
(`permissions.review_refusal`); every write is a service in orgs.reviews.services."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from flowadmin.downloads import csv_attachment
from flowadmin.htmx import paginate, render_page, resubmission, wants_partial
from flowadmin.params import integer
from workspaces.models import Workspace

from .. import people, permissions
from ..decorators import org_view
from ..errors import ServiceError
from ..reviews import selectors, services
from ..reviews.evidence import evidence_csv, row_of
from ..reviews.forms import DecisionForm, ReviewerAddForm, ReviewStartForm
from ..reviews.models import AccessReview, AccessReviewer, AccessReviewItem, Decision, ItemKind
from ..reviews.preview import chosen_flags, decision_preview, removal_plan
from ..roles import OrgRole
from ..selectors import org_workspaces

MANAGE = "org.manage_reviews"
SCOPES_PER_PAGE = 25  # parts of a review (workspaces) per page of its detail page
QUEUE_PER_PAGE = 25  # items per page of a reviewer's queue


def _review(request, review_id) -> AccessReview:
    return get_object_or_404(
        AccessReview.objects.select_related("started_by"), pk=review_id, org=request.org
    )


@require_GET
@org_view("org.view")
def review_list(request):
    """Org Admins: every review of the org; other members: the reviews they review."""
    every = request.user.has_perm(MANAGE, request.org)
    reviews = selectors.reviews_for(request.org, request.user, every=every)
    return render(
        request,
        "orgs/reviews/list.html",
        {"page": paginate(request, reviews, per_page=25), "can_manage": every},
    )


# The start form's picker: the parameter of its search text, and the `action` of its Find button
# (which shows the form again, starting nothing).
FIND = "find"


@require_http_methods(["GET", "POST"])
@org_view(MANAGE)
def review_start(request):
    """The start form. Its workspace picker finds workspaces by name and keeps the ticked ones
    across searches (a POST with action=find shows the form again as typed; htmx swaps only
    the picker's options); "Start the review" validates and starts it."""
    workspaces = org_workspaces(request.org)
    finding = request.method == "POST" and request.POST.get("action") == FIND
    if request.method == "POST" and not finding:
        form = ReviewStartForm(request.POST, workspaces=workspaces)
        if form.is_valid():
            try:
                review = services.review_start(
                    actor=request.user,
                    org=request.org,
                    name=form.cleaned_data["name"],
                    deadline=form.cleaned_data["deadline"],
                    workspaces=form.chosen_workspaces(),
                    include_org_roles=form.cleaned_data["include_org_roles"],
                    on_deadline=form.cleaned_data["on_deadline"],
                )
            except ServiceError as error:
                field = {"deadline": "deadline", "scope": "workspaces", "name": "name"}
                form.add_error(field.get(error.code), error)
            else:
                messages.success(request, f"Started {review.name}: its reviewers were emailed.")
                return redirect("orgs:review", org_slug=request.org.slug, review_id=review.pk)
    elif finding:
        form = ReviewStartForm.refilled(request.POST, workspaces=workspaces)
    else:
        deadline = (timezone.now() + timezone.timedelta(days=14)).replace(second=0)
        form = ReviewStartForm(workspaces=workspaces, initial={"deadline": deadline})
    data = request.POST if request.method == "POST" else request.GET
    pick = people.workspace_pick(request.org, people.chosen_ids(data), data.get(FIND, ""))
    return render_page(
        request,
        "orgs/reviews/start.html",
        {"form": form, "pick": pick, "swap": finding and wants_partial(request)},
        partial="ws_options" if finding else None,
        refused=form.errors,
    )


@require_GET
@org_view(MANAGE)
def review_detail(request, review_id):
    review = _review(request, review_id)
    scopes = selectors.scopes(review)
    context = {
        "review": review,
        "page": paginate(request, scopes, SCOPES_PER_PAGE),
        "add_form": ReviewerAddForm(),
    }
    return render(request, "orgs/reviews/detail.html", context)


def _scope_workspace(request, params):
    key = selectors.parse_scope(params)
    if key is False:
        raise Http404("No such part of this review.")
    if key is None:
        return None
    return get_object_or_404(Workspace, pk=key, org=request.org)


def _back_to_reviewers(request, review):
    """The review page the reviewer form was on (its page of parts), at the reviewers."""
    page = integer(request.POST, "page") or 1
    detail = reverse("orgs:review", args=[request.org.slug, review.pk])
    return redirect(f"{detail}?page={page}#reviewers")


@require_POST
@org_view(MANAGE)
def review_reviewer_add(request, review_id):
    review = _review(request, review_id)
    workspace = _scope_workspace(request, request.POST)
    form = ReviewerAddForm(request.POST)
    if form.is_valid():
        email = form.cleaned_data["email"]
        user = people.member_with_email(request.org, email)
        if user is None:
            form.add_error("email", f"{email} is not a member of {request.org.name}.")
        else:
            try:
                services.review_reviewer_add(
                    actor=request.user, review=review, workspace=workspace, user=user
                )
            except ServiceError as error:
                form.add_error("email", error)
    if not form.errors:
        messages.success(request, f"{form.cleaned_data['email']} is now a reviewer.")
        return _back_to_reviewers(request, review)
    for error in form.errors.get("email", []):
        messages.error(request, error)
    return _back_to_reviewers(request, review)


def _reviewer(request, review) -> AccessReviewer:
    """A reviewer row of `review` (any part) of the user the POST names; 404 for anyone else:
    the service's "… does not review …" names the user, and another org's user id must not
    show their email."""
    reviewer = (
        AccessReviewer.objects.select_related("user")
        .filter(review=review, user_id=integer(request.POST, "user") or 0)
        .first()
    )
    if reviewer is None:
        raise Http404("That person does not review any part of this review.")
    return reviewer


@require_POST
@org_view(MANAGE)
def review_reviewer_remove(request, review_id):
    review = _review(request, review_id)
    workspace = _scope_workspace(request, request.POST)
    user = _reviewer(request, review).user
    try:
        services.review_reviewer_remove(
            actor=request.user, review=review, workspace=workspace, user=user
        )
    except ServiceError as error:
        messages.error(request, error.text)
    else:
        messages.success(request, f"{user.email} no longer reviews that part.")
    return _back_to_reviewers(request, review)


@require_http_methods(["GET", "POST"])
@org_view(MANAGE)
def review_close(request, review_id):
    review = _review(request, review_id)
    detail = reverse("orgs:review", args=[request.org.slug, review.pk])
    if not review.is_open:
        return redirect(detail)
    if request.method == "POST":
        try:
            closing = services.review_close(actor=request.user, review=review)
        except ServiceError as error:
            messages.error(request, error.text)
        else:
            messages.success(
                request,
                f"Closed {review.name}: {len(closing.unreviewed)} unreviewed, "
                f"{len(closing.removed)} removed.",
            )
        return redirect(detail)
    deadline = date_format(timezone.localtime(review.deadline), "j M Y, H:i T")
    if review.on_deadline == "remove":
        unreviewed = "removes the access nobody reviewed, through the usual services"
    else:
        unreviewed = f"reports the items nobody reviewed to {review.started_by_email}"
    context = {
        "standalone": True,
        "back_url": detail,
        "back_label": review.name,
        "title": f"Close {review.name} now?",
        "message": f"Closing ends the review before its deadline, {deadline}, and {unreviewed}. "
        "Reviewers can no longer decide.",
        "button": "Close the review",
        "cancel": detail,
    }
    return render(request, "orgs/confirm.html", context)


@require_GET
@org_view(MANAGE)
def review_evidence_csv(request, review_id):
    review = _review(request, review_id)
    filename = f"access-review-{request.org.slug}-{review.pk}.csv"
    return csv_attachment(evidence_csv(review=review), filename)


@require_GET
@org_view(MANAGE)
def review_evidence(request, review_id):
    """The printable evidence: every item, its decision and outcome (print CSS)."""
    review = _review(request, review_id)
    items = list(selectors.evidence_items(review))
    context = {
        "review": review,
        "rows": [(item, row_of(item)) for item in items],
        "decided": sum(1 for item in items if hasattr(item, "decision")),
        "total": len(items),
    }
    return render(request, "orgs/reviews/evidence.html", context)


# --- the reviewer's queue -------------------------------------------------------------------


def _reviewer_review(request, review_id):
    """The review and the scopes the user reviews in it; 403 for members who review none of
    it (Org Admins included: the queue is the reviewers')."""
    review = _review(request, review_id)
    scopes = selectors.scopes(review, user=request.user)
    if not scopes:
        raise PermissionDenied("You are not a reviewer of this access review.")
    return review, scopes


@require_GET
@org_view("org.view")
def review_queue(request, review_id):
    review, scopes = _reviewer_review(request, review_id)
    key = selectors.parse_scope(request.GET)
    current = next((s for s in scopes if s.key == key), scopes[0])
    items = selectors.queue_items(review, current.key)
    page = paginate(request, items, QUEUE_PER_PAGE)
    context = {"review": review, "scopes": scopes, "current": current, "page": page}
    return render(request, "orgs/reviews/queue.html", context)


def _refusal(request, review, scopes, item):
    """Why the user may not decide `item` (`scopes`: the ones they review), or None."""
    return permissions.review_refusal(
        request.org_access,
        user_id=request.user.pk,
        is_open=review.is_open,
        scopes={s.key for s in scopes},
        item_scope=item.scope,
        subject_id=item.user_id,
    )


def _confirmation(request, review, item, decision, *, role, flags, queue):
    """The confirmation step of a "remove", or of a "change" that lowers someone's access: what
    it takes away and the impact preview (orgs.previews, as every confirmation of the console),
    posting the decision again with `confirmed`. None: record it at once (keep, a change that
    lowers nothing, or an item whose account is gone — the service then says why)."""
    if decision == Decision.KEEP:
        return None
    org, org_item = request.org, item.kind == ItemKind.ORG_ROLE
    removing = decision == Decision.REMOVE
    plan = removal_plan(org, item) if removing and not org_item and item.user_id else None
    preview = decision_preview(org, item, decision, role=role, flags=flags, plan=plan)
    if preview is None or not (removing or preview.lowers):
        return None
    who, where = item.email, item.workspace_name
    points = []
    if removing and org_item:
        title = f"Remove {who}’s membership of {org.name}?"
        message = f"They leave {org.name}: every workspace and team membership in it ends."
        button = "Remove"
    elif removing:
        title = f"Remove {who}’s access to {where}?"
        message = "Recording “Remove” takes away, now:"
        button = "Remove"
        if plan.direct:
            points.append(f"Their direct membership of {where} ends.")
        points += [
            f"They leave the team {team}, and with it every workspace the team gives access to."
            for team in plan.teams
        ]
        if plan.empty:
            points.append("They have no direct or team access left to remove.")
        if plan.org_admin:
            points.append(
                f"They still reach {where} as Org Admin: that is reviewed with the org roles."
            )
    elif org_item:
        label = OrgRole(role).label
        title = f"Make {who} an Org {label}?"
        message = f"Recording “Change” sets their Primary Role in {org.name} to {label}, now."
        button = f"Make them an Org {label}"
    else:
        new_role, new_flags = permissions.grant_after(None, role, chosen_flags(flags))
        title = f"Change {who}’s access to {where}?"
        message = (
            f"Recording “Change” sets their direct role in {where} to "
            f"{services.role_text(item.kind, new_role, new_flags)}, now; access through a team "
            "stays."
        )
        button = "Change their access"
    context = {
        "review": review,
        "item": item,
        "queue_url": queue,
        "confirming": True,
        "title": title,
        "message": message,
        "consequences": points,
        "preview": preview,
        "action": request.path,
        "fields": resubmission(request),
        "button": button,
        "cancel": queue,
    }
    return render(request, "orgs/reviews/item.html", context)


@require_http_methods(["GET", "POST"])
@org_view("org.view")
def review_item(request, review_id, item_id):
    """Decide one item: keep at once; "remove", and a "change" that lowers access, after a
    confirmation with who loses what (the impact preview); then through the normal services."""
    review, scopes = _reviewer_review(request, review_id)
    item = get_object_or_404(
        AccessReviewItem.objects.select_related("decision"), pk=item_id, review=review
    )
    refusal = _refusal(request, review, scopes, item)
    if refusal and not hasattr(item, "decision"):
        raise PermissionDenied(refusal)
    org_item = item.kind == ItemKind.ORG_ROLE
    data = request.POST if request.method == "POST" else None
    initial = {"decision": request.GET.get("decision", ""), "role": item.role, **item.flags}
    form = DecisionForm(data, org_role=org_item, initial=initial)
    queue = reverse("orgs:review_queue", args=[request.org.slug, review.pk])
    queue += f"?scope={'org' if org_item else item.workspace_id}"
    if data is not None and not hasattr(item, "decision") and form.is_valid():
        decision = form.cleaned_data["decision"]
        role = form.cleaned_data["role"] or None
        flags = None if org_item else form.flags()
        if not request.POST.get("confirmed"):
            confirmation = _confirmation(
                request, review, item, decision, role=role, flags=flags, queue=queue
            )
            if confirmation is not None:
                return confirmation
        try:
            services.review_decide(
                actor=request.user,
                item=item,
                decision=decision,
                role=role,
                flags=flags,
                note=form.cleaned_data["note"],
            )
        except ServiceError as error:
            form.add_error(None, error)
        else:
            label = Decision(decision).label
            messages.success(request, f"{label}: {item}.")
            return redirect(f"{queue}#item-{item.pk}")
    context = {"review": review, "item": item, "form": form, "queue_url": queue}
    return render_page(request, "orgs/reviews/item.html", context, refused=form.errors)
