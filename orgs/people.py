"""Reads behind the People pages (members, a member's profile, invitations). Each costs a
constant number of queries however many members, workspaces or teams the org has: the access
of all listed members comes from one `permissions.members_access` query."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from datetime import timedelta

from django.core.exceptions import EmptyResultSet
from django.db import connections, router
from django.db.models import Count, Exists, F, OuterRef, Q, Window
from django.shortcuts import get_object_or_404
from django.utils import timezone

from workspaces.models import TeamAccess, Workspace, WorkspaceMembership

from . import expiry, permissions, services
from .models import (
    Invitation,
    InvitationStatus,
    OfferedRole,
    OrgMembership,
    TeamMembership,
    User,
)
from .names import display_name
from .permissions import OrgAccess, WorkspaceAccess, instant
from .roles import FLAG_LABELS, ORG_ROLE_LABELS, WORKSPACE_ROLE_LABELS
from .selectors import org_workspaces, workspace_names
from .two_factor import SECOND_FACTORS, second_factor_exists

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
    """One workspace a member reaches (its id and name) and the member's access to it."""

    workspace_id: int
    name: str
    access: WorkspaceAccess

    def shown(self) -> dict:
        """The cell as MemberRow.shown() gives it: {name, badge (the effective role and its
        end), extra (labels of the permissions on beyond the role's defaults, e.g. a viewer's
        Audience Viewer), teams (the teams giving the role when only teams do, joined)}."""
        role, flags, until = self.access.effective()
        return {
            "name": self.name,
            "badge": WORKSPACE_ROLE_LABELS[role]
            + (expiry.until_text(until) if until is not None else ""),
            "extra": [FLAG_LABELS[flag] for flag in permissions.flags_beyond_defaults(role, flags)],
            "teams": ", ".join(self.access.teams_giving_role()),
        }


@dataclass
class MemberRow:
    """One row of the users page: the membership (`membership_id`, `role`, `until`) and its
    copies of the user's columns (`user_id`, `full_name`, `email`, `last_login`: aware
    datetime or None), `two_factor` (TOTP or WebAuthn enrolled), the member's access and the
    workspaces they reach."""

    membership_id: int
    user_id: int
    full_name: str
    email: str
    last_login: datetime.datetime | None
    role: str
    until: datetime.datetime | None
    two_factor: bool
    access: OrgAccess
    workspaces: list[WorkspaceCell] = field(default_factory=list)
    is_sole_admin: bool = False

    def shown(self) -> dict:
        """What the users page's row shows, as plain values for the template (a dict: the
        template engine finds its keys ~3× faster than attributes): `user_id`,
        `name` (full name, else email), `display_name`, `email`; `role_label` + `until`
        (" until 12 Jan" or "") the Primary Role, `admin`; `two_factor`; `sole_admin`;
        `workspaces` [{name, badge (effective role and its end), extra (labels of the flags
        beyond the role's defaults), teams (the teams it comes through, joined, or "")}]."""
        name = display_name(self.full_name, self.email)
        return {
            "user_id": self.user_id,
            "name": name,
            "display_name": name,
            "email": self.email,
            "role_label": ORG_ROLE_LABELS.get(self.role, self.role),
            "until": expiry.until_text(self.until),
            "admin": self.access.is_admin,
            "two_factor": self.two_factor,
            "sole_admin": self.is_sole_admin,
            "workspaces": [cell.shown() for cell in self.workspaces],
        }


@dataclass(frozen=True)
class _OrderColumn:
    """A column of a member order: the OrgMembership field, its direction and whether it
    holds NULLs ("never logged in" sorts as the oldest login, forwards or backwards)."""

    field: str
    descending: bool
    nullable: bool

    def expression(self):
        if not self.nullable:
            # a plain ASC/DESC, which an index on the column serves (orgmembership_name_order)
            return F(self.field).desc() if self.descending else F(self.field).asc()
        if self.descending:
            return F(self.field).desc(nulls_last=True)
        return F(self.field).asc(nulls_first=True)

    def sql(self, alias: str) -> str:
        """The same order in SQL, e.g. `m."user_last_login" ASC NULLS FIRST`."""
        column = OrgMembership._meta.get_field(self.field).column
        direction = "DESC" if self.descending else "ASC"
        if self.nullable:
            direction += " NULLS LAST" if self.descending else " NULLS FIRST"
        return f'{alias}."{column}" {direction}'


