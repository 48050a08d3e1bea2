"""Reads of the workspace Manage page: who has access and from where, the teams with access,
the candidates to add, the domains a workspace may use and its integrations. Each costs a fixed
number of queries, whatever the number of rows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.db import connections, router
from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone
from django.utils.text import capfirst

from flowadmin.model_rows import ModelRows
from orgs import expiry, permissions
from orgs.integrations import CATALOG, App
from orgs.lookups import fold_contains_sql, fold_pattern
from orgs.models import (
    Domain,
    DomainStatus,
    IntegrationInstallation,
    OrgMembership,
    Team,
    TeamMembership,
    User,
    current,
)
from orgs.names import initials
from orgs.roles import FLAG_LABELS, FLAGS, WORKSPACE_ROLE_LABELS, OrgRole

from ..models import TeamAccess, WorkspaceMembership


def search_users(queryset, q: str, email: str = "email", name: str = "full_name"):
    """`queryset` narrowed to the rows whose `email` or `name` field contains `q`, compared
    case- and width-folded (orgs.lookups.FoldContains); a blank `q` narrows nothing."""
    q = (q or "").strip()
    if q:
        queryset = queryset.filter(
            Q(**{f"{email}__fold_contains": q}) | Q(**{f"{name}__fold_contains": q})
        )
    return queryset


# --- members -------------------------------------------------------------------------------


@dataclass
class WorkspaceMemberRow:
    user: User
    access: permissions.WorkspaceAccess
    membership: WorkspaceMembership | None
    team_ids: dict[str, int]

    @property
    def is_direct(self) -> bool:
        return self.membership is not None

    def shown(self) -> dict:
        """What the row shows, as plain values that workspaces.access_table formats into the
        row's HTML:
        `user_id`, `name`, `email`, `initials`; `direct` (an editable direct membership);
        `role_label` + `until` (" until 12 Jan" or "") the effective role, `manages` whether
        it manages the workspace; `elevated` with `role_through` (labels) when a team or the
        org role gives more than the direct role; `flags` [{name, label, effective, through
        (the labels of the other sources turning it on, joined)}]; `sources` [{kind, label,
        role_label, until, team_id, url ("": set by the view)}]."""
        access, user = self.access, self.user
        return {
            "user_id": user.pk,
            "name": user.display_name,
            "email": user.email,
            "initials": initials(user.display_name),
            "direct": self.membership is not None,
            "role_label": access.role_label,
            "until": expiry.until_text(access.until),
            "manages": access.can("ws.manage"),
            "elevated": self.membership is not None and access.role != self.membership.role,
            "role_through": ", ".join(s.label for s in access.role_sources()),
            "flags": [
                {
                    "name": flag,
                    "label": FLAG_LABELS[flag],
                    "effective": access.flags[flag],
                    "through": ", ".join(
                        s.label for s in access.flag_sources(flag) if s.kind != permissions.DIRECT
                    ),
                }
                for flag in FLAGS
            ],
            "sources": [
                {
                    "kind": s.kind,
                    "label": capfirst(s.label),
                    "role_label": WORKSPACE_ROLE_LABELS[s.role],
                    "until": expiry.until_text(s.until),
                    "team_id": self.team_ids.get(s.team) if s.kind == permissions.TEAM else None,
                    "url": "",
                }
                for s in access.sources
            ],
        }


@dataclass(frozen=True)
class OtherGrants:
    """A direct member's grants in a workspace beside their direct membership, read with it
    under lock (services.workspace_membership_update sets a saved membership's
    `other_grants`), so that member's row needs no further query: `org` (org role, until) or
    None and `teams` as orgs.permissions.member_workspace_access takes them; `team_ids`: those
    teams' ids by name (the row's links)."""

    org: tuple | None
    teams: tuple
    team_ids: dict[str, int]


def team_ids_by_name(workspace) -> dict[str, int]:
    """Team names are unique in an org: name → id of the teams with access (for links)."""
    return dict(TeamAccess.objects.filter(workspace=workspace).values_list("team__name", "team_id"))


def workspace_member_rows(workspace, users, memberships=None) -> list[WorkspaceMemberRow]:
    """One row per user (in the given order) with their effective access and their direct
    membership (the view adds links and the membership's editor). `memberships`: the users' direct
    memberships when the caller has them (one row after a save), else they are read. Queries:
    1 (access) + 1 (memberships, unless given) + 1 (team links, only if a team gives access);
    none for one given membership that carries its `other_grants` (OtherGrants)."""
    users = list(users)
    loaded = memberships is not None and len(users) == len(memberships) == 1
    other = getattr(memberships[0], "other_grants", None) if loaded else None
    if other is not None:
        row = _loaded_row(workspace, users[0], memberships[0], other)
        return [row] if row is not None else []
    access = permissions.workspace_member_access(workspace, [u.pk for u in users])
    if memberships is None:
        memberships = direct_memberships(workspace, [user.pk for user in users])
    memberships = {m.user_id: m for m in memberships}
    through_teams = any(s.kind == permissions.TEAM for a in access.values() for s in a.sources)
    team_ids = team_ids_by_name(workspace) if through_teams else {}
    rows = []
    for user in users:
        if user.pk not in access:  # lost access between the two queries
            continue
        membership = memberships.get(user.pk)
        if membership is not None:
            membership.user = user
        rows.append(WorkspaceMemberRow(user, access[user.pk], membership, team_ids))
    return rows


_MEMBERSHIPS = ModelRows(WorkspaceMembership)


def direct_memberships(workspace, user_ids) -> list[WorkspaceMembership]:
    """The direct memberships of `workspace` held by `user_ids` (ended ones too), as
    `WorkspaceMembership.objects.filter(workspace=workspace, user_id__in=user_ids)` gives them:
    one SELECT written once (the ORM built it anew for every page of Manage → Members, ~1 ms
    of Python at 25 rows; flowadmin.model_rows), none for no users."""
    user_ids = [int(pk) for pk in user_ids]
    if not user_ids:
        return []
    connection = connections[router.db_for_read(WorkspaceMembership)]
    quote = connection.ops.quote_name
    sql = (
        f"SELECT {_MEMBERSHIPS.columns(connection, 'wm')}"
        f" FROM {quote(WorkspaceMembership._meta.db_table)} wm"
        f" WHERE wm.{quote('workspace_id')} = %s"
        f" AND wm.{quote('user_id')} IN ({', '.join(['%s'] * len(user_ids))})"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [workspace.pk, *user_ids])
        rows = cursor.fetchall()
    return [_MEMBERSHIPS.instance(connection, row) for row in rows]


def _loaded_row(workspace, user, membership, other: OtherGrants) -> WorkspaceMemberRow | None:
    """workspace_member_rows' row of one direct member whose other grants are loaded: no query."""
    access = permissions.member_workspace_access(
        workspace.org_id,
        workspace.pk,
        org=other.org,
        direct=(membership.role, membership.flags, membership.until),
        teams=other.teams,
    )
    membership.user = user
    return WorkspaceMemberRow(user, access, membership, other.team_ids) if access else None


def users_with_workspace_access(workspace, now=None, q: str = ""):
    """The users orgs.permissions.workspace_member_access returns, as a queryset to filter,
    order and paginate: org members who are direct members, in a team with access, or org
    admins — through grants that have not ended at `now` (orgs.expiry; default: this
    moment); `q`: only those whose email or name contains it (as search_users matches)."""
    now = now or timezone.now()
    org_members = search_users(
        OrgMembership.objects.filter(current(now), org_id=workspace.org_id),
        q,
        email="user_email",
        name="user_full_name",
    )
    direct = WorkspaceMembership.objects.filter(current(now), workspace=workspace).values("user_id")
    teams = TeamAccess.objects.filter(
        current(now), workspace=workspace, team__org_id=workspace.org_id
    ).values("team_id")
    via_team = TeamMembership.objects.filter(current(now), team_id__in=teams).values("user_id")
    # Read from the org's memberships, not by testing every user: at 10,000 members the
    # users table was scanned whole, twice a page (the count and the page).
    reaching = org_members.filter(
        Q(user_id__in=direct) | Q(user_id__in=via_team) | Q(role=OrgRole.ADMIN)
    )
    return User.objects.filter(pk__in=reaching.values("user_id"))


# users_with_workspace_access in SQL, by email: the page's count and its rows. Built by the ORM
# (three nested subqueries, OR-ed) each request compiled it twice, ~1/4 of the page's Python
# work at bench size; tests/orgs/test_workspace_member_access.py compares the two. The people
# reached (direct members, team members, org admins: ~100 at bench size) are gathered first and
# their memberships looked up, instead of testing every membership of the org against the OR
# (a sequential scan of 10,000 memberships for the count and again for the page).
_PEOPLE_SQL = """
FROM orgs_orgmembership m
JOIN orgs_user u ON u.id = m.user_id
WHERE m.org_id = %(org)s AND (m.until IS NULL OR m.until > %(now)s){search}
  AND m.user_id IN (SELECT wm.user_id FROM workspaces_workspacemembership wm
                     WHERE wm.workspace_id = %(ws)s
                       AND (wm.until IS NULL OR wm.until > %(now)s)
                    UNION
                    SELECT tm.user_id FROM orgs_teammembership tm
                      JOIN workspaces_teamaccess ta ON ta.team_id = tm.team_id
                      JOIN orgs_team t ON t.id = ta.team_id
                     WHERE ta.workspace_id = %(ws)s AND t.org_id = %(org)s
                       AND (ta.until IS NULL OR ta.until > %(now)s)
                       AND (tm.until IS NULL OR tm.until > %(now)s)
                    UNION
                    SELECT a.user_id FROM orgs_orgmembership a
                     WHERE a.org_id = %(org)s AND a.role = %(admin)s)
"""
_SEARCH_SQL = " AND ({} OR {})"
_USERS = ModelRows(User)


class PeopleWithAccess:
    """The users users_with_workspace_access(workspace, now, q) gives, by email, read with
    raw SQL from the database the ORM would read them from: `count()` (one query), a slice
    `[start:stop]` (one query, a list of Users made as the ORM makes them,
    flowadmin.model_rows) and iteration (all of them, one query) — what
    django.core.paginator.Paginator asks of it."""

    def __init__(self, workspace, q: str = "", now=None):
        q = (q or "").strip()
        now = now or timezone.now()
        self.connection = connection = connections[router.db_for_read(User)]
        self.params = {
            "org": workspace.org_id,
            "ws": workspace.pk,
            "admin": OrgRole.ADMIN.value,
            "now": connection.ops.adapt_datetimefield_value(now),
        }
        search = ""
        if q:
            search = _SEARCH_SQL.format(
                fold_contains_sql(connection, "m.user_email", placeholder="%(q)s"),
                fold_contains_sql(connection, "m.user_full_name", placeholder="%(q)s"),
            )
            self.params["q"] = fold_pattern(connection, q)
        self.sql = _PEOPLE_SQL.format(search=search)

    def count(self) -> int:
        with self.connection.cursor() as cursor:
            cursor.execute(f"SELECT COUNT(*) {self.sql}", self.params)
            return cursor.fetchone()[0]

    def __getitem__(self, index: slice) -> list[User]:
        if not isinstance(index, slice) or index.step is not None:
            raise TypeError("PeopleWithAccess takes a slice [start:stop].")
        start, stop = int(index.start or 0), index.stop
        if stop is None and start:
            raise TypeError("PeopleWithAccess takes [start:stop] or [0:None] (all).")
        limit = "" if stop is None else f" LIMIT {max(int(stop) - start, 0)} OFFSET {start}"
        connection = self.connection
        columns = _USERS.columns(connection, "u")
        sql = f"SELECT {columns} {self.sql} ORDER BY u.email{limit}"
        with connection.cursor() as cursor:
            cursor.execute(sql, self.params)
            rows = cursor.fetchall()
        return [_USERS.instance(connection, row) for row in rows]

    def __iter__(self):
        return iter(self[0:None])


def people_with_access(workspace, q: str = "", expiring: int | None = None):
    """The people with access to `workspace` matching `q`, by email (PeopleWithAccess, or a
    queryset with `expiring`); `expiring` (days): only those with some access here ending
    within that many days (orgs.expiry)."""
    # The search reads the memberships' copies of the name and email (orgs 0012): matched
    # on the users table, every user of the org was folded and tested, not only those here.
    if expiring is None:
        return PeopleWithAccess(workspace, q)
    people = users_with_workspace_access(workspace, q=q)
    people = people.filter(access_ending_here(workspace, expiring))
    return people.order_by("email")


def access_ending_here(workspace, days: int, now=None) -> Q:
    """Users (a User queryset's rows) with a grant reaching `workspace` that ends within `days`
    of `now`: their org membership, their direct membership, a team membership of a team with
    access here, or such a team's access (one EXISTS each)."""
    now = now or timezone.now()
    window = Q(until__gt=now, until__lte=now + timedelta(days=days))
    person = OuterRef("pk")
    teams_here = TeamAccess.objects.filter(workspace=workspace).values("team_id")
    return (
        Exists(OrgMembership.objects.filter(window, org_id=workspace.org_id, user_id=person))
        | Exists(WorkspaceMembership.objects.filter(window, workspace=workspace, user_id=person))
        | Exists(TeamMembership.objects.filter(window, team_id__in=teams_here, user_id=person))
        | Exists(
            TeamAccess.objects.filter(
                window, workspace=workspace, team__memberships__user_id=person
            )
        )
    )


CANDIDATE_LIMIT = 20


@dataclass
class Candidate:
    user: User
    access: permissions.WorkspaceAccess | None  # what they already have (teams, org admin)


def member_candidates(workspace, q: str = "") -> tuple[list[Candidate], bool]:
    """Org members who are not direct members yet, matching `q`: the first CANDIDATE_LIMIT,
    and whether there are more."""
    users = search_users(
        User.objects.filter(org_memberships__org_id=workspace.org_id).exclude(
            pk__in=WorkspaceMembership.objects.filter(workspace=workspace).values("user_id")
        ),
        q,
    ).order_by("email")[: CANDIDATE_LIMIT + 1]
    users = list(users)
    more = len(users) > CANDIDATE_LIMIT
    users = users[:CANDIDATE_LIMIT]
    access = permissions.workspace_member_access(workspace, [u.pk for u in users])
    return [Candidate(u, access.get(u.pk)) for u in users], more


# --- teams ---------------------------------------------------------------------------------


def team_access_list(workspace):
    return (
        TeamAccess.objects.filter(workspace=workspace, team__org_id=workspace.org_id)
        .select_related("team")
        .annotate(member_count=Count("team__memberships"))
        .order_by("team__name")
    )


def teams_without_access(workspace):
    return Team.objects.filter(org_id=workspace.org_id).exclude(
        pk__in=TeamAccess.objects.filter(workspace=workspace).values("team_id")
    )


# --- domains -------------------------------------------------------------------------------


def usable_domains(workspace):
    """Domains the workspace may take as its whitelabel domain: the org's verified domains
    that are org-wide or this workspace's own."""
    return Domain.objects.filter(org_id=workspace.org_id, status=DomainStatus.VERIFIED).filter(
        Q(workspace__isnull=True) | Q(workspace=workspace)
    )


def own_domains(workspace):
    return Domain.objects.filter(workspace=workspace)


# --- integrations --------------------------------------------------------------------------


@dataclass
class AppCard:
    app: App
    installation: IntegrationInstallation | None  # this workspace's
    org_wide: IntegrationInstallation | None  # the org's, read-only here


def integration_cards(workspace, only: str | None = None) -> list[AppCard]:
    """Every catalog app (or only the app `only`) with its installations for this workspace and
    org-wide, grouped by category."""
    installs = IntegrationInstallation.objects.filter(org_id=workspace.org_id).filter(
        Q(workspace__isnull=True) | Q(workspace=workspace)
    )
    if only:
        installs = installs.filter(app=only)
    mine, org_wide = {}, {}
    for install in installs:
        (org_wide if install.is_org_wide else mine)[install.app] = install
    apps = [CATALOG[only]] if only else list(CATALOG.values())
    return [AppCard(app, mine.get(app.key), org_wide.get(app.key)) for app in apps]
