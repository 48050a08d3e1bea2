"""Invitations: inviting people and managing pending invitations (Org Admin console), and the
public accept page behind the emailed link."""

from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from flowadmin.htmx import paginate, render_page, wants_partial

from .. import expiry, invitations, people, sso
from ..decorators import org_view
from ..errors import ServiceError
from ..member_forms import AcceptInvitationForm, InviteForm
from ..models import Invitation, InvitationStatus

INVITATIONS_PER_PAGE = 25  # invitations per page of the Invitations page
EMAIL_ERRORS = {"invalid_email", "already_member", "already_invited"}


def _site(request) -> str:
    return request.build_absolute_uri("/")


def _date(value) -> str:
    return date_format(timezone.localtime(value), "M j, Y H:i T")


# The invitation form's workspace search: its parameter, and the `action` of its Find button
# (which shows the form again as typed, inviting nobody).
FIND = "find"


@require_http_methods(["GET", "POST"])
@org_view("org.manage_users")
def invite(request):
    """The invitation form. Its initial workspace roles show the workspaces given a role or an
    end so far and at most people.FIND_LIMIT others found by name (a POST with action=find
    shows the form again as typed; htmx swaps only the workspace rows), whatever the number of
    workspaces; "Send invitation" validates and invites."""
    finding = request.method == "POST" and request.POST.get("action") == FIND
    params = request.POST if request.method == "POST" else request.GET
    asked, _ = InviteForm.asked(request.POST)
    pick = people.workspace_pick(request.org, asked, params.get(FIND, ""))
    if finding:
        form = InviteForm.refilled(request.POST, pick=pick)
    else:
        form = InviteForm(request.POST if request.method == "POST" else None, pick=pick)
    if request.method == "POST" and not finding and form.is_valid():
        try:
            issued = invitations.invitation_create(
                actor=request.user,
                org=request.org,
                email=form.cleaned_data["email"],
                role=form.cleaned_data["role"],
                workspace_roles=form.workspace_roles(),
                until=form.end(),
                base_url=_site(request),
            )
        except ServiceError as error:
            form.add_error("email" if error.code in EMAIL_ERRORS else None, error)
        else:
            invitation = issued.invitation
            messages.success(
                request,
                f"Invitation to {invitation.email} created; the email is on its way. "
                f"The link works until {_date(invitation.expires_at)}.",
            )
            return redirect("orgs:invitations", org_slug=request.org.slug)
    context = {
        "form": form,
        "pick": pick,
        "ttl_days": settings.INVITATION_TTL_DAYS,
        "swap": finding and wants_partial(request),
    }
    return render_page(
        request,
        "orgs/invite.html",
        context,
        partial="ws_rows" if finding else None,
        refused=not finding and form.errors,
    )


@require_GET
@org_view("org.manage_users")
def invitation_list(request):
    tabs = dict(people.INVITATION_TABS)
    status = request.GET.get("status")
    if status not in tabs:
        status = InvitationStatus.PENDING
    page = paginate(
        request, people.org_invitations(request.org, status=status), INVITATIONS_PER_PAGE
    )
    page.object_list = people.invitation_rows(request.org, page.object_list)
    context = {
        "status": status,
        "tabs": people.INVITATION_TABS,
        "page": page,
        # the pending tab's paginator has counted them already
        "pending_count": page.paginator.count
        if status == InvitationStatus.PENDING
        else people.pending_invitation_count(request.org),
    }
    return render(request, "orgs/invitations.html", context)


def _org_invitation(request, invitation_id) -> Invitation:
    return get_object_or_404(
        Invitation.objects.select_related("org"), pk=invitation_id, org=request.org
    )


@require_POST
@org_view("org.manage_users")
def invitation_resend(request, invitation_id):
    invitation = _org_invitation(request, invitation_id)
    try:
        issued = invitations.invitation_resend(
            actor=request.user, invitation=invitation, base_url=_site(request)
        )
    except ServiceError as error:
        messages.error(request, error.text)
        return redirect(
            f"{reverse('orgs:invitations', args=[request.org.slug])}?status={invitation.status}"
        )
    messages.success(
        request,
        f"A new invitation to {invitation.email} is on its way; the previous link no longer "
        "works. "
        f"The new one works until {_date(issued.invitation.expires_at)}.",
    )
    return redirect("orgs:invitations", org_slug=request.org.slug)


