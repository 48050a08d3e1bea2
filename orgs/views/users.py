"""The Users section of the Org Admin console: the member list, a member's profile (org role,
per-workspace role and flags, effective access) and removing a member."""

from django.contrib import messages
from django.middleware.csrf import get_token
from django.shortcuts import get_object_or_404, redirect, render
from django.template.defaultfilters import pluralize
from django.urls import reverse
from django.utils import timezone
from django.utils.dates import MONTHS_3
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from flowadmin.htmx import came_from, in_main, paginate, render_page, resubmission, wants_partial
from flowadmin.params import url_per_id
from workspaces import services as workspace_services
from workspaces.forms.grants import GrantForm, grant_editor, grant_fields, grant_prefix
from workspaces.models import Workspace

from .. import expiry, impact, people, permissions, previews, profile_rows, services, undo
from ..decorators import org_view
from ..errors import ServiceError
from ..member_forms import MemberFilterForm, OrgRoleForm
from ..people import MEMBER_SORTS
from ..roles import OrgRole
from ..templatetags.access import until as until_label

MEMBERS_PER_PAGE = 25  # members per page of the Members page
SORTABLE_COLUMNS = ["name", "email", "role", "last_login"]


def _sort_columns(sort):
    """Header links: each column sorts ascending, or descending when it already sorts
    ascending; `aria_sort` marks the current one."""
    key, descending = sort.lstrip("-"), sort.startswith("-")
    columns = {}
    for name in SORTABLE_COLUMNS:
        active = name == key
        columns[name] = {
            "label": MEMBER_SORTS[name][0],
            "sort": f"-{name}" if active and not descending else name,
            "aria_sort": ("descending" if descending else "ascending") if active else "",
        }
    return columns


def _profile_url(org, user_id):
    return reverse("orgs:user_profile", args=[org.slug, user_id])


def login_shown(local, months: dict | None = None) -> str:
    """A datetime as `|date:"M j, Y H:i"` shows it ("Dec 6, 2026 09:41"), without the
    date filter's format parsing (~40 Python calls a row). `months`: {month number: its
    name in the active language}, filled as they are needed, for a page's rows to translate
    each month once (a lazy translation is ~25 Python calls)."""
    if months is None:
        months = {}
    month = months.get(local.month)
    if month is None:
        month = months[local.month] = MONTHS_3[local.month].title()
    return f"{month} {local.day}, {local.year:04d} {local.hour:02d}:{local.minute:02d}"


def _shown(org, page):
    """The page with its rows as the dicts the template shows (MemberRow.shown()), plus what
    it would otherwise compute per row (a reverse is ~0.03–0.1 ms, a date filter
    more): `links` (profile, remove; one reverse a page, flowadmin.params.url_per_id) and
    the last login as `login_iso` and `login_shown` ("Dec 6, 2026 09:41") in the current time
    zone — what `|date:"c"` and `|date:"M j, Y H:i"` give — both "" for never."""
    profile = url_per_id("orgs:user_profile", org.slug)
    remove = url_per_id("orgs:user_remove", org.slug)
    rows, months = [], {}
    for member in page.object_list:
        row = member.shown()
        row["links"] = {"profile": profile(row["user_id"]), "remove": remove(row["user_id"])}
        row["login_iso"] = row["login_shown"] = ""
        if member.last_login is not None:
            local = timezone.localtime(member.last_login)
            row["login_iso"] = local.isoformat()
            row["login_shown"] = login_shown(local, months)
        rows.append(row)
    page.object_list = rows
    return page


@require_GET
@org_view("org.manage_users")
def user_list(request):
    filters = MemberFilterForm(request.GET)
    q, sort = filters.values()
    ids = people.membership_ids(
        request.org,
        q=q,
        sort=sort,
        two_factor=filters.two_factor_filter(),
        expiring=filters.expiring_days(),
    )
    page = paginate(request, ids, MEMBERS_PER_PAGE)
    page.object_list = people.member_page_rows(request.org, page.object_list, sort=sort)
    context = {
        "filters": filters,
        "q": q,
        "sort": sort,
        "columns": _sort_columns(sort),
        "page": _shown(request.org, page),
    }
    if wants_partial(request):
        response = render(request, "orgs/users.html#members", context)
    else:
        context["pending_count"] = people.pending_invitation_count(request.org)
        response = render(request, "orgs/users.html", context)
    return response


