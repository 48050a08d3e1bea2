"""Reads behind the People pages (members, a member's profile, invitations). Each costs a
constant number of queries however many members, workspaces or teams the org has: the access
of all listed members comes from one `permissions.members_access` query."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from django.core.paginator import Page, Paginator
from django.db.models import Count, Exists, F, OuterRef, Q, Window
from django.shortcuts import get_object_or_404
from django.utils import timezone

from workspaces.models import TeamAccess, Workspace, WorkspaceMembership

from . import expiry, permissions, services
from .models import Invitation, InvitationStatus, OfferedRole, OrgMembership, TeamMembership
from .permissions import TEAM, OrgAccess, WorkspaceAccess
from .roles import FLAG_LABELS, ORG_ROLE_LABELS, WORKSPACE_ROLE_LABELS
from .two_factor import second_factor_exists

MEMBERS_PER_PAGE = 25
INVITATIONS_PER_PAGE = 25

# sort key → (label, order_by for ascending). The membership's copies of its user's columns
# (OrgMembership.user_full_name …, kept by the database) sort as the user's columns do; the
# name and last-login orders are indexes starting with the org (orgmembership_name_order,
# orgmembership_login_order), so any page walks OFFSET + 25 index entries of the org instead
# of sorting all its members.
MEMBER_SORTS = {
    "name": ("Name", ["user_full_name", "user_email"]),
    "email": ("Email", ["user_email"]),
    "role": ("Primary Role", ["role", "user_email"]),
    "last_login": ("Last login", ["user_last_login", "user_email"]),
    "joined": ("Joined", ["joined_at", "user_email"]),
}


# --- members list ---------------------------------------------------------------------------


@dataclass
class WorkspaceCell:
    """One workspace a member reaches (its id and name), with the effective role and the teams
    it comes through when no direct membership gives that role."""

    workspace_id: int
    name: str
    access: WorkspaceAccess

    @property
    def extra_flags(self) -> list[str]:
        """Permissions on beyond the effective role's defaults (e.g. a viewer's Audience
        Viewer)."""
        return permissions.flags_beyond_defaults(self.access.role, self.access.flags)

    @property
    def via_teams(self) -> list[str]:
        """The teams giving the effective role when only teams give it, else []."""
        sources = self.access.role_sources()
        if all(s.kind == TEAM for s in sources):
            return [s.team for s in sources]
        return []

    def shown(self) -> dict:
        """The cell as MemberRow.shown() gives it: {name, badge, extra, teams}."""
        access = self.access
        return {
            "name": self.name,
            "badge": WORKSPACE_ROLE_LABELS[access.role] + expiry.until_text(access.until),
            "extra": [FLAG_LABELS[flag] for flag in self.extra_flags],
            "teams": ", ".join(self.via_teams),
        }


@dataclass
class MemberRow:
    membership: OrgMembership
    access: OrgAccess
    workspaces: list[WorkspaceCell] = field(default_factory=list)
    is_sole_admin: bool = False

    @property
    def user(self):
        return self.membership.user

    def shown(self) -> dict:
        """What the users page's row shows, as plain values for the template (a dict: the
        template engine finds its keys ~3× faster than attributes): `user_id`,
        `name` (full name, else email), `display_name`, `email`; `role_label` + `until`
        (" until 12 Jan" or "") the Primary Role, `admin`; `two_factor`; `sole_admin`;
        `workspaces` [{name, badge (effective role and its end), extra (labels of the flags
        beyond the role's defaults), teams (the teams it comes through, joined, or "")}]."""
        user, membership = self.membership.user, self.membership
        return {
            "user_id": user.pk,
            "name": user.full_name or user.email,
            "display_name": user.display_name,
            "email": user.email,
            "role_label": ORG_ROLE_LABELS.get(membership.role, membership.role),
            "until": expiry.until_text(membership.until),
            "admin": self.access.is_admin,
            "two_factor": getattr(membership, "has_two_factor", False),
            "sole_admin": self.is_sole_admin,
            "workspaces": [cell.shown() for cell in self.workspaces],
        }


def _nullable(path: str) -> bool:
    """Whether the OrgMembership field at lookup `path` (e.g. "user_last_login") allows NULL."""
    model = OrgMembership
    for name in path.split("__"):
        field = model._meta.get_field(name)
        model = field.related_model
    return field.null


def _member_ordering(sort: str):
    descending = sort.startswith("-")
    key = sort.lstrip("-")
    _label, fields = MEMBER_SORTS.get(key, MEMBER_SORTS["name"])
    ordering = []
    for name in fields:
        if not _nullable(name):
            # a plain ASC/DESC, which an index on the column serves (orgmembership_name_order)
            ordering.append(F(name).desc() if descending else F(name).asc())
        # "never logged in" sorts as the oldest login, on every database (forwards or
        # backwards along orgmembership_login_order)
        elif descending:
            ordering.append(F(name).desc(nulls_last=True))
        else:
            ordering.append(F(name).asc(nulls_first=True))
    # Every order ends with the email, unique among the org's members: the id only makes the
    # order total, in the same direction so a descending page walks the index backwards.
    return [*ordering, "-pk" if descending else "pk"]


def ending_within(days: int, now=None) -> Q:
    """Grants (of a model with `until`, orgs.expiry) that end within `days` days of `now`:
    still current, ending at or before now + days."""
    now = now or timezone.now()
    return Q(until__gt=now, until__lte=now + timedelta(days=days))


def members_with_access_ending(org, days: int, now=None) -> Q:
    """OrgMembership rows of `org` whose person has some access in it ending within `days`:
    the org membership itself, a workspace membership, a team membership or the access of one
    of their teams (one EXISTS each, inside the page's one query)."""
    window = ending_within(days, now)
    person = OuterRef("user_id")
    return (
        window
        | Exists(WorkspaceMembership.objects.filter(window, user_id=person, workspace__org=org))
        | Exists(TeamMembership.objects.filter(window, user_id=person, team__org=org))
        | Exists(
            TeamAccess.objects.filter(window, team__org=org, team__memberships__user_id=person)
        )
    )


def member_page(
    org,
    *,
    q: str = "",
    sort: str = "name",
    page_number=1,
    two_factor: bool | None = None,
    expiring: int | None = None,
) -> Page:
    """One page of the org's members, searched by name or email, as MemberRows; each
    membership carries `has_two_factor` (TOTP or WebAuthn enrolled). `two_factor`: True/False
    keeps only members with/without it; `expiring` (days): only members with some access
    ending within that many days (orgs.expiry)."""
    members = OrgMembership.objects.filter(org=org)
    if two_factor is not None:
        members = members.annotate(has_two_factor=second_factor_exists("user")).filter(
            has_two_factor=two_factor
        )
    if expiring is not None:
        members = members.filter(members_with_access_ending(org, expiring))
    if q:
        members = members.filter(
            Q(user__email__fold_contains=q) | Q(user__full_name__fold_contains=q)
        )
    ordering = _member_ordering(sort)
    # The page is chosen on narrow rows (the membership id and the sort columns) and only its
    # rows are then read in full, in the same query: at 10,000 members a middle page's OFFSET
    # sorts half as much data.
    page = Paginator(
        members.order_by(*ordering).values_list("pk", flat=True), MEMBERS_PER_PAGE
    ).get_page(page_number)
    memberships = list(
        OrgMembership.objects.filter(pk__in=page.object_list)
        .select_related("user")
        .annotate(has_two_factor=second_factor_exists("user"))
        .order_by(*ordering)
    )
    access = permissions.members_access(org, [m.user_id for m in memberships])
    reached = {ws_id for a in access.values() for ws_id in a.grants}
    # id → name, by name: plain values, no model instance per workspace
    names = (
        dict(
            Workspace.objects.filter(org=org, pk__in=reached)
            .order_by("name")
            .values_list("pk", "name")
        )
        if reached
        else {}
    )
    position = {ws_id: i for i, ws_id in enumerate(names)}
    sole_admin = services.sole_admin_id(org)
    rows = []
    for membership in memberships:
        member_access = access.get(membership.user_id) or OrgAccess(org.pk, membership.role)
        cells = [
            WorkspaceCell(ws_id, names[ws_id], member_access.workspace(ws_id))
            for ws_id in sorted(
                (ws_id for ws_id in member_access.grants if ws_id in position),
                key=position.__getitem__,
            )
        ]
        rows.append(MemberRow(membership, member_access, cells, membership.user_id == sole_admin))
    page.object_list = rows
    return page


def pending_invitation_count(org) -> int:
    return Invitation.objects.filter(org=org, status=InvitationStatus.PENDING).count()


# --- a member's profile ---------------------------------------------------------------------


@dataclass
class ProfileWorkspace:
    """A workspace of the org as seen on a member's profile: the direct role (editable) and the
    effective access with its sources (orgs.profile_rows shows its flags and capabilities)."""

    workspace: Workspace
    access: WorkspaceAccess | None

    @property
    def direct(self):
        return self.access.direct if self.access else None


@dataclass
class Profile:
    """A member's profile: the workspaces where they have a direct role or team access (an Org
    Admin's admin role everywhere is said once, not listed per workspace), and the org's other
    workspaces whose name contains `find` (at most FIND_LIMIT), to give them access there."""

    membership: OrgMembership
    access: OrgAccess
    workspaces: list[ProfileWorkspace]
    is_sole_admin: bool
    find: str = ""
    found: list[ProfileWorkspace] = field(default_factory=list)
    found_more: bool = False  # more workspaces match `find` than are shown

    @property
    def user(self):
        return self.membership.user


def member_membership(org, user_id) -> OrgMembership:
    """The org membership of user `user_id`, or 404 (also for members of other orgs)."""
    return get_object_or_404(OrgMembership.objects.select_related("user"), org=org, user_id=user_id)


def _profile_workspace(org_access: OrgAccess, workspace) -> ProfileWorkspace:
    return ProfileWorkspace(workspace, org_access.workspace(workspace.pk))


FIND_LIMIT = 20  # workspaces shown for a search (a member's profile, a review's start form,
# the invitation form)


def find_workspaces(workspaces, find: str, limit: int = FIND_LIMIT) -> tuple[list, bool]:
    """The first `limit` of `workspaces` (a queryset, in its order) whose name contains `find`
    (all of them when `find` is empty), and whether more match: one query."""
    if find:
        workspaces = workspaces.filter(name__icontains=find)
    found = list(workspaces[: limit + 1])
    return found[:limit], len(found) > limit


# --- the workspace picker of the review start form and the invitation form -------------------

FIND_MAX_LENGTH = 120


@dataclass
class WorkspacePick:
    """A form's choice of workspaces: those chosen so far (kept across searches), and the others
    whose name contains `find` (the first of them by name when `find` is empty)."""

    find: str
    chosen: list  # Workspace, by name
    found: list  # Workspace, by name; not chosen; at most FIND_LIMIT
    more: bool  # more workspaces match than `found` shows
    more_count: int = 0  # how many more

    @property
    def rows(self) -> list:
        """The workspaces the form shows: the chosen ones, then those found."""
        return [*self.chosen, *self.found]


def chosen_ids(params, name="workspaces") -> list[int]:
    """The workspace ids posted as `name` (request.POST), malformed ones left out."""
    return [int(value) for value in params.getlist(name) if value.isdigit()]


def workspace_pick(org, chosen: list[int], find: str) -> WorkspacePick:
    """What a picker shows: the org's workspaces among `chosen` (ids of other orgs are left
    out) and the first FIND_LIMIT others matching `find` with how many more match — two
    queries (one when nothing is chosen), whatever the number of workspaces."""
    find = (find or "").strip()[:FIND_MAX_LENGTH]
    workspaces = Workspace.objects.filter(org=org).order_by("name", "pk").only("name")
    picked = list(workspaces.filter(pk__in=chosen)) if chosen else []
    others = workspaces.exclude(pk__in=[ws.pk for ws in picked]).annotate(
        matching=Window(Count("pk"))
    )
    found, more = find_workspaces(others, find)
    more_count = found[0].matching - len(found) if more else 0
    return WorkspacePick(find, picked, found, more, more_count)


def member_profile(org, user_id, *, find: str = "") -> Profile:
    """The profile of member `user_id` (404 if not a member of org): four queries (five with
    `find`) whatever the number of workspaces in the org."""
    membership = member_membership(org, user_id)
    access = permissions.members_access(org, [membership.user_id]).get(
        membership.user_id
    ) or OrgAccess(org.pk, membership.role)
    org_workspaces = Workspace.objects.filter(org=org).order_by("name", "pk")
    granted = org_workspaces.filter(pk__in=list(access.grants))
    profile = Profile(
        membership,
        access,
        [_profile_workspace(access, ws) for ws in granted],
        services.sole_admin_id(org) == user_id,
        find=find.strip(),
    )
    if profile.find:
        others = org_workspaces.exclude(pk__in=list(access.grants))
        found, profile.found_more = find_workspaces(others, profile.find)
        profile.found = [_profile_workspace(access, ws) for ws in found]
    return profile


def member_workspace(org, membership, workspace) -> ProfileWorkspace:
    """One workspace row of a profile, freshly loaded (after a change)."""
    access = permissions.members_access(org, [membership.user_id]).get(
        membership.user_id
    ) or OrgAccess(org.pk, membership.role)
    return _profile_workspace(access, workspace)


# --- invitations ----------------------------------------------------------------------------

INVITATION_TABS = [
    (InvitationStatus.PENDING, "Pending"),
    (InvitationStatus.EXPIRED, "Expired"),
    (InvitationStatus.ACCEPTED, "Accepted"),
    (InvitationStatus.REVOKED, "Revoked"),
]


@dataclass
class InvitationRow:
    invitation: Invitation
    workspace_roles: list[OfferedRole]  # (workspace name, role label, end)
    overdue: bool
    # the org membership it offers has ended: it can't be accepted or resent (orgs.invitations)
    membership_ended: bool


def invitation_page(org, *, status: str, page_number=1, now=None) -> Page:
    now = now or timezone.now()
    invitations = (
        Invitation.objects.filter(org=org, status=status)
        .select_related("invited_by", "accepted_by")
        .order_by("-created_at", "-pk")
    )
    page = Paginator(invitations, INVITATIONS_PER_PAGE).get_page(page_number)
    items = list(page.object_list)
    ws_ids = {entry.get("workspace") for inv in items for entry in inv.workspace_roles if entry} - {
        None
    }
    names = (
        dict(Workspace.objects.filter(org=org, pk__in=ws_ids).values_list("pk", "name"))
        if ws_ids
        else {}
    )
    page.object_list = [
        InvitationRow(
            inv,
            inv.offered_roles(names),
            inv.status == InvitationStatus.PENDING and inv.expires_at <= now,
            not expiry.is_current(inv.until, now),
        )
        for inv in items
    ]
    return page
