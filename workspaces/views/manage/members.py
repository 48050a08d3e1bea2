"""Manage → Members: everyone with access (direct, through teams, org admins), direct members'
role and flags edited in place, add an org member, remove a direct member."""

from urllib.parse import urlencode

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from flowadmin import params
from flowadmin.htmx import paginate, redirect_after_post, resubmission
from flowadmin.params import url_per_id
from orgs import impact, previews, undo
from orgs.errors import GoneError, ServiceError
from orgs.models import User
from orgs.templatetags.access import until as until_label
from workspaces import services
from workspaces.decorators import workspace_view
from workspaces.forms.grants import GrantForm, MemberAddForm, grant_fields
from workspaces.forms.manage import MemberSearchForm
from workspaces.models import WorkspaceMembership
from workspaces.selectors import manage as selectors

from . import left_manage, manage_url, render_confirm, render_manage, saved_row

# Each direct member's row shows a role-and-flags editor (from plain values, not a form per
# row: workspaces.forms.grants.GrantFields): 25 a page, as on the users page.
PAGE_SIZE = 25


def _rows(request, users, forms=None, memberships=None) -> list[dict]:
    """The rows the page shows (the selector's WorkspaceMemberRow.shown() dicts) with their
    links and, on a direct membership, `editor` (GrantFields) and `notes` (the flags a team or
    the org role turns on while the editor shows them off): `forms` (membership id → bound
    GrantForm) keeps a submitted form's values and errors. The policy is asked once for the
    page (may the viewer open profiles, teams' pages) and the links cost one reverse each a
    page (flowadmin.params.url_per_id), not one a row."""
    rows = selectors.workspace_member_rows(request.workspace, users, memberships)
    if not rows:
        return []
    forms = forms or {}
    access, org, ws = request.org_access, request.org.slug, request.workspace.slug
    profile = team = None
    if access and access.can("org.manage_users"):
        profile = url_per_id("orgs:user_profile", org)
    if access and access.can("org.manage_teams"):
        team = url_per_id("orgs:team", org)
    update = url_per_id("workspaces:manage_member_update", org, ws)
    remove = url_per_id("workspaces:manage_member_remove", org, ws)
    add = manage_url(request, "member_add")
    shown = []
    for row in rows:
        item = row.shown()
        item["links"] = links = {"profile": profile(row.user.pk) if profile else ""}
        if team:
            for source in item["sources"]:
                if source["team_id"]:
                    source["url"] = team(source["team_id"])
        if row.membership is None:
            links["add"] = f"{add}?{urlencode({'q': row.user.email})}"
        else:
            form = forms.get(row.membership.pk)
            item["editor"] = editor = form.fields_shown() if form else grant_fields(row.membership)
            item["self"] = row.user.pk == request.user.pk  # saved without htmx: may leave
            links["update"] = update(row.membership.pk)
            links["remove"] = remove(row.membership.pk)
            checked = {flag["name"]: flag["checked"] for flag in editor["flags"]}
            item["notes"] = [
                f"{flag['label']} is on through {flag['through']}."
                for flag in item["flags"]
                if flag["through"] and not checked[flag["name"]]
            ]
        shown.append(item)
    return shown


def _members_page(request, *, q="", expiring="", forms=None, refused=False):
    search = MemberSearchForm({"q": q, "expiring": expiring})
    valid = search.is_valid()
    q = search.cleaned_data["q"] if valid else ""
    days = search.cleaned_data["expiring"] if valid else None
    people = selectors.people_with_access(request.workspace, q, expiring=days)
    page = paginate(request, people, PAGE_SIZE)
    context = {
        "search": search,
        "q": q,
        "page": page,
        "rows": _rows(request, page.object_list, forms),
        "add_search": MemberSearchForm(auto_id="add-%s"),
        "members_url": manage_url(request, "members"),
        "add_url": manage_url(request, "member_add"),
    }
    return render_manage(
        request,
        "workspaces/manage/members.html",
        context,
        tab="members",
        partial="member_list",
        refused=refused,
    )


@require_GET
@workspace_view("ws.manage")
def members(request):
    return _members_page(
        request, q=params.text(request.GET, "q"), expiring=params.text(request.GET, "expiring")
    )


def _row(request, membership, *, form=None, notice=""):
    """Render one member's table row (htmx swap)."""
    forms = {membership.pk: form} if form is not None else None
    rows = _rows(request, [membership.user], forms, [membership])
    return render_manage(
        request,
        "workspaces/manage/members.html#access_table_row",
        {"row": rows[0] if rows else None, "notice": notice},
        tab="members",
    )


def _direct_membership(request, membership_id):
    """The direct membership a row edits; 404 with a sentence the page (or toast) can show
    when another admin removed it meanwhile."""
    membership = (
        WorkspaceMembership.objects.select_related("user")
        .filter(pk=membership_id, workspace=request.workspace)
        .first()
    )
    if membership is None:
        raise Http404(
            f"This member no longer has direct access to {request.workspace.name}. Reload the page."
        )
    return membership


class _Unsaved(Exception):
    """member_update's decision writes nothing: `answer` is the response to give instead (a
    confirmation), or None (the form has errors)."""

    def __init__(self, answer=None):
        super().__init__()
        self.answer = answer