# --- profile --------------------------------------------------------------------------------


def _row_prefix(row, member) -> str:
    """The ids of a workspace row's grant editor: the member's and the workspace's (the
    Members list can show several members' rows at once)."""
    return grant_prefix(row.workspace.pk, user_id=member.user_id)


def _row_form(row, member, data):
    """The form that reads a workspace row's save: the direct role or "No access", and the
    flags — editable only with a non-admin direct role (admin flags are locked on)."""
    return GrantForm(
        data, grant=row.direct, removable=True, auto_id=f"{_row_prefix(row, member)}%s"
    )


def _row_fields(row, member):
    """What a workspace row's grant editor shows (GrantFields, no form): the direct grant as
    saved, or "No access"."""
    return grant_fields(row.direct, prefix=_row_prefix(row, member), removable=True)


# ?part= of the profile for htmx: the Members list edits a member's access in place
# (`workspaces`: their rows and a finder for other workspaces; `found`: the finder's results).
PROFILE_PARTS = {"workspaces": "access_editor", "found": "found_rows"}


def _sent_invitations(membership) -> list[str]:
    """Emails of the pending invitations the member sent (revoked with their authority)."""
    pending = services.invitations_sent_by(membership.org_id, membership.user_id)
    return list(pending.order_by("email").values_list("email", flat=True))


def _rows_html(request, member, rows, bound=None, *, saved=False, restored=False, token=None):
    """The HTML of a profile's workspace rows (orgs.profile_rows), each with its grant editor:
    the direct grant as saved, or `bound` = (row, form)'s submitted values and errors on that
    workspace's row. The save URL costs one reverse for all of them; `token`: the CSRF token
    to put in the editors (default: a new mask of the request's, csrf.get_token)."""
    url = url_per_id("orgs:user_workspace", request.org.slug, member.user_id)
    token = token or get_token(request)
    shown = []
    for row in rows:
        if bound and bound[0].workspace.pk == row.workspace.pk:
            fields = bound[1].fields_shown()
        else:
            fields = _row_fields(row, member)
        editor = grant_editor(fields, row.workspace.name, token)
        html = profile_rows.workspace_row(
            row, editor, member=member, url=url(row.workspace.pk), saved=saved, restored=restored
        )
        shown.append(html)
    return shown


def _profile_page(request, profile, *, role_form=None, bound=None):
    """Render the profile; `bound` = (row, form) keeps a submitted row's values and errors
    (shown among the found workspaces when the member has no access there yet); either
    refused makes it the answer to a refused form."""
    found = profile.found
    shown = {row.workspace.pk for row in [*profile.workspaces, *found]}
    if bound and bound[0].workspace.pk not in shown:
        found = [bound[0], *found]
    part = PROFILE_PARTS.get(request.GET.get("part", "")) if wants_partial(request) else None
    member, token = profile.membership, get_token(request)
    context = {
        "profile": profile,
        "member": member,
        "role_form": role_form
        or OrgRoleForm(
            initial={
                "role": member.role,
                "until": expiry.last_day(member.until),
            }
        ),
        # the rows' HTML; the finder's results alone (htmx) show none of the member's rows
        "workspace_rows": _rows_html(request, member, profile.workspaces, bound, token=token)
        if part != "found_rows"
        else [],
        "found_rows": _rows_html(request, member, found, bound, token=token),
        # An admin's pending invitations are revoked if they stop being one.
        "sent_invitations": _sent_invitations(member) if profile.access.is_admin else [],
    }
    refused = bool(role_form and role_form.errors) or bool(bound)  # bound: a refused row
    return render_page(request, "orgs/user_profile.html", context, partial=part, refused=refused)


@require_GET
@org_view("org.manage_users")
def user_profile(request, user_id):
    find = request.GET.get("find", "")[:120]
    return _profile_page(request, people.member_profile(request.org, user_id, find=find))