@require_http_methods(["GET", "POST"])
@org_view("org.manage_users")
def invitation_revoke(request, invitation_id):
    """Confirm, then withdraw a pending invitation (its link stops working)."""
    invitation = _org_invitation(request, invitation_id)
    error = None
    if request.method == "POST":
        try:
            invitations.invitation_revoke(actor=request.user, invitation=invitation)
        except ServiceError as refused:
            error = refused.text
        else:
            messages.success(request, f"The invitation to {invitation.email} was revoked.")
            return redirect("orgs:invitations", org_slug=request.org.slug)
    back = reverse("orgs:invitations", args=[request.org.slug])
    if invitation.sent_at:
        link = f"The link emailed to {invitation.email}"
    else:
        link = f"The invitation link for {invitation.email} (not emailed yet)"
    context = {
        "standalone": True,
        "back_url": back,
        "back_label": "Invitations",
        "title": f"Revoke the invitation to {invitation.email}?",
        "message": f"{link} will stop working. You can invite them again later.",
        "button": "Revoke invitation",
        "cancel": back,
    }
    if error:
        context.update(message="", refusal=error, cancel_label="Back to invitations")
    elif invitation.status != "pending":
        context.update(
            message="",
            refusal=f"This invitation is already {invitation.get_status_display().lower()}.",
            cancel_label="Back to invitations",
        )
    return render(request, "orgs/confirm.html", context)


# --- the public accept page -----------------------------------------------------------------


def _problem_page(request, problem, invitation=None):
    status = 404 if problem.problem == invitations.UNKNOWN else 410
    context = {"problem": problem, "invitation": invitation}
    return render(request, "orgs/invitation_problem.html", context, status=status)


def _join(request, token, **account):
    try:
        acceptance = invitations.invitation_accept(
            actor=request.user if request.user.is_authenticated else None, token=token, **account
        )
    except invitations.InvitationError as problem:  # used or changed since the page was shown
        return _problem_page(request, problem)
    org = acceptance.membership.org
    if acceptance.created_user:
        login(request, acceptance.user, backend="django.contrib.auth.backends.ModelBackend")
    if acceptance.already_member:
        messages.info(request, f"You are already a member of {org.name}.")
    elif acceptance.membership.until:
        day = date_format(expiry.last_day(acceptance.membership.until), "F j, Y")
        messages.success(request, f"Welcome to {org.name}! Your membership lasts until {day}.")
    else:
        messages.success(request, f"Welcome to {org.name}!")
    return redirect(f"{reverse('home')}#org-{org.slug}")


@never_cache
@sensitive_post_parameters("password1", "password2")
@require_http_methods(["GET", "POST"])
def accept(request, token):
    """Accept an invitation: a signed-in person whose email matches joins at once; someone
    signed in with another email is asked to switch accounts; a visitor without an account
    creates one (name and password); a visitor with an account logs in first."""
    invitation = invitations.find(token)
    problem = invitations.problem_with(invitation)
    if problem is not None:
        return _problem_page(request, problem, invitation)
    context = {
        "invitation": invitation,
        "org": invitation.org,
        "offered_roles": invitations.offered_roles(invitation),
        "path": request.path,
    }
    if request.user.is_authenticated:
        problem = invitations.wrong_account(invitation, request.user)
        if problem is not None:
            context["problem"] = problem
            return render(request, "orgs/invitation_switch_account.html", context)
        return _join(request, token, user=request.user)
    if invitations.account_exists(invitation):
        context["login_url"] = f"{reverse('login')}?{urlencode({'next': request.path})}"
        return render(request, "orgs/invitation_login.html", context)
    config = sso.covering(invitation.email)
    if config is not None and config.enforced:
        # No password account under enforced SSO: the first SSO sign-in applies the invitation.
        context.update(sso=config, sso_url=sso.login_url(config))
        status = 403 if request.method == "POST" else 200
        response = render(request, "orgs/invitation_sso.html", context, status=status)
        return sso.allow_idp_form_action(response, config)
    data = request.POST if request.method == "POST" else None
    form = AcceptInvitationForm(data, email=invitation.email)
    if data is not None and form.is_valid():
        return _join(
            request,
            token,
            full_name=form.cleaned_data["full_name"],
            password=form.cleaned_data["password1"],
        )
    context["form"] = form
    return render_page(request, "orgs/invitation_accept.html", context, refused=form.errors)