@require_POST
@workspace_view("ws.manage")
def member_update(request, membership_id):
    """Save one direct member's role and flags. The membership is read once, under the org's
    lock (services.workspace_membership_update); the form is bound to it there, so the change
    and its activity entry are judged against the values actually replaced."""
    read = {}

    def decide(membership):
        form = read["form"] = GrantForm(request.POST, grant=membership)
        read["membership"] = membership
        if not form.is_valid():
            raise _Unsaved()
        asks = not form.cleaned_data["restore"] and not request.POST.get("confirmed")
        confirmation = _confirm_lowering(request, membership, form) if asks else None
        if confirmation is not None:
            raise _Unsaved(confirmation)
        return form.changes()

    try:
        membership = services.workspace_membership_update(
            actor=request.user,
            workspace=request.workspace,
            membership_id=membership_id,
            decide=decide,
        )
    except GoneError:
        raise Http404(
            f"This member no longer has direct access to {request.workspace.name}. Reload the page."
        ) from None
    except _Unsaved as unsaved:
        if unsaved.answer is not None:
            return unsaved.answer
    except ServiceError as error:
        read["form"].add_error(None, error)
    else:
        return saved_row(
            request,
            lost_manage=left_manage(request, membership.user),
            name=membership.user.display_name,
            notice=read["form"].saved_notice(membership.get_role_display()),
            row=lambda notice: _row(request, membership, notice=notice),
            tab="members",
        )
    membership, form = read["membership"], read["form"]
    if request.htmx:
        return _row(request, membership, form=form)
    return _members_page(
        request, q=membership.user.email, forms={membership.pk: form}, refused=True
    )


def _confirm_lowering(request, membership, form):
    """A change that lowers access asks first, with who loses what (the impact preview);
    lowering your own role always asks: you may lose the Manage page at once. None: save."""
    user, ws = membership.user, request.workspace
    if not form.lowers_grant():
        return None  # nobody can lose anything: no preview to read
    change = impact.SetDirectGrant(user.pk, ws.pk, **_as_change(form.changes()))
    preview = previews.impact_preview(request.org, change)
    own = user == request.user and form.lowers_role()
    if not (own or preview.lowers):
        return None
    role = dict(form.fields["role"].choices)[form.cleaned_data["role"]]
    if own:
        title = f"Lower your own role in {ws.name} to {role}?"
        message = (
            f"You are changing your own direct role from {membership.get_role_display()} to "
            f"{role}. Unless a team or your org role gives you more, you will no longer be "
            f"able to manage {ws.name}, and only another admin can undo it."
        )
        button = f"Lower my role to {role}"
    else:
        title = f"Change {user.display_name}'s access to {ws.name}?"
        message = f"This lowers {user.display_name}'s direct access to {ws.name}."
        button = "Save the change"
    return render_confirm(
        request,
        tab="members",
        title=title,
        message=message,
        action=manage_url(request, "member_update", membership.pk),
        button=button,
        fields=resubmission(request),
        preview=preview,
    )


def _as_change(changes: dict) -> dict:
    """GrantForm.changes() (role or None, flags or None) as an orgs.impact change's fields."""
    return {"role": changes["role"], "flags": changes["flags"] or {}}


@require_http_methods(["GET", "POST"])
@workspace_view("ws.manage")
def member_add(request):
    """GET: search the org members who are not direct members yet (htmx: the results only).
    POST: add one of them with a role."""
    ws = request.workspace
    form = MemberAddForm(request.POST, workspace=ws) if request.method == "POST" else None
    if form is not None and form.is_valid():
        user = get_object_or_404(
            User, pk=form.cleaned_data["user"], org_memberships__org=request.org
        )
        try:
            membership = services.workspace_member_add(
                actor=request.user, workspace=ws, user=user, **form.grant()
            )
        except ServiceError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                f"Added {user.display_name} to {request.workspace.name} as "
                f"{membership.get_role_display()}{until_label(membership.until)}.",
            )
            return redirect_after_post(request, manage_url(request, "members"))
    search = MemberSearchForm(request.GET)
    q = search.cleaned_data["q"] if search.is_valid() else ""
    candidates, more = selectors.member_candidates(request.workspace, q)
    # A refused add is shown in its person's row, with its values and errors (above the
    # list when they are not among the people found).
    refused = form if form is not None and form.errors else None
    rows = []
    for candidate in candidates:
        if refused is not None and refused["user"].value() == str(candidate.user.pk):
            rows.append((candidate, refused))
            refused = None
        else:
            rows.append((candidate, MemberAddForm(workspace=ws, user_id=candidate.user.pk)))
    context = {"search": search, "q": q, "candidates": rows, "more": more, "refused": refused}
    partial = "candidates" if request.method == "GET" else None
    return render_manage(
        request,
        "workspaces/manage/member_add.html",
        context,
        tab="members",
        partial=partial,
        refused=form is not None and form.errors,
    )


@require_http_methods(["GET", "POST"])
@workspace_view("ws.manage")
def member_remove(request, membership_id):
    membership = _direct_membership(request, membership_id)
    user = membership.user
    if request.method == "POST":
        try:
            services.workspace_member_remove(
                actor=request.user, workspace=request.workspace, user=user
            )
        except ServiceError as error:
            messages.error(request, error.text)
        else:
            done = f"Removed {user.display_name}'s direct access to {request.workspace.name}."
            if left_manage(request, user):
                messages.success(request, done)  # no Undo: they can't manage it any more
                return redirect_after_post(request, reverse("home"))
            undo.offer(
                request,
                done,
                kind=undo.WORKSPACE_MEMBER,
                workspace=request.workspace.pk,
                user=user.pk,
                **undo.grant_values(membership),
            )
        return redirect_after_post(request, manage_url(request, "members"))
    return render_confirm(
        request,
        tab="members",
        preview=previews.impact_preview(
            request.org, impact.RemoveDirectGrant(user.pk, request.workspace.pk)
        ),
        title=f"Remove {user.display_name} from {request.workspace.name}?",
        message=(
            f"{user.display_name} loses their direct {membership.get_role_display()} role "
            f"and permissions in {request.workspace.name}. Access they have through a team "
            "or as an Org Admin stays."
        ),
        action=manage_url(request, "member_remove", membership.pk),
        button="Remove",
    )
