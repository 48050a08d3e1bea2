"""The command palette's choices ("/" or Ctrl-K, and the /jump/ page without JavaScript): the
console pages, workspaces, teams and members whose name contains what was typed — only those
the policy lets the user open, so the palette never offers a page that would answer 403/404.

Reads, whatever the size of the orgs: the user's access (one query, then cached on the user),
their orgs, the matching workspaces, teams and members: at most five queries (teams and members
only for Org Admins, members only once something is typed).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q
from django.urls import reverse

from workspaces.models import Workspace

from . import permissions
from .models import Organization, OrgMembership, Team

LIMIT = 8  # choices per kind

# The console pages offered, in the sidebar's order: (URL name, label, capability).
CONSOLE_PAGES = [
    ("orgs:dashboard", "Dashboard", "org.view_console"),
    ("orgs:workspaces", "Workspaces", "org.manage_workspaces"),
    ("orgs:teams", "Teams", "org.manage_teams"),
    ("orgs:users", "Members", "org.manage_users"),
    ("orgs:invitations", "Invitations", "org.manage_users"),
    ("audit:activity", "Activity", "org.view_activity"),
    ("orgs:reviews", "Access reviews", "org.manage_reviews"),
    ("orgs:settings", "Settings", "org.manage_settings"),
    ("orgs:integrations", "Integrations", "org.manage_settings"),
    ("orgs:domains", "Domains", "org.manage_settings"),
    ("orgs:sso", "Single sign-on (SSO)", "org.manage_settings"),
]


@dataclass(frozen=True)
class Choice:
    """One thing to jump to: `label` (what it is called), `kind` ("Console page",
    "Workspace", "Manage", "Team", "Member"), `context` (the org's name, and the member's
    email), `url` (a path)."""

    label: str
    kind: str
    context: str
    url: str


def _matches(text: str, q: str) -> bool:
    return q.casefold() in text.casefold()


def choices(user, q: str = "", *, limit: int = LIMIT) -> list[Choice]:
    """What `user` may jump to for the typed text `q` (stripped; "" offers the console pages
    and the first workspaces): console pages, then workspaces (each followed by its Manage page
    for those who may manage it), teams and members, `limit` of each kind."""
    q = (q or "").strip()
    access = permissions.all_access(user)
    orgs = {org.pk: org for org in Organization.objects.filter(pk__in=access).order_by("name")}
    if not orgs:
        return []

    def orgs_that(capability):
        return [org for org in orgs.values() if access[org.pk].can(capability)]

    found: list[Choice] = []
    pages = [
        Choice(label, "Console page", org.name, reverse(name, args=[org.slug]))
        for org in orgs.values()
        for name, label, capability in CONSOLE_PAGES
        if access[org.pk].can(capability) and _matches(f"{label} {org.name}", q)
    ]
    found += pages[:limit]

    admin_of = [org.pk for org in orgs.values() if access[org.pk].sees_every_workspace]
    granted = {ws_id for org_id in orgs for ws_id in access[org_id].workspace_ids}
    workspaces = Workspace.objects.filter(Q(org_id__in=admin_of) | Q(pk__in=granted))
    if q:
        workspaces = workspaces.filter(name__fold_contains=q)
    for ws in workspaces.order_by("name", "pk").only("name", "slug", "org_id")[:limit]:
        org = orgs[ws.org_id]
        found.append(
            Choice(
                ws.name, "Workspace", org.name, reverse("workspaces:home", args=[org.slug, ws.slug])
            )
        )
        ws_access = access[org.pk].workspace(ws.pk)
        if ws_access is not None and ws_access.can("ws.manage"):
            url = reverse("workspaces:manage_members", args=[org.slug, ws.slug])
            found.append(Choice(f"Manage {ws.name}", "Manage", org.name, url))

    team_orgs = [org.pk for org in orgs_that("org.manage_teams")]
    if team_orgs:
        teams = Team.objects.filter(org_id__in=team_orgs)
        if q:
            teams = teams.filter(name__fold_contains=q)
        for team in teams.order_by("name", "pk").only("name", "org_id")[:limit]:
            org = orgs[team.org_id]
            url = reverse("orgs:team", args=[org.slug, team.pk])
            found.append(Choice(team.name, "Team", org.name, url))

    people_orgs = [org.pk for org in orgs_that("org.manage_users")]
    if people_orgs and q:
        members = (
            OrgMembership.objects.filter(org_id__in=people_orgs)
            .filter(Q(user__email__fold_contains=q) | Q(user__full_name__fold_contains=q))
            .select_related("user")
            .only("org_id", "user__email", "user__full_name")
            .order_by("user__full_name", "user__email", "pk")[:limit]
        )
        for membership in members:
            org, person = orgs[membership.org_id], membership.user
            url = reverse("orgs:user_profile", args=[org.slug, person.pk])
            context = f"{person.email} · {org.name}"
            found.append(Choice(person.display_name, "Member", context, url))
    return found
