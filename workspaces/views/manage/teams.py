"""Manage → Teams: the org's teams with access to this workspace, their role and flags edited in
place; give a team access; remove it."""

from django.contrib import messages
from django.http import Http404
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from flowadmin.htmx import paginate, redirect_after_post, resubmission
from flowadmin.params import url_per_id
from orgs import impact, previews, undo
from orgs.errors import ServiceError
from orgs.templatetags.access import until as until_label
from workspaces import services
from workspaces.decorators import workspace_view
from workspaces.forms.grants import GrantForm, TeamAddForm, grant_fields
from workspaces.models import TeamAccess
from workspaces.selectors import manage as selectors

from . import left_manage, manage_url, render_confirm, render_manage, saved_row

PAGE_SIZE = 50


def _teams_page(request, *, add_form=None, forms=None, status=200):
    page = paginate(request, selectors.team_access_list(request.workspace), PAGE_SIZE)
    rows = _rows(request, page, forms)
    add_form = add_form or _add_form(request)
    context = {"page": page, "rows": rows, "add_form": add_form}
    return render_manage(
        request, "workspaces/manage/teams.html", context, tab="teams", status=status
    )


def _rows(request, accesses, forms=None) -> list[tuple]:
    """(team access, its grant editor, its links) per row: the editor (GrantFields) shows the
    access as saved, or a failed save's form (`forms`: access id → bound GrantForm) with its
    values and errors; links cost one reverse a page (flowadmin.params.url_per_id) and the
    team's page is linked only for who may open it."""
    forms = forms or {}
    org, ws = request.org.slug, request.workspace.slug
    team = None
    if request.org_access and request.org_access.can("org.manage_teams"):
        team = url_per_id("orgs:team", org)
    update = url_per_id("workspaces:manage_team_update", org, ws)
    remove = url_per_id("workspaces:manage_team_remove", org, ws)
    rows = []
    for access in accesses:
        form = forms.get(access.pk)
        links = {
            "team": team(access.team_id) if team else "",
            "update": update(access.pk),
            "remove": remove(access.pk),
        }
        rows.append((access, form.fields_shown() if form else grant_fields(access), links))
    return rows


def _add_form(request, data=None):
    """The "give a team access" form: the org's teams without access yet."""
    teams = selectors.teams_without_access(request.workspace).order_by("name")
    return TeamAddForm(data, workspace=request.workspace, teams=teams)


@require_GET
@workspace_view("ws.manage")
def teams(request):
    return _teams_page(request)


def _team_members_lose_manage(request, team) -> bool:
    """True when the acting user is in `team` and, after its change, can no longer manage."""
    if not team.memberships.filter(user_id=request.user.pk).exists():
        return False
    return left_manage(request, request.user)


@require_POST
@workspace_view("ws.manage")
def team_add(request):
    form = _add_form(request, request.POST)
    if form.is_valid():
        team = form.cleaned_data["team"]
        try:
            access = services.team_access_set(
                actor=request.user, team=team, workspace=request.workspace, **form.grant()
            )
        except ServiceError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                f"{team.name} now has {access.get_role_display()}{until_label(access.until)} "
                f"access to {request.workspace.name}.",
            )
            return redirect_after_post(request, manage_url(request, "teams"))
    return _teams_page(request, add_form=form, status=400)


def _team_access(request, access_id):
    """The team access a row edits; 404 with a sentence when it was removed meanwhile."""
    access = (
        TeamAccess.objects.select_related("team")
        .filter(pk=access_id, workspace=request.workspace)
        .first()
    )
    if access is None:
        raise Http404(
            f"This team no longer has access to {request.workspace.name}. Reload the page."
        )
    return access


@require_POST
@workspace_view("ws.manage")
def team_update(request, access_id):
    access = _team_access(request, access_id)
    form = GrantForm(request.POST, grant=access)
    if form.is_valid() and not form.cleaned_data["restore"] and not request.POST.get("confirmed"):
        # A change that lowers the team's access asks first, with who loses what.
        changes = form.changes()
        preview = previews.impact_preview(
            request.org,
            impact.SetTeamAccess(
                access.team.name, request.workspace.pk, changes["role"], changes["flags"] or {}
            ),
        )
        if preview.lowers:
            return render_confirm(
                request,
                tab="teams",
                title=f"Change {access.team.name}'s access to {request.workspace.name}?",
                message=(
                    f"This lowers the access {access.team.name} gives its members in "
                    f"{request.workspace.name}."
                ),
                action=manage_url(request, "team_update", access.pk),
                button="Save the change",
                fields=resubmission(request),
                preview=preview,
            )
    if form.is_valid():
        changes = form.changes()
        try:
            access = services.team_access_set(
                actor=request.user, team=access.team, workspace=request.workspace, **changes
            )
        except ServiceError as error:
            form.add_error(None, error)
        else:
            return saved_row(
                request,
                lost_manage=_team_members_lose_manage(request, access.team),
                name=access.team.name,
                notice=form.saved_notice(access.get_role_display()),
                row=lambda notice: _team_row(request, access, notice=notice),
                tab="teams",
            )
    if request.htmx:
        return _team_row(request, access, form=form)
    return _teams_page(request, forms={access.pk: form}, status=400)


def _team_row(request, access, *, form=None, notice=""):
    access = selectors.team_access_list(request.workspace).get(pk=access.pk)
    [(access, fields, links)] = _rows(request, [access], {access.pk: form} if form else None)
    return render_manage(
        request,
        "workspaces/manage/teams.html#team_row",
        {"access": access, "fields": fields, "links": links, "notice": notice},
        tab="teams",
    )


@require_http_methods(["GET", "POST"])
@workspace_view("ws.manage")
def team_remove(request, access_id):
    access = _team_access(request, access_id)
    team = access.team
    if request.method == "POST":
        try:
            services.team_access_remove(actor=request.user, team=team, workspace=request.workspace)
        except ServiceError as error:
            messages.error(request, error.text)
        else:
            done = f"{team.name} no longer has access to {request.workspace.name}."
            if _team_members_lose_manage(request, team):
                messages.success(request, done)  # no Undo: they can't manage it any more
                return redirect_after_post(request, reverse("home"))
            undo.offer(
                request,
                done,
                kind=undo.TEAM_ACCESS,
                team=team.pk,
                workspace=request.workspace.pk,
                **undo.grant_values(access),
            )
        return redirect_after_post(request, manage_url(request, "teams"))
    return render_confirm(
        request,
        tab="teams",
        preview=previews.impact_preview(
            request.org, impact.RemoveTeamAccess(team.name, request.workspace.pk)
        ),
        title=f"Remove {team.name}'s access to {request.workspace.name}?",
        message=(
            f"The members of {team.name} lose the {access.get_role_display()} role and "
            f"permissions they have through the team in {request.workspace.name}. Their "
            "direct access, if any, stays."
        ),
        action=manage_url(request, "team_remove", access.pk),
        button="Remove access",
    )