def _order_columns(sort: str) -> list[_OrderColumn]:
    """The columns of `sort` (a MEMBER_SORTS key, "-" first for descending; unknown: name).
    Every order ends with the email, unique among the org's members: the id only makes the
    order total, in the same direction so a descending page walks the index backwards."""
    descending = sort.startswith("-")
    _label, fields = MEMBER_SORTS.get(sort.lstrip("-"), MEMBER_SORTS["name"])
    columns = [_OrderColumn(name, descending, _nullable(name)) for name in fields]
    return [*columns, _OrderColumn("id", descending, False)]


def _nullable(name: str) -> bool:
    """Whether the OrgMembership field `name` (e.g. "user_last_login") allows NULL."""
    return OrgMembership._meta.get_field(name).null


def _member_ordering(sort: str):
    """order_by() arguments for `sort` (see _order_columns)."""
    return [column.expression() for column in _order_columns(sort)]


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


# The page's rows: the memberships whose ids the paging query (`{page}`, compiled by the ORM,
# positional parameters) chose, in the page's order, read with their copies of the users'
# columns (kept by the database, orgs.0012) and whether the user has a second factor. Plain
# values, no model instances: building this through the ORM, with a User and an OrgMembership
# instance a row (and their audit snapshots), was a sixth of the page's Python.
_PAGE_ROWS_SQL = """
SELECT m.id, m.user_id, m.user_full_name, m.user_email, m.user_last_login, m.role, m.until,
       EXISTS (SELECT 1 FROM {authenticators} a
                WHERE a.user_id = m.user_id AND a.type IN ({factors}))
  FROM orgs_orgmembership m
 WHERE m.id IN ({page}) AND m.org_id = %s
 ORDER BY {order}
"""


def _page_rows(org, paged, sort: str) -> list[tuple]:
    """(membership id, user id, full name, email, last login, role, until, has a second
    factor) of the memberships of `org` that `paged` (a values_list queryset of ids) selects,
    in `sort`'s order; timestamps aware, the flag a bool. One query, none for an empty page."""
    from allauth.mfa.models import Authenticator

    db = paged.db  # the database the paginator counted in
    try:
        page_sql, page_params = paged.query.get_compiler(using=db).as_sql()
    except EmptyResultSet:  # an empty page (no query, as the ORM's `pk__in` of it)
        return []
    sql = _PAGE_ROWS_SQL.format(
        authenticators=Authenticator._meta.db_table,
        factors=", ".join(["%s"] * len(SECOND_FACTORS)),
        page=page_sql,
        order=", ".join(column.sql("m") for column in _order_columns(sort)),
    )
    with connections[db].cursor() as cursor:
        cursor.execute(sql, [*SECOND_FACTORS, *page_params, org.pk])
        rows = cursor.fetchall()
    return [
        (pk, user_id, full_name, email, instant(login), role, instant(until), bool(two_factor))
        for pk, user_id, full_name, email, login, role, until, two_factor in rows
    ]


def membership_ids(
    org,
    *,
    q: str = "",
    sort: str = "name",
    two_factor: bool | None = None,
    expiring: int | None = None,
):
    """The ids of the org's memberships, searched by name or email, in `sort`'s order: the
    narrow rows a page is chosen on (flowadmin.htmx.paginate), whose members `member_page_rows`
    then reads in full. `two_factor`: True/False keeps only members with/without a second
    factor (TOTP or WebAuthn enrolled); `expiring` (days): only members with some access ending
    within that many days (orgs.expiry)."""
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
    # The page is chosen on narrow rows (the membership id and the sort columns) and only its
    # rows are then read in full, in the same query: at 10,000 members a middle page's OFFSET
    # sorts half as much data.
    return members.order_by(*_member_ordering(sort)).values_list("pk", flat=True)


