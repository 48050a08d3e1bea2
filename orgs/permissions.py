"""The permission policy: the one place that decides who may do what (SPEC §3).

- roles in order and the fine-grained flag defaults,
- the capability table for organizations and workspaces,
- the effective-access rule (direct ∪ teams ∪ org admin; highest role; OR of flags),
- explanations of every answer (which source granted it).

Everything else asks here: the authentication backend (`user.has_perm(cap, obj)`), the view
decorators in `orgs.decorators` and `workspaces.decorators`, templates (the `can` filter),
services and commands.

A user's access to all their orgs is loaded in one query and cached on the user object, which
Django builds once per request, so every check after the first costs no query.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db import connection
from django.utils import timezone
from django.utils.functional import cached_property

from flowadmin.database import in_ids

from . import expiry
from .roles import (
    FLAG_DEFINITIONS,
    FLAG_LABELS,
    FLAGS,
    WORKSPACE_ROLE_LABELS,
    OrgRole,
    WorkspaceRole,
)

# --- roles and flag defaults -------------------------------------------------------------

ROLE_RANK = {
    role: rank for rank, role in enumerate(WorkspaceRole.values)
}  # viewer < editor < admin

FLAG_DEFAULTS = {
    WorkspaceRole.ADMIN: dict.fromkeys(FLAGS, True),
    WorkspaceRole.EDITOR: {flag.name: flag.editor_default for flag in FLAG_DEFINITIONS},
    WorkspaceRole.VIEWER: dict.fromkeys(FLAGS, False),
}


def flag_defaults(role: str) -> dict[str, bool]:
    """The flags a role starts with whenever it is set or changed."""
    return dict(FLAG_DEFAULTS[WorkspaceRole(role)])


def flags_beyond_defaults(role: str, flags: dict[str, bool]) -> list[str]:
    """The flags (names, in FLAGS order) on in `flags` that workspace role `role` (a value
    such as "viewer") does not turn on by default (a viewer's Audience Viewer); no copy
    of the defaults and no enum call (list rows ask it per cell)."""
    defaults = FLAG_DEFAULTS[role]
    return [flag for flag in FLAGS if flags[flag] and not defaults[flag]]


def flags_locked(role: str) -> bool:
    """Admin flags are always on and cannot be turned off."""
    return role == WorkspaceRole.ADMIN


def effective_flags(role: str, flags: dict[str, bool]) -> dict[str, bool]:
    """Flags as stored for `role`: admins have every flag, whatever was asked."""
    if flags_locked(role):
        return flag_defaults(role)
    return {flag: bool(flags.get(flag, False)) for flag in FLAGS}


def grant_after(current: tuple[str, dict] | None, role: str | None, flags: dict | None):
    """The (role, flags) a grant holds once set to `role` (None: keeps its role) and `flags`
    (only those given change), SPEC §3.2: a new grant (`current` None) or a changed role starts
    from the role's defaults, then the given flags apply; admin flags stay on. `current`:
    (role, flags) as stored. The services (workspaces.services.apply_grant) and the impact preview
    (orgs.impact) both apply this rule."""
    new_role = role or current[0]
    if current is None or new_role != current[0]:
        values = flag_defaults(new_role)
    else:
        values = dict(current[1])
    values.update(flags or {})
    return new_role, effective_flags(new_role, values)


def highest_role(roles) -> str | None:
    roles = [r for r in roles if r]
    return max(roles, key=ROLE_RANK.__getitem__) if roles else None


def is_org_role(value) -> bool:
    return value in OrgRole.values


def is_workspace_role(value) -> bool:
    return value in WorkspaceRole.values


# --- capabilities ------------------------------------------------------------------------

ORG = "org"
WORKSPACE = "workspace"


@dataclass(frozen=True)
class Capability:
    name: str
    level: str  # ORG or WORKSPACE
    description: str
    # org level: needs Org Admin unless member_ok; workspace level: minimum role, or the flag
    min_role: str | None = None
    flag: str | None = None
    member_ok: bool = False


CAPABILITIES = {
    cap.name: cap
    for cap in [
        Capability("org.view", ORG, "see this organization", member_ok=True),
        Capability("org.view_console", ORG, "open the Org Admin console"),
        Capability("org.manage_workspaces", ORG, "create and delete workspaces"),
        Capability("org.manage_teams", ORG, "create, edit and delete teams and their members"),
        Capability("org.manage_users", ORG, "invite, remove and set the roles of members"),
        Capability("org.view_activity", ORG, "view, filter and export the activity log"),
        Capability(
            "org.export_access", ORG, "export who has access to which workspace (access report)"
        ),
        Capability(
            "org.manage_settings", ORG, "change the org's settings, integrations and domains"
        ),
        Capability(
            "org.manage_reviews",
            ORG,
            "start access reviews, choose their reviewers and read their evidence",
        ),
        Capability(
            "ws.view",
            WORKSPACE,
            "see this workspace's flows, templates, assets, brand kits and analytics",
            min_role=WorkspaceRole.VIEWER,
        ),
        Capability(
            "ws.manage", WORKSPACE, "open the workspace's Manage page", min_role=WorkspaceRole.ADMIN
        ),
        Capability(
            "ws.manage_assets", WORKSPACE, "upload and delete assets", min_role=WorkspaceRole.EDITOR
        ),
        *(
            Capability(
                flag.capability,
                WORKSPACE,
                flag.allows,
                min_role=WorkspaceRole.ADMIN,
                flag=flag.name,
            )
            for flag in FLAG_DEFINITIONS
        ),
    ]
}


def is_capability(name) -> bool:
    return name in CAPABILITIES


def requirement(name: str) -> str:
    """Which role or flag would allow `name`, for 403 pages and disabled controls."""
    cap = CAPABILITIES[name]
    if cap.level == ORG:
        needed = "an organization member" if cap.member_ok else "an Org Admin"
        return f"You need to be {needed} to {cap.description}."
    role = WorkspaceRole(cap.min_role).label
    if cap.flag:
        return (
            f"You need the Workspace {role} role, or the {FLAG_LABELS[cap.flag]} permission in "
            f"this workspace, to {cap.description}."
        )
    at_least = "" if cap.min_role == WorkspaceRole.ADMIN else " (or higher)"
    return f"You need the Workspace {role} role{at_least} to {cap.description}."


# --- effective access --------------------------------------------------------------------

DIRECT = "direct"
TEAM = "team"
ORG_ADMIN = "org_admin"


@dataclass(frozen=True)
class Source:
    kind: str  # DIRECT, TEAM or ORG_ADMIN
    role: str
    flags: dict
    team: str | None = None
    # When this grant ends (orgs.expiry): a team's is the earlier of the team membership's
    # and the team access's end; None: it does not end. The org membership's end is not in it
    # (WorkspaceAccess.until adds it).
    until: datetime.datetime | None = None

    @property
    def label(self) -> str:
        if self.kind == TEAM:
            return f"team {self.team}"
        return "org admin" if self.kind == ORG_ADMIN else "direct"


def source_order(source: Source) -> tuple:
    """How a workspace's sources are listed: the direct one first, then teams by name."""
    return (source.kind != DIRECT, source.team or "")


@dataclass
class WorkspaceAccess:
    """A user's effective access to one workspace, with where each part comes from."""

    workspace_id: int
    sources: list[Source] = field(default_factory=list)
    org_until: datetime.datetime | None = None  # when the org membership ends (orgs.expiry)

    # role, flags and until are asked of every listed grant (25 members × their workspaces a
    # page): a single source, the common case, answers without a generator per flag.

    @cached_property
    def role(self) -> str:
        if len(self.sources) == 1:
            return self.sources[0].role
        return highest_role(s.role for s in self.sources)

    @property
    def role_label(self) -> str:
        return WORKSPACE_ROLE_LABELS[self.role]

    @cached_property
    def flags(self) -> dict[str, bool]:
        if len(self.sources) == 1:
            return dict(self.sources[0].flags)  # a source's flags: every flag, in FLAGS order
        return {flag: any(s.flags[flag] for s in self.sources) for flag in FLAGS}

    @property
    def direct(self) -> Source | None:
        """The user's own membership of the workspace (not through a team or org role)."""
        return next((s for s in self.sources if s.kind == DIRECT), None)

    @property
    def via_team_only(self) -> bool:
        return all(s.kind == TEAM for s in self.sources)

    @cached_property
    def until(self) -> datetime.datetime | None:
        """When all of this access ends: the last of its sources' ends (None: some source
        does not end), or the org membership's end if that comes first."""
        if len(self.sources) == 1:
            return expiry.earliest(self.sources[0].until, self.org_until)
        return expiry.earliest(expiry.latest(s.until for s in self.sources), self.org_until)

    def can(self, capability: str) -> bool:
        cap = CAPABILITIES[capability]
        if cap.level != WORKSPACE:
            return False
        if ROLE_RANK[self.role] >= ROLE_RANK[cap.min_role]:
            return True
        return bool(cap.flag and self.flags[cap.flag])

    def effective(self) -> tuple[str, dict[str, bool], datetime.datetime | None]:
        """(role, flags, until): what `role`, `flags` and `until` answer, at once, for a page
        that shows many grants (the users page: ~150 a page). A single source, the common
        case, answers from itself without building the cached properties; its `flags` is
        then the source's own dict, to read, not change."""
        if len(self.sources) == 1:
            source = self.sources[0]
            until = source.until if self.org_until is None else self.until
            return source.role, source.flags, until
        return self.role, self.flags, self.until

    def role_sources(self) -> list[Source]:
        """The sources that give the effective role."""
        return [s for s in self.sources if s.role == self.role]

    def teams_giving_role(self) -> list[str]:
        """The names of the teams giving the effective role when only teams give it (the
        users page's "through Sales"), else []."""
        if len(self.sources) == 1:
            source = self.sources[0]
            return [source.team] if source.kind == TEAM else []
        sources = self.role_sources()
        return [s.team for s in sources] if all(s.kind == TEAM for s in sources) else []

    def flag_sources(self, flag: str) -> list[Source]:
        return [s for s in self.sources if s.flags[flag]]

    def explain(self, capability: str) -> list[Source]:
        """The sources that grant `capability` (empty when refused)."""
        cap = CAPABILITIES[capability]
        return [
            s
            for s in self.sources
            if ROLE_RANK[s.role] >= ROLE_RANK[cap.min_role] or (cap.flag and s.flags[cap.flag])
        ]


@dataclass
class OrgAccess:
    """A user's access to one org: their org role and every workspace they reach."""

    org_id: int
    org_role: str | None = None
    grants: dict[int, list[Source]] = field(default_factory=dict)  # workspace id → sources
    until: datetime.datetime | None = None  # when the org membership ends (orgs.expiry)
    # workspace id → its WorkspaceAccess, built on first use (checks after that are lookups)
    _workspaces: dict = field(default_factory=dict, repr=False, compare=False)

    @property
    def is_member(self) -> bool:
        return self.org_role is not None

    @property
    def is_admin(self) -> bool:
        return self.org_role == OrgRole.ADMIN

    def can(self, capability: str) -> bool:
        cap = CAPABILITIES[capability]
        if cap.level != ORG or not self.is_member:
            return False
        return cap.member_ok or self.is_admin

    def workspace(self, workspace_id: int) -> WorkspaceAccess | None:
        """Effective access to a workspace of this org, or None when the user can't see it.
        The caller guarantees the workspace belongs to this org."""
        try:
            return self._workspaces[workspace_id]
        except KeyError:
            pass
        access = None
        if self.is_member:
            sources = list(self.grants.get(workspace_id, ()))
            if self.is_admin:
                admin = Source(ORG_ADMIN, WorkspaceRole.ADMIN, flag_defaults("admin"))
                sources.insert(0, admin)
            access = WorkspaceAccess(workspace_id, sources, self.until) if sources else None
        self._workspaces[workspace_id] = access
        return access

    @property
    def sees_every_workspace(self) -> bool:
        """Org Admins see and enter every workspace of the org (SPEC §3.1)."""
        return self.is_admin

    @property
    def workspace_ids(self) -> set[int]:
        """Workspaces reached through a membership or a team (org admins reach all of them)."""
        return set(self.grants)


def _flag_columns(alias: str) -> str:
    """The flag columns of an AccessGrant table `alias`, in FLAGS order, for the SQL below."""
    return ", ".join(f"{alias}.{flag}" for flag in FLAGS)


# Rows: (kind, key, org_id, workspace_id, role, *flags in FLAGS order, team name, until,
# until2) — until: the grant's end (org or workspace membership, team membership), until2: a
# team's access's end (orgs.expiry). Expired rows are read too and dropped by _build_access at
# the `now` it is given: one rule, in Python, for both databases and for tests at any instant.
_FLAG_SQL = {
    "org_flags": ", ".join(["FALSE"] * len(FLAGS)),
    "direct_flags": _flag_columns("wm"),
    "team_flags": _flag_columns("ta"),
    # A typed NULL: PostgreSQL types a UNION's column from its first SELECT.
    "no_end": "CAST(NULL AS TIMESTAMP WITH TIME ZONE)",
}

_ACCESS_SQL = """
SELECT 'org', m.org_id, m.org_id, NULL, m.role, {org_flags}, NULL, m.until, {no_end}
  FROM orgs_orgmembership m WHERE m.user_id = %(user)s
UNION ALL
SELECT 'direct', w.org_id, w.org_id, wm.workspace_id, wm.role,
       {direct_flags}, NULL, wm.until, {no_end}
  FROM workspaces_workspacemembership wm
  JOIN workspaces_workspace w ON w.id = wm.workspace_id
 WHERE wm.user_id = %(user)s
UNION ALL
SELECT 'team', t.org_id, t.org_id, ta.workspace_id, ta.role,
       {team_flags}, t.name, tm.until, ta.until
  FROM orgs_teammembership tm
  JOIN orgs_team t ON t.id = tm.team_id
  JOIN workspaces_teamaccess ta ON ta.team_id = t.id
 WHERE tm.user_id = %(user)s
""".format(**_FLAG_SQL)

# The same three sources for many members of one org, keyed by user (optionally only some).
_MEMBERS_ACCESS_SQL = """
SELECT 'org', m.user_id, m.org_id, NULL, m.role, {org_flags}, NULL, m.until, {no_end}
  FROM orgs_orgmembership m WHERE m.org_id = %(org)s {{members}}
UNION ALL
SELECT 'direct', wm.user_id, w.org_id, wm.workspace_id, wm.role,
       {direct_flags}, NULL, wm.until, {no_end}
  FROM workspaces_workspacemembership wm
  JOIN workspaces_workspace w ON w.id = wm.workspace_id
 WHERE w.org_id = %(org)s {{direct}}
UNION ALL
SELECT 'team', tm.user_id, t.org_id, ta.workspace_id, ta.role,
       {team_flags}, t.name, tm.until, ta.until
  FROM orgs_teammembership tm
  JOIN orgs_team t ON t.id = tm.team_id
  JOIN workspaces_teamaccess ta ON ta.team_id = t.id
 WHERE t.org_id = %(org)s {{team}}
""".format(**_FLAG_SQL)


def instant(value) -> datetime.datetime | None:
    """A timestamp column read by raw SQL as an aware datetime (SQLite returns text in UTC)."""
    if value is None or isinstance(value, datetime.datetime) and value.tzinfo is not None:
        return value
    if isinstance(value, str):
        value = datetime.datetime.fromisoformat(value)
    return value.replace(tzinfo=datetime.UTC) if value.tzinfo is None else value


def _build_access(rows, now: datetime.datetime) -> dict[int, OrgAccess]:
    """OrgAccess objects from (kind, key, org_id, workspace_id, role, *flags, team, until,
    until2) rows, keyed by `key` (the org for one user's access, the user for one org's
    members). Grants that ended at or before `now` (orgs.expiry) are left out."""
    access: dict[int, OrgAccess] = {}
    grants = []
    for kind, key, org_id, ws_id, role, *flag_values, team, until, until2 in rows:
        until = expiry.earliest(instant(until), instant(until2))
        if not expiry.is_current(until, now):
            continue
        if kind == "org":
            access[key] = OrgAccess(org_id, role, until=until)
        else:
            # effective_flags(role, flags), without a comprehension per row: every flag is read
            flags = dict(zip(FLAGS, map(bool, flag_values), strict=True))
            if flags_locked(role):
                flags = flag_defaults(role)
            source = Source(kind, role, flags, team, until)
            grants.append((key, ws_id, source))
    for key, ws_id, source in grants:
        # Only members of the workspace's org have access through it (SPEC §2).
        if key in access:
            access[key].grants.setdefault(ws_id, []).append(source)
    for org_access_ in access.values():
        for sources in org_access_.grants.values():
            if len(sources) > 1:
                sources.sort(key=source_order)
    return access


def _fetch(sql, params):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def load_access(user, now: datetime.datetime | None = None) -> dict[int, OrgAccess]:
    """Every org the user belongs to, with their workspace grants current at `now` (default:
    this moment): one query."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return {}
    return _build_access(_fetch(_ACCESS_SQL, {"user": user.pk}), now or timezone.now())


def members_access(
    org_or_id, user_ids=None, now=None, *, workspace_id: int | None = None
) -> dict[int, OrgAccess]:
    """The access of many members of one org, keyed by user id, in one query: every member,
    or only `user_ids` (e.g. one page of a member list), as it stands at `now` (default: this
    moment; grants ended by then are left out). Same rules and classes as a single user's
    access, so `.workspace(id)`, `.explain()` and the sources read the same. `workspace_id`:
    only the grants of that workspace are read (their org roles still are): at 500
    workspaces, 25 members' grants everywhere read ~40,000 buffers, theirs in one ~100."""
    org_id = getattr(org_or_id, "pk", org_or_id)
    params = {"org": org_id}
    clauses = {"members": "", "direct": "", "team": ""}
    if user_ids is not None:
        user_ids = sorted({int(pk) for pk in user_ids})
        if not user_ids:
            return {}
        clauses = {
            "members": f"AND {in_ids('m.user_id', user_ids)}",
            "direct": f"AND {in_ids('wm.user_id', user_ids)}",
            "team": f"AND {in_ids('tm.user_id', user_ids)}",
        }
    if workspace_id is not None:
        params["ws"] = workspace_id
        clauses["direct"] += " AND wm.workspace_id = %(ws)s"
        clauses["team"] += " AND ta.workspace_id = %(ws)s"
    rows = _fetch(_MEMBERS_ACCESS_SQL.format(**clauses), params)
    return _build_access(rows, now or timezone.now())


_CACHE_ATTR = "_flowadmin_access"


def all_access(user) -> dict[int, OrgAccess]:
    """The user's access to all their orgs, loaded once and then answered from memory."""
    cached = getattr(user, _CACHE_ATTR, None)
    if cached is None:
        cached = load_access(user)
        if getattr(user, "is_authenticated", False):
            setattr(user, _CACHE_ATTR, cached)
    return cached


def forget_access(user) -> None:
    """Drop the cached access, e.g. after a service changed this user's roles."""
    if hasattr(user, _CACHE_ATTR):
        delattr(user, _CACHE_ATTR)


def org_access(user, org_or_id) -> OrgAccess:
    org_id = org_or_id if isinstance(org_or_id, int) else org_or_id.pk
    return all_access(user).get(org_id) or OrgAccess(org_id)


def workspace_access(user, workspace) -> WorkspaceAccess | None:
    return org_access(user, workspace.org_id).workspace(workspace.pk)


def has_capability(user, capability: str, obj) -> bool:
    """The policy's answer for `user.has_perm(capability, obj)`; obj is an org or a workspace.
    Once the user's access is loaded (all_access) this is a few dictionary lookups."""
    cap = CAPABILITIES.get(capability)
    meta = getattr(obj, "_meta", None)
    level = _LEVELS.get(meta.label_lower) if meta is not None else None
    if cap is None or level is None:
        return False
    if level == WORKSPACE:
        access = org_access(user, obj.org_id)
        if cap.level == ORG:
            return access.can(capability)
        workspace = access.workspace(obj.pk)
        return workspace is not None and workspace.can(capability)
    return cap.level == ORG and org_access(user, obj.pk).can(capability)


# Which models a capability can be asked about, by model label: the policy names them and
# imports none (models import the policy, never the reverse).
_LEVELS = {"workspaces.workspace": WORKSPACE, "orgs.organization": ORG}


# --- bulk: everyone's access to one workspace ----------------------------------------------


def workspace_member_access(workspace, user_ids=None) -> dict[int, WorkspaceAccess]:
    """The effective access of everyone who reaches `workspace` (or only of `user_ids`), by
    user id, in one query: the org-wide bulk loader, read for this one workspace."""
    everyone = members_access(workspace.org_id, user_ids, workspace_id=workspace.pk)
    return {
        user_id: ws_access
        for user_id, access in everyone.items()
        if (ws_access := access.workspace(workspace.pk)) is not None
    }


def member_workspace_access(
    org_id: int,
    workspace_id: int,
    *,
    org: tuple | None,
    direct: tuple | None,
    teams=(),
    now: datetime.datetime | None = None,
) -> WorkspaceAccess | None:
    """One member's effective access to one workspace of org_id from their grants, already
    loaded (no query; the same rule and classes as every access load):
    `org`: (org role, until) of their org membership, None when they are not a member;
    `direct`: (role, {flag: bool}, until) of their direct membership, or None;
    `teams`: (team name, role, {flag: bool}, team membership's until, team access's until) of
    each of their teams with access to the workspace. Timestamps as the database returns them
    (aware datetimes, or SQLite's text). Grants ended at `now` (default: this moment) are left
    out. None: no access."""
    if org is None:
        return None
    no_flags = [False] * len(FLAGS)
    rows = [("org", 0, org_id, None, org[0], *no_flags, None, org[1], None)]
    if direct is not None:
        role, flags, until = direct
        rows.append(("direct", 0, org_id, workspace_id, role, *_in_order(flags), None, until, None))
    for team, role, flags, until, access_until in teams:
        rows.append(
            ("team", 0, org_id, workspace_id, role, *_in_order(flags), team, until, access_until)
        )
    access = _build_access(rows, now or timezone.now()).get(0)
    return access.workspace(workspace_id) if access is not None else None


def _in_order(flags: dict) -> list[bool]:
    return [bool(flags.get(flag)) for flag in FLAGS]


# --- access reviews (SPEC §10) ---------------------------------------------------------------
# A review snapshots who reaches what; reviewers keep, change or remove each item. Who reviews
# which scope is data (the review's reviewer rows); what may be decided is decided here.

ORG_ROLES = None  # the scope of an org-role item (a workspace item's scope is its workspace id)
KEEP, CHANGE, REMOVE = "keep", "change", "remove"


def reviewable(access: WorkspaceAccess) -> bool:
    """Whether a person's access to a workspace becomes a review item: any source but the
    Org Admin role (that is reviewed once, among the org roles, not in every workspace)."""
    return any(source.kind != ORG_ADMIN for source in access.sources)


def default_reviewers(members: dict[int, OrgAccess], workspace_ids) -> dict[int | None, set[int]]:
    """Who reviews each scope unless the starter says otherwise: a workspace's own admins
    (a direct or team source with the Admin role; Org Admins are not counted), or the Org
    Admins when it has none; the org roles (key ORG_ROLES): the Org Admins.
    `members`: members_access(org). Returns {workspace id or ORG_ROLES: {user id}}."""
    org_admins = {user_id for user_id, access in members.items() if access.is_admin}
    reviewers: dict[int | None, set[int]] = {ORG_ROLES: set(org_admins)}
    for ws_id in workspace_ids:
        own = {
            user_id
            for user_id, access in members.items()
            if any(
                s.kind != ORG_ADMIN and s.role == WorkspaceRole.ADMIN
                for s in access.grants.get(ws_id, ())
            )
        }
        reviewers[ws_id] = own or set(org_admins)
    return reviewers


def review_refusal(
    access: OrgAccess, *, user_id: int, is_open: bool, scopes, item_scope, subject_id
) -> str | None:
    """Why `user_id` may not decide an item of a review, or None when they may.
    `access`: their OrgAccess; `scopes`: the scopes (workspace ids, ORG_ROLES) they review in
    this review; `item_scope`: the item's; `subject_id`: the user the item is about."""
    if not access.is_member:
        return "You are not a member of this organization any more."
    if not is_open:
        return "This review is closed: its decisions can no longer change."
    if item_scope not in scopes:
        return "You are not a reviewer of this part of the review."
    if subject_id == user_id:
        return "You cannot review your own access: another reviewer decides it."
    return None


@dataclass(frozen=True)
class Removal:
    """What removing a person's access to one workspace takes away, from their current
    sources: the direct membership, their membership of each team that gives access, and
    whether the Org Admin role keeps them in anyway (it is not removed per workspace)."""

    direct: bool
    teams: tuple[str, ...]
    org_admin: bool

    @property
    def empty(self) -> bool:
        return not self.direct and not self.teams


def workspace_removal(access: WorkspaceAccess | None) -> Removal:
    if access is None:
        return Removal(False, (), False)
    return Removal(
        direct=access.direct is not None,
        teams=tuple(sorted({s.team for s in access.sources if s.kind == TEAM})),
        org_admin=any(s.kind == ORG_ADMIN for s in access.sources),
    )