def _confirm_org_role(request, membership, role):
    """The confirmation step of a Primary Role change that lowers access (with who loses
    what), or None when it lowers nothing or the last admin's refusal should show at once."""
    if services.is_last_admin(request.org, membership.user):
        return None
    preview = previews.impact_preview(request.org, impact.SetOrgRole(membership.user_id, role))
    if not preview.lowers:
        return None
    label = OrgRole(role).label
    name = membership.user.display_name
    if membership.user_id == request.user.pk:
        title = f"Lower your own Primary Role to {label}?"
        message = (
            f"You will no longer be an Org Admin of {request.org.name}: the Org Admin "
            "console and the workspaces you are not a member of close for you at once, "
            "and only another Org Admin can undo it."
        )
        button = f"Lower my role to {label}"
    else:
        title = f"Make {name} an Org {label}?"
        message = (
            f"{name} will no longer be an Org Admin of {request.org.name}: the console "
            "and the workspaces they reach only as Org Admin close for them."
        )
        button = f"Make {name} an Org {label}"
    context = {
        "title": title,
        "message": message,
        "preview": preview,
        "action": request.path,
        "fields": {"role": role, "until": request.POST.get("until", ""), "confirmed": "1"},
        "button": button,
        "cancel": _profile_url(request.org, membership.user_id),
        # an Org Admin's pending invitations are revoked with their authority
        "member": membership,
        "sent_invitations": _sent_invitations(membership),
        "invitations_verb": f"Making {name} an Org {label}",
    }
    return render(request, "orgs/confirm.html", context)


@require_POST
@org_view("org.manage_users")
def user_role(request, user_id):
    membership = people.member_membership(request.org, user_id)
    form = OrgRoleForm(request.POST)
    if form.is_valid() and not request.POST.get("confirmed"):
        confirmation = _confirm_org_role(request, membership, form.cleaned_data["role"])
        if confirmation is not None:
            return confirmation
    if form.is_valid():
        role = form.cleaned_data["role"]
        try:
            updated = services.org_role_set(
                actor=request.user,
                org=request.org,
                user=membership.user,
                role=role,
                until=form.until_for(membership.until),
            )
        except ServiceError as error:
            # A past end date is the date field's error; the rest (last admin…) the role's.
            form.add_error("until" if error.code == "until_past" else "role", error)
        else:
            label = f"{updated.get_role_display()}{until_label(updated.until)}"
            messages.success(
                request, f"{membership.user.display_name} is now Org {label} of {request.org.name}."
            )
            permissions.forget_access(request.user)
            if not request.user.has_perm("org.view_console", request.org):
                return redirect("home")  # they demoted themselves: no console any more
            return redirect(_profile_url(request.org, user_id))
    return _profile_page(request, people.member_profile(request.org, user_id), role_form=form)


