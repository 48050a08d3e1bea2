"""The console's Teams: list and create; a team's Members tab with its workspace access; its
Settings tab (name, description, avatar, delete)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.template.defaultfilters import pluralize
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from flowadmin import params
from flowadmin.htmx import (
    came_from,
    form_partial,
    in_main,
    paginate,
    redirect_after_post,
    render_page,
    resubmission,
    wants_partial,
)
from workspaces import services as workspace_services
from workspaces.forms.grants import GrantForm, TeamAccessAddForm, grant_fields
from workspaces.models import TeamAccess
from workspaces.selectors.stats import teams_with_counts

from .. import impact, previews, selectors, services, undo
from ..decorators import org_view
from ..errors import ServiceError
from ..forms import TeamForm, TeamMemberAddForm, TeamMemberUntilForm, TeamSettingsForm
from ..models import OrgMembership, Team, TeamMembership
from ..templatetags.access import until as until_label


def _team(request, team_id):
    team = get_object_or_404(Team, pk=team_id, org=request.org)
    team.org = request.org
    return team


def _team_url(team, name="orgs:team"):
    return reverse(name, kwargs={"org_slug": team.org.slug, "team_id": team.pk})


@require_http_methods(["GET", "POST"])
@org_view("org.manage_teams")
def team_list(request):
    org = request.org
    form = TeamForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            team = services.team_create(
                actor=request.user,
                org=org,
                name=form.cleaned_data["name"],
                description=form.cleaned_data["description"],
            )
        except ServiceError as error:
            form.add_error("name", error)
        else:
            messages.success(request, f"Team {team.name} created. Add its members below.")
            return redirect_after_post(request, _team_url(team))
    context = {"form": form, "page": paginate(request, teams_with_counts(org).order_by("name"))}
    return render_page(
        request,
        "orgs/teams.html",
        context,
        partial=form_partial(request, "create_form"),
        refused=form.errors,
    )


# --- a team's Members tab ------------------------------------------------------------------


def _members_context(request, team, member_form=None, until_forms=None):
    """The Members card: a page of the team's memberships (each with its end, `until`, and
    the form that changes it — `until_forms` keeps a submitted one with its errors), the
    "add member" form and its email suggestions."""
    members = paginate(request, selectors.team_memberships(team))
    until_forms = until_forms or {}
    for membership in members:
        membership.until_form = until_forms.get(membership.user_id) or TeamMemberUntilForm(
            membership=membership
        )
    return {
        "team": team,
        "members": members,
        "member_form": member_form or TeamMemberAddForm(team=team),
        "candidates": selectors.team_member_candidates(team),
    }


def _access_context(team, access_form=None, row_forms=None):
    """The Workspace access card: (team access, its grant editor's GrantFields) per workspace,
    as saved or, for a refused save (`row_forms`: access id → bound GrantForm), as submitted
    with its errors; and the "give access" form."""
    grants = list(selectors.team_grants(team))
    row_forms = row_forms or {}
    rows = [
        (
            grant,
            row_forms[grant.pk].fields_shown() if grant.pk in row_forms else grant_fields(grant),
        )
        for grant in grants
    ]
    return {
        "team": team,
        "workspace_grants": rows,
        "access_form": access_form or TeamAccessAddForm(team=team),
    }


def _team_page(
    request,
    team,
    *,
    member_form=None,
    access_form=None,
    row_forms=None,
    until_forms=None,
    refused=False,
):
    context = {
        **_members_context(request, team, member_form, until_forms),
        **_access_context(team, access_form, row_forms),
        "tab": "members",
    }
    return render_page(request, "orgs/team_detail.html", context, refused=refused)


@require_GET
@org_view("org.manage_teams")
def team_detail(request, team_id):
    team = _team(request, team_id)
    if wants_partial(request) and request.GET.get("suggest"):
        # Email suggestions while an address is typed in "Add a member".
        candidates = selectors.team_member_candidates(team, params.text(request.GET, "email", 254))
        return render_page(
            request,
            "orgs/team_detail.html",
            {"team": team, "candidates": candidates},
            partial="member_options",
        )
    if wants_partial(request):
        return render_page(
            request, "orgs/team_detail.html", _members_context(request, team), partial="members"
        )
    return _team_page(request, team)


@require_POST
@org_view("org.manage_teams")
def team_member_add(request, team_id):
    team = _team(request, team_id)
    form = TeamMemberAddForm(request.POST, team=team)
    if form.is_valid():
        try:
            services.team_member_add(
                actor=request.user, team=team, user=form.user, until=form.end()
            )
        except ServiceError as error:
            form.add_error("email", error)
        else:
            return _members_saved(
                request, team, f"{form.user.email} added to {team.name}{until_label(form.end())}."
            )
    return _members_refused(request, team, member_form=form)


def _members_saved(request, team, done: str):
    """After a change to the Members card: the card with `done` (htmx), else the page."""
    if wants_partial(request):
        context = {**_members_context(request, team), "done": done}
        return render_page(request, "orgs/team_detail.html", context, partial="members")
    messages.success(request, done)
    return redirect(_team_url(team))


def _members_refused(request, team, **forms):
    """The Members card (htmx) or the page again with a refused form (`member_form`, or
    `until_forms` {user id: form}) and its errors."""
    if wants_partial(request):
        context = _members_context(request, team, **forms)
        return render_page(
            request, "orgs/team_detail.html", context, partial="members", refused=True
        )
    return _team_page(request, team, refused=True, **forms)


@require_POST
@org_view("org.manage_teams")
def team_member_until(request, team_id, user_id):
    """Change when a member's membership of the team ends (team_member_until_set; also on a
    team the identity provider manages: the end is flowadmin's own)."""
    team = _team(request, team_id)
    membership = get_object_or_404(
        TeamMembership.objects.select_related("user"), team=team, user_id=user_id
    )
    form = TeamMemberUntilForm(request.POST, membership=membership)
    if form.is_valid():
        try:
            membership = services.team_member_until_set(
                actor=request.user,
                team=team,
                user=membership.user,
                until=form.until_for(membership.until),
            )
        except ServiceError as error:
            form.add_error("until", error)
        else:
            ends = until_label(membership.until) or " with no end"
            return _members_saved(
                request, team, f"{membership.user.email} is in {team.name}{ends}."
            )
    return _members_refused(request, team, until_forms={membership.user_id: form})


@require_http_methods(["GET", "POST"])
@org_view("org.manage_teams")
def team_member_remove(request, team_id, user_id):
    team = _team(request, team_id)
    membership = get_object_or_404(
        OrgMembership.objects.select_related("user"), org=request.org, user_id=user_id
    )
    user = membership.user
    in_team = TeamMembership.objects.filter(team=team, user=user).only("until").first()
    if in_team is None:
        raise Http404(f"{user.email} is not in {team.name}.")
    if team.managed_by_idp:
        raise PermissionDenied(f"{team.name} is managed by your identity provider.")
    if request.method == "POST":
        try:
            services.team_member_remove(actor=request.user, team=team, user=user)
        except ServiceError:  # someone else removed them a moment ago: the outcome asked for
            removed = False
        else:
            removed = True
        if wants_partial(request):
            context = _members_context(request, team)
            context["removed"] = user
            return render_page(request, "orgs/team_detail.html", context, partial="members")
        done = f"{user.email} removed from {team.name}."
        restore = {"team": team.pk, "user": user.pk, "until": undo.ends(in_team)}
        undo.success(request, done, kind=undo.TEAM_MEMBER, restore=restore if removed else None)
        return redirect(_team_url(team))
    context = {
        "head": "orgs/_team_head.html",
        "team": team,
        "tab": "members",
        "title": f"Remove {user.display_name} from {team.name}?",
        "message": f"{user.email} stays in {request.org.name} but loses the workspace access "
        f"they had through {team.name}.",
        "preview": previews.impact_preview(
            request.org, impact.RemoveTeamMember(team.name, user.pk)
        ),
        "button": f"Remove from {team.name}",
        "cancel": _team_url(team),
    }
    return render(request, "orgs/confirm.html", context)


# --- a team's workspace access -------------------------------------------------------------


def _access_partial(request, team, note=None, **kwargs):
    context = {**_access_context(team, **kwargs), "access_note": note}
    return render_page(request, "orgs/team_detail.html", context, partial="access")


@require_POST
@org_view("org.manage_teams")
def team_access_add(request, team_id):
    team = _team(request, team_id)
    form = TeamAccessAddForm(request.POST, team=team)
    if form.is_valid():
        workspace = form.cleaned_data["workspace"]
        try:
            access = workspace_services.team_access_set(
                actor=request.user, team=team, workspace=workspace, **form.grant()
            )
        except ServiceError as error:
            form.add_error(None, error)
        else:
            done = f"{team.name} now has access to {workspace.name}{until_label(access.until)}."
            if wants_partial(request):
                return _access_partial(request, team, note=done)
            messages.success(request, done)
            return redirect(_team_url(team))
    # Refused, as the grant editor answers on Manage: htmx gets the part to swap (200: htmx
    # swaps no 4xx), a plain POST the page with the form's errors (400).
    if wants_partial(request):
        return _access_partial(request, team, access_form=form)
    return _team_page(request, team, access_form=form, refused=True)


def _grant(request, team, workspace_id):
    return get_object_or_404(
        TeamAccess.objects.select_related("workspace"),
        team=team,
        workspace_id=workspace_id,
        workspace__org=request.org,
    )


@require_POST
@org_view("org.manage_teams")
def team_access_change(request, team_id, workspace_id):
    team = _team(request, team_id)
    grant = _grant(request, team, workspace_id)
    form = GrantForm(request.POST, grant=grant)
    if form.is_valid() and not form.cleaned_data["restore"] and not request.POST.get("confirmed"):
        # A change that lowers the team's access asks first, with who loses what.
        changes = form.changes()
        change = impact.SetTeamAccess(
            team.name, grant.workspace_id, changes["role"], changes["flags"] or {}
        )
        preview = previews.impact_preview(request.org, change)
        if preview.lowers:
            context = {
                "title": f"Change {team.name}'s access to {grant.workspace.name}?",
                "message": f"This lowers the access {team.name} gives in {grant.workspace.name}.",
                "preview": preview,
                "action": request.path,
                "fields": resubmission(request),
                "button": "Save the change",
                "cancel": came_from(request, _team_url(team) + "#team-access"),
            }
            return in_main(request, render_page(request, "orgs/confirm.html", context))
    if form.is_valid():
        changes = form.changes()
        workspace = grant.workspace
        try:
            saved = workspace_services.team_access_set(
                actor=request.user, team=team, workspace=workspace, **changes
            )
        except ServiceError as error:  # e.g. an ended access given no new end
            form.add_error(None, error)
        else:
            saved.workspace = workspace
            if wants_partial(request):
                context = {
                    "team": team,
                    "grant": saved,
                    "fields": grant_fields(saved),
                    "saved": True,
                    "defaults_applied": bool(changes["role"]) and not form.cleaned_data["restore"],
                }
                return render_page(request, "orgs/team_detail.html", context, partial="access_row")
            note = " (permissions reset to the role's defaults)" if changes["role"] else ""
            messages.success(request, f"Access to {workspace.name} updated{note}.")
            return redirect(_team_url(team) + "#team-access")
    if wants_partial(request):
        context = {"team": team, "grant": grant, "fields": form.fields_shown()}
        return render_page(request, "orgs/team_detail.html", context, partial="access_row")
    return _team_page(request, team, row_forms={grant.pk: form}, refused=True)


@require_http_methods(["GET", "POST"])
@org_view("org.manage_teams")
def team_access_remove(request, team_id, workspace_id):
    team = _team(request, team_id)
    grant = _grant(request, team, workspace_id)
    if request.method == "POST":
        try:
            workspace_services.team_access_remove(
                actor=request.user, team=team, workspace=grant.workspace
            )
        except ServiceError:  # removed by someone else a moment ago: fine
            removed = False
        else:
            removed = True
        done = f"{team.name} no longer has access to {grant.workspace.name}."
        if wants_partial(request):
            return _access_partial(request, team, note=done)
        restore = {"team": team.pk, "workspace": grant.workspace_id, **undo.grant_values(grant)}
        undo.success(request, done, kind=undo.TEAM_ACCESS, restore=restore if removed else None)
        return redirect(_team_url(team))
    workspace = grant.workspace.name
    context = {
        "head": "orgs/_team_head.html",
        "team": team,
        "tab": "members",
        "title": f"Remove {team.name}'s access to {workspace}?",
        "message": f"Members of {team.name} lose the {grant.get_role_display()} role they had in "
        f"{workspace} through the team; access they have directly or through other teams stays.",
        "preview": previews.impact_preview(
            request.org, impact.RemoveTeamAccess(team.name, grant.workspace_id)
        ),
        "button": "Remove access",
        "cancel": _team_url(team),
    }
    return render(request, "orgs/confirm.html", context)


# --- a team's Settings tab -----------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@org_view("org.manage_teams")
def team_settings(request, team_id):
    team = _team(request, team_id)
    form = TeamSettingsForm(request.POST or None, request.FILES or None, team=team)
    saved = False
    if request.method == "POST" and form.is_valid():
        try:
            services.team_update(
                actor=request.user,
                team=team,
                name=form.cleaned_data["name"],
                description=form.cleaned_data["description"],
                **form.avatar_changes(),
            )
        except ServiceError as error:
            form.add_error("name", error)
        else:
            if not wants_partial(request):
                messages.success(request, f"Team {team.name} saved.")
                return redirect(_team_url(team, "orgs:team_settings"))
            saved = True
            form = TeamSettingsForm(team=team)
    context = {"team": team, "form": form, "saved": saved, "tab": "settings"}
    return render_page(
        request,
        "orgs/team_settings.html",
        context,
        partial=form_partial(request, "settings"),
        refused=form.errors,
    )


@require_http_methods(["GET", "POST"])
@org_view("org.manage_teams")
def team_delete(request, team_id):
    team = _team(request, team_id)
    if request.method == "POST":
        services.team_delete(actor=request.user, team=team)
        messages.success(request, f"Team {team.name} deleted.")
        return redirect("orgs:teams", org_slug=request.org.slug)
    members = team.members.count()
    grants = selectors.team_grants(team)
    context = {
        "head": "orgs/_team_head.html",
        "team": team,
        "tab": "settings",
        "title": f"Delete the team {team.name}?",
        "message": f"The team's {members} member{pluralize(members, ' stays, stay')} in "
        f"{request.org.name}, but lose the access they had through the team:",
        "consequences": [f"{grant.workspace.name}: {grant.get_role_display()}" for grant in grants]
        or ["no workspace access (the team has none)"],
        "preview": previews.impact_preview(request.org, impact.DeleteTeam(team.name)),
        "note": "There is no undo.",
        "button": f"Delete {team.name}",
        "cancel": _team_url(team, "orgs:team_settings"),
    }
    return render(request, "orgs/confirm.html", context)