def member_page_rows(org, page_ids, *, sort: str) -> list[MemberRow]:
    """The MemberRows of a page of `membership_ids` (its sliced queryset, read in the same
    query as the rows), in `sort`'s order (the sort `membership_ids` was given); ids of another
    org's memberships read nothing."""
    found = _page_rows(org, page_ids, sort)
    access = permissions.members_access(org, [row[1] for row in found])
    reached = {ws_id for a in access.values() for ws_id in a.grants}
    # id → name, by name: plain values, no model instance per workspace
    names = workspace_names(org.pk, reached)
    position = {ws_id: i for i, ws_id in enumerate(names)}
    sole_admin = services.sole_admin_id(org)
    rows = []
    for pk, user_id, full_name, email, login, role, until, has_two_factor in found:
        member_access = access.get(user_id) or OrgAccess(org.pk, role)
        cells = [
            WorkspaceCell(ws_id, names[ws_id], member_access.workspace(ws_id))
            for ws_id in sorted(
                (ws_id for ws_id in member_access.grants if ws_id in position),
                key=position.__getitem__,
            )
        ]
        rows.append(
            MemberRow(
                pk,
                user_id,
                full_name,
                email,
                login,
                role,
                until,
                has_two_factor,
                member_access,
                cells,
                user_id == sole_admin,
            )
        )
    return rows


def pending_invitation_count(org) -> int:
    """The org's pending invitations (one COUNT, written by hand: the ORM's build of it was
    ~1,000 Python calls, the People tabs' badge on every page of theirs)."""
    with connections[router.db_for_read(Invitation)].cursor() as cursor:
        cursor.execute(
            "SELECT COUNT(*) FROM orgs_invitation WHERE org_id = %(org)s AND status = %(pending)s",
            {"org": org.pk, "pending": InvitationStatus.PENDING.value},
        )
        return cursor.fetchone()[0]


def member_with_email(org, email: str) -> User | None:
    """The member of `org` whose email is `email` (any case), or None."""
    return User.objects.filter(email__iexact=email, org_memberships__org=org).first()


def member_grant_counts(org, user) -> tuple[int, int]:
    """(workspaces the user is a direct member of, teams they are in) in `org`: what removing
    them from the org removes too (two COUNTs)."""
    workspaces = WorkspaceMembership.objects.filter(workspace__org=org, user=user).count()
    teams = TeamMembership.objects.filter(team__org=org, user=user).count()
    return workspaces, teams


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
    workspaces = org_workspaces(org).only("name")
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
    in_org = org_workspaces(org)
    granted = in_org.filter(pk__in=list(access.grants))
    profile = Profile(
        membership,
        access,
        [_profile_workspace(access, ws) for ws in granted],
        services.sole_admin_id(org) == user_id,
        find=find.strip(),
    )
    if profile.find:
        others = in_org.exclude(pk__in=list(access.grants))
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


def org_invitations(org, *, status: str):
    """The org's invitations of `status`, newest first (the view shows a page of them)."""
    return (
        Invitation.objects.filter(org=org, status=status)
        .select_related("invited_by", "accepted_by")
        .order_by("-created_at", "-pk")
    )


def invitation_rows(org, invitations, now=None) -> list[InvitationRow]:
    """A page of `invitations` as InvitationRows, the workspaces they offer named (one
    query, none when they offer none)."""
    now = now or timezone.now()
    items = list(invitations)
    ws_ids = {entry.get("workspace") for inv in items for entry in inv.workspace_roles if entry} - {
        None
    }
    names = workspace_names(org.pk, ws_ids)
    return [
        InvitationRow(
            inv,
            inv.offered_roles(names),
            inv.status == InvitationStatus.PENDING and inv.expires_at <= now,
            not expiry.is_current(inv.until, now),
        )
        for inv in items
    ]