@require_POST
@org_view("org.manage_users")
def user_workspace(request, user_id, workspace_id):
    """Set the member's direct role (or none) and flags in one workspace. htmx swaps the
    workspace's row (with the new effective access); without JS the profile reloads."""
    membership = people.member_membership(request.org, user_id)
    workspace = get_object_or_404(Workspace, pk=workspace_id, org=request.org)
    before = people.member_workspace(request.org, membership, workspace)
    # An Undo (static/js/app.js) posts `restore` with the role and flags the row had: they are
    # put back exactly, as a new change (GrantForm.changes). Otherwise flags that were not
    # editable (no direct role, or admin) keep their shown values.
    form = _row_form(before, membership, request.POST)
    if form.is_valid() and not form.cleaned_data["restore"] and not request.POST.get("confirmed"):
        # A change that removes or lowers access asks first, with who loses what.
        change = _row_change(membership, workspace, before, form.changes())
        preview = change and previews.impact_preview(request.org, change)
        if preview and preview.lowers:
            name = membership.user.display_name
            response = render(
                request,
                "orgs/confirm.html",
                {
                    "title": f"Change {name}'s access to {workspace.name}?",
                    "message": f"This lowers {name}'s direct access to {workspace.name}.",
                    "preview": preview,
                    "action": request.path,
                    "fields": resubmission(request),
                    "button": "Save the change",
                    "cancel": came_from(request, _profile_url(request.org, user_id)),
                },
            )
            return in_main(request, response)
    if form.is_valid():
        changes, user = form.changes(), membership.user
        try:
            if changes is not None:
                workspace_services.workspace_member_set(
                    actor=request.user, workspace=workspace, user=user, **changes
                )
            elif before.direct is not None:
                workspace_services.workspace_member_remove(
                    actor=request.user, workspace=workspace, user=user
                )
        except ServiceError as error:
            form.add_error(None, error)
    if form.errors:
        row, row_form, saved = before, form, False
    else:
        row = people.member_workspace(request.org, membership, workspace)
        row_form, saved = None, True
    if wants_partial(request):
        bound = (row, row_form) if row_form else None
        restored = saved and bool(form.cleaned_data.get("restore"))
        [row_html] = _rows_html(request, membership, [row], bound, saved=saved, restored=restored)
        return render(request, "orgs/user_profile.html#ws_row", {"row_html": row_html})
    if saved:
        done = f"Saved {membership.user.display_name}'s access to {workspace.name}."
        was, now = before.direct, row.direct
        restore = None
        if was is not None and (now is None or (now.role, now.flags) != (was.role, was.flags)):
            # Lowered or removed after the confirmation page: Undo puts the grant back.
            restore = {
                "workspace": workspace.pk,
                "user": membership.user_id,
                **undo.grant_values(was),
            }
        undo.success(request, done, kind=undo.WORKSPACE_MEMBER, restore=restore)
        return redirect(f"{_profile_url(request.org, user_id)}#ws-row-{user_id}-{workspace.pk}")
    profile = people.member_profile(request.org, user_id)
    return _profile_page(request, profile, bound=(row, row_form))


def _row_change(membership, workspace, before, changes):
    """The orgs.impact change a profile row's save makes: GrantForm.changes() given to
    workspace_member_set, or None ("No access") removing the direct membership if there is one;
    None when nothing would be written."""
    if changes is None:
        if before.direct is None:
            return None
        return impact.RemoveDirectGrant(membership.user_id, workspace.pk)
    return impact.SetDirectGrant(
        membership.user_id, workspace.pk, changes["role"], changes["flags"] or {}
    )


# --- removal --------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@org_view("org.manage_users")
def user_remove(request, user_id):
    """Confirm, then remove the member with their workspace and team memberships in this org."""
    membership = people.member_membership(request.org, user_id)
    user = membership.user
    error = None
    if request.method == "POST":
        try:
            services.member_remove(actor=request.user, org=request.org, user=user)
        except ServiceError as refused:
            error = refused.text
        else:
            messages.success(request, f"{user.display_name} was removed from {request.org.name}.")
            if user.pk == request.user.pk:
                return redirect("home")
            return redirect("orgs:users", org_slug=request.org.slug)
    org, name, profile = request.org, user.display_name, _profile_url(request.org, user.pk)
    context = {
        "standalone": True,
        "back_url": profile,
        "back_label": name,
        "title": f"Remove {name} from {org.name}?",
        "error": error,
        "button": f"Remove {name}",
        "cancel": reverse("orgs:users", args=[org.slug]),
    }
    if services.is_last_admin(org, user):
        context.update(
            refusal=f"{name} is the only Org Admin of {org.name}, so they can't be removed. "
            "Make someone else an Org Admin first.",
            cancel=profile,
            cancel_label="Back to the profile",
        )
        return render(request, "orgs/confirm.html", context)
    workspaces, teams = people.member_grant_counts(org, user)
    also = []
    if workspaces:
        also.append(f"direct access to {workspaces} workspace{pluralize(workspaces)}")
    if teams:
        also.append(f"place in {teams} team{pluralize(teams)}")
    removed_too = ""
    if also:
        verb = "are" if len(also) > 1 else "is"
        removed_too = f" Their {' and their '.join(also)} {verb} removed too."
    context.update(
        message=f"{user.email} will lose access to {org.name}.{removed_too}",
        preview=previews.impact_preview(org, impact.RemoveMember(user.pk)),
        member=membership,
        sent_invitations=_sent_invitations(membership),
        invitations_verb="Removing them",
        note="Their account stays; you can invite them again later.",
    )
    return render(request, "orgs/confirm.html", context)
