"""Impact preview (SPEC §10): the exact difference a change makes to people's
effective access — per person, per workspace, the role and each flag before → after, the
sources that disappear and what remains — computed by the policy before the change is made.

Pure: `preview(state, change)` applies a described change (the dataclasses below) to the
loaded access of the people it can affect (`AccessState`, built by `orgs.previews` in a
constant number of queries) with the policy's own rules (`orgs.permissions`), then diffs the
two states. No query, no model import, nothing written.

Each change mirrors what its service does to the grants:

| change | service |
|---|---|
| RemoveMember | orgs.services.member_remove (org, direct and team memberships go) |
| SetOrgRole | orgs.services.org_role_set |
| SetDirectGrant / RemoveDirectGrant | workspaces.services.workspace_member_set / …_remove |
| SetTeamAccess / RemoveTeamAccess | workspaces.services.team_access_set / …_remove |
| DeleteTeam | orgs.services.team_delete |
| RemoveTeamMember | orgs.services.team_member_remove |
| DeleteWorkspace | workspaces.services.workspace_delete |
| RemoveDomain | orgs.services.domain_remove (no grant changes: see orgs.previews for SSO) |

Teams are named by their name, which is unique in an org (orgs.models.Team), as the policy's
sources name them.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

from . import permissions
from .permissions import DIRECT, ORG_ADMIN, TEAM, OrgAccess, Source, WorkspaceAccess
from .roles import FLAG_LABELS, FLAGS, OrgRole, WorkspaceRole

# --- the loaded access ------------------------------------------------------------------------


@dataclass(frozen=True)
class AccessState:
    """The access of the people a change can affect: `people` maps user id → OrgAccess (from
    permissions.members_access), `workspace_ids` are the org's workspaces."""

    org_id: int
    people: dict[int, OrgAccess]
    workspace_ids: frozenset[int]
    # team name → {member's user id: when their team membership ends (None: never)}: loaded
    # for team access changes (access a team did not have reaches people whose sources don't
    # name the team yet, until their membership ends)
    team_members: dict[str, dict] = field(default_factory=dict)

    def access(self, user_id: int) -> OrgAccess:
        return self.people.get(user_id) or OrgAccess(self.org_id)

    def workspace(self, user_id: int, workspace_id: int) -> WorkspaceAccess | None:
        """Effective access of a person to a workspace; None when none (or it is gone)."""
        if workspace_id not in self.workspace_ids:
            return None
        return self.access(user_id).workspace(workspace_id)

    def reach(self, user_id: int) -> set[int]:
        """The workspaces a person has any access to."""
        access = self.access(user_id)
        if access.is_admin:
            return set(self.workspace_ids)
        return set(access.grants) & self.workspace_ids if access.is_member else set()


def _with(state: AccessState, people=None, workspace_ids=None) -> AccessState:
    return AccessState(
        state.org_id,
        state.people if people is None else people,
        state.workspace_ids if workspace_ids is None else frozenset(workspace_ids),
        state.team_members,
    )


def _edit_grants(state: AccessState, edit) -> AccessState:
    """A new state whose people's grants are `edit(user_id, workspace_id, sources)` (a new list
    of sources), each OrgAccess rebuilt so no cached answer of the old state leaks."""
    people = {}
    for user_id, access in state.people.items():
        grants = {}
        for ws_id, sources in access.grants.items():
            kept = sorted(edit(user_id, ws_id, list(sources)), key=permissions.source_order)
            if kept:
                grants[ws_id] = kept
        people[user_id] = _rebuilt(access, grants=grants)
    return _with(state, people)


def _without_team(state: AccessState, team: str, where=lambda _user_id, _ws_id: True):
    """A new state without `team`'s grants to the people and workspaces `where(user id,
    workspace id)` picks (all of them by default)."""

    def edit(user_id, ws_id, sources):
        if not where(user_id, ws_id):
            return sources
        return [s for s in sources if not _of_team(s, team)]

    return _edit_grants(state, edit)


def _rebuilt(access: OrgAccess, **changes) -> OrgAccess:
    """A copy of `access` with `changes` (org_role, grants), without its cached answers."""
    return dataclasses.replace(access, **changes, _workspaces={})


def _set_member(state: AccessState, user_id: int, org_role, grants=None) -> AccessState:
    access = state.access(user_id)
    people = dict(state.people)
    grants = access.grants if grants is None else grants
    copied = {k: list(v) for k, v in grants.items()}
    if org_role is None:  # no longer a member: nothing of the membership remains
        people[user_id] = OrgAccess(state.org_id)
    else:
        people[user_id] = _rebuilt(access, org_role=org_role, grants=copied)
    return _with(state, people)


def _regrant(source: Source | None, kind: str, role, flags, team=None) -> Source | None:
    """A grant's source after the service sets it to `role` (None: keeps its role) and `flags`
    (only those given change) — permissions.grant_after, the rule the services apply."""
    current = (source.role, source.flags) if source else None
    if current is None and role is None:
        return None  # the service refuses to create a grant without a role
    new_role, new_flags = permissions.grant_after(current, role, flags)
    if source is None:
        return Source(kind, new_role, new_flags, team)
    return dataclasses.replace(source, role=new_role, flags=new_flags)


# --- changes ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class RemoveMember:
    user_id: int
    kind = "remove_member"

    def apply(self, state: AccessState) -> AccessState:
        return _set_member(state, self.user_id, None, {})


@dataclass(frozen=True)
class SetOrgRole:
    user_id: int
    role: str
    kind = "set_org_role"

    def apply(self, state: AccessState) -> AccessState:
        if not state.access(self.user_id).is_member:
            return state
        return _set_member(state, self.user_id, self.role)


@dataclass(frozen=True)
class SetDirectGrant:
    """A person's direct role (None: keep it) and flags (only those given change) in a
    workspace, as workspace_member_set takes them."""

    user_id: int
    workspace_id: int
    role: str | None = None
    flags: dict = field(default_factory=dict)
    kind = "set_workspace_access"

    def apply(self, state: AccessState) -> AccessState:
        access = state.access(self.user_id)
        if not access.is_member or self.workspace_id not in state.workspace_ids:
            return state
        grants = {k: list(v) for k, v in access.grants.items()}
        sources = grants.get(self.workspace_id, [])
        direct = next((s for s in sources if s.kind == DIRECT), None)
        new = _regrant(direct, DIRECT, self.role, self.flags)
        sources = [s for s in sources if s.kind != DIRECT] + ([new] if new else [])
        grants[self.workspace_id] = sorted(sources, key=permissions.source_order)
        return _set_member(state, self.user_id, access.org_role, grants)


@dataclass(frozen=True)
class RemoveDirectGrant:
    user_id: int
    workspace_id: int
    kind = "remove_workspace_access"

    def apply(self, state: AccessState) -> AccessState:
        def edit(user_id, ws_id, sources):
            if (user_id, ws_id) != (self.user_id, self.workspace_id):
                return sources
            return [s for s in sources if s.kind != DIRECT]

        return _edit_grants(state, edit)


@dataclass(frozen=True)
class SetTeamAccess:
    """A team's role (None: keep it) and flags (only those given change) in a workspace, as
    team_access_set takes them; new access reaches `state.team_members[team]`."""

    team: str
    workspace_id: int
    role: str | None = None
    flags: dict = field(default_factory=dict)
    kind = "set_team_access"

    def apply(self, state: AccessState) -> AccessState:
        if self.workspace_id not in state.workspace_ids:
            return state
        members = state.team_members.get(self.team, {})
        people = {}
        for user_id, access in state.people.items():
            grants = {k: list(v) for k, v in access.grants.items()}
            sources = grants.get(self.workspace_id, [])
            current = next((s for s in sources if _of_team(s, self.team)), None)
            if current is not None or user_id in members:
                new = _regrant(current, TEAM, self.role, self.flags, self.team)
                if current is None and new is not None:  # new access: ends with the membership
                    new = dataclasses.replace(new, until=members[user_id])
                sources = [s for s in sources if not _of_team(s, self.team)]
                grants[self.workspace_id] = _sorted(sources + ([new] if new else []))
            people[user_id] = _rebuilt(access, grants=grants)
        return _with(state, people)


@dataclass(frozen=True)
class RemoveTeamAccess:
    team: str
    workspace_id: int
    kind = "remove_team_access"

    def apply(self, state: AccessState) -> AccessState:
        return _without_team(state, self.team, lambda _u, ws_id: ws_id == self.workspace_id)


@dataclass(frozen=True)
class DeleteTeam:
    team: str
    kind = "delete_team"

    def apply(self, state: AccessState) -> AccessState:
        return _without_team(state, self.team)


@dataclass(frozen=True)
class RemoveTeamMember:
    team: str
    user_id: int
    kind = "remove_team_member"

    def apply(self, state: AccessState) -> AccessState:
        return _without_team(state, self.team, lambda user_id, _w: user_id == self.user_id)


@dataclass(frozen=True)
class DeleteWorkspace:
    workspace_id: int
    kind = "delete_workspace"

    def apply(self, state: AccessState) -> AccessState:
        state = _edit_grants(
            state, lambda _u, ws_id, sources: [] if ws_id == self.workspace_id else sources
        )
        return _with(state, workspace_ids=state.workspace_ids - {self.workspace_id})


@dataclass(frozen=True)
class RemoveDomain:
    """Removing an org domain changes no grant: nobody's role or flags move. What it does to
    sign-in (SSO stops covering the domain) is loaded by orgs.previews."""

    hostname: str
    kind = "remove_domain"

    def apply(self, state: AccessState) -> AccessState:
        return state


CHANGES = (
    RemoveMember,
    SetOrgRole,
    SetDirectGrant,
    RemoveDirectGrant,
    SetTeamAccess,
    RemoveTeamAccess,
    DeleteTeam,
    RemoveTeamMember,
    DeleteWorkspace,
    RemoveDomain,
)


def _of_team(source: Source, team: str) -> bool:
    return source.kind == TEAM and source.team == team


# --- the difference ---------------------------------------------------------------------------


def _sorted(sources) -> list[Source]:
    return sorted(sources, key=permissions.source_order)


def _minus(sources: list[Source], others: list[Source]) -> list[Source]:
    """The sources of `sources` not in `others` (as a multiset)."""
    rest = list(others)
    out = []
    for source in sources:
        if source in rest:
            rest.remove(source)
        else:
            out.append(source)
    return out


def _weaker(after: Source | None, before: Source) -> bool:
    """Whether `after` gives less than `before` did (a lower role or a flag turned off)."""
    if after is None:
        return True
    rank = permissions.ROLE_RANK
    return rank[after.role] < rank[before.role] or any(
        before.flags[f] and not after.flags[f] for f in FLAGS
    )


@dataclass(frozen=True)
class WorkspaceImpact:
    """One person's access to one workspace, before and after (None: no access)."""

    workspace_id: int
    before: WorkspaceAccess | None
    after: WorkspaceAccess | None
    deleted: bool = False  # the workspace itself goes

    @property
    def role_before(self) -> str | None:
        return self.before.role if self.before else None

    @property
    def role_after(self) -> str | None:
        return self.after.role if self.after else None

    @property
    def flags_before(self) -> dict[str, bool]:
        return dict(self.before.flags) if self.before else dict.fromkeys(FLAGS, False)

    @property
    def flags_after(self) -> dict[str, bool]:
        return dict(self.after.flags) if self.after else dict.fromkeys(FLAGS, False)

    @property
    def sources_before(self) -> list[Source]:
        return _sorted(self.before.sources) if self.before else []

    @property
    def sources_after(self) -> list[Source]:
        return _sorted(self.after.sources) if self.after else []

    @property
    def lost(self) -> list[Source]:
        """Sources that disappear or change (their former version)."""
        return _minus(self.sources_before, self.sources_after)

    @property
    def added(self) -> list[Source]:
        """Sources that appear or change (their new version)."""
        return _minus(self.sources_after, self.sources_before)

    @property
    def flag_changes(self) -> list[tuple[str, bool, bool]]:
        """(flag, before, after) for each flag that changes, in FLAGS order."""
        b, a = self.flags_before, self.flags_after
        return [(flag, b[flag], a[flag]) for flag in FLAGS if b[flag] != a[flag]]

    @property
    def effective_changes(self) -> bool:
        return self.role_before != self.role_after or bool(self.flag_changes)

    @property
    def lowers(self) -> bool:
        """A grant is removed or gives less (even when another source keeps the effective
        access as it was)."""
        added = self.added
        for source in self.lost:
            same = next((s for s in added if (s.kind, s.team) == (source.kind, source.team)), None)
            if _weaker(same, source):
                return True
        return False

    def signature(self) -> tuple:
        """What happens, leaving out which workspace: equal signatures read the same."""
        return (
            self.role_before,
            self.role_after,
            tuple(self.flags_before.items()),
            tuple(self.flags_after.items()),
            tuple(map(_source_key, self.lost)),
            tuple(map(_source_key, self.added)),
            tuple(map(_source_key, self.sources_after)),
            self.deleted,
        )


def _source_key(source: Source) -> tuple:
    return (source.kind, source.team or "", source.role, tuple(source.flags.items()))


@dataclass(frozen=True)
class PersonImpact:
    user_id: int
    org_role_before: str | None
    org_role_after: str | None
    workspaces: tuple[WorkspaceImpact, ...] = ()

    @property
    def leaves_org(self) -> bool:
        return self.org_role_before is not None and self.org_role_after is None

    @property
    def org_role_lowered(self) -> bool:
        return self.org_role_before == OrgRole.ADMIN and self.org_role_after != OrgRole.ADMIN

    @property
    def lowers(self) -> bool:
        return self.leaves_org or self.org_role_lowered or any(w.lowers for w in self.workspaces)


@dataclass(frozen=True)
class Impact:
    """The difference a change makes: one PersonImpact for each person whose org role or
    access to some workspace changes (sources included), in the order of `state.people`."""

    change: object
    people: tuple[PersonImpact, ...]

    @property
    def lowers(self) -> bool:
        """Whether the change removes or lowers anyone's access (then it asks to confirm)."""
        return any(person.lowers for person in self.people)

    @property
    def empty(self) -> bool:
        return not self.people


def _same(before: WorkspaceAccess | None, after: WorkspaceAccess | None) -> bool:
    if before is None or after is None:
        return before is after
    return _sorted(before.sources) == _sorted(after.sources)


def diff(before: AccessState, after: AccessState, change=None) -> Impact:
    """Everything that differs between two states, person by person, workspace by workspace
    (ascending ids)."""
    people = []
    for user_id in before.people:
        access_before, access_after = before.access(user_id), after.access(user_id)
        impacts = []
        for ws_id in sorted(before.reach(user_id) | after.reach(user_id)):
            ws_before = before.workspace(user_id, ws_id)
            ws_after = after.workspace(user_id, ws_id)
            if not _same(ws_before, ws_after):
                deleted = ws_id in before.workspace_ids and ws_id not in after.workspace_ids
                impacts.append(WorkspaceImpact(ws_id, ws_before, ws_after, deleted))
        if impacts or access_before.org_role != access_after.org_role:
            people.append(
                PersonImpact(user_id, access_before.org_role, access_after.org_role, tuple(impacts))
            )
    return Impact(change, tuple(people))


def preview(state: AccessState, change) -> Impact:
    """The impact of `change` on the people of `state`: the difference between the state and
    the state after the change, made on the loaded access only."""
    return diff(state, change.apply(state), change)


# --- words ------------------------------------------------------------------------------------


def role_label(role: str | None) -> str:
    return WorkspaceRole(role).label if role else "no access"


def org_role_label(role: str | None) -> str:
    return f"Org {OrgRole(role).label}" if role else "not a member"


def source_phrase(source: Source) -> str:
    """'via team Field Sales', 'direct', 'as Org Admin'."""
    if source.kind == TEAM:
        return f"via team {source.team}"
    if source.kind == ORG_ADMIN:
        return "as Org Admin"
    return "direct"


def _via(sources: list[Source]) -> str:
    parts = [source_phrase(s) for s in sources]
    return " and ".join([", ".join(parts[:-1]), parts[-1]]) if len(parts) > 1 else parts[0]


def _with_flags(flags: dict[str, bool], role: str | None) -> str:
    """' with Audience Viewer': the flags on beyond the role's defaults."""
    if not role:
        return ""
    defaults = permissions.flag_defaults(role)
    extra = [FLAG_LABELS[f] for f in FLAGS if flags[f] and not defaults[f]]
    return f" with {', '.join(extra)}" if extra else ""


def held(role: str | None, flags: dict[str, bool]) -> str:
    """'Viewer with Audience Viewer': a role and the flags it has beyond its defaults."""
    return f"{role_label(role)}{_with_flags(flags, role)}"


def sentence(impact: WorkspaceImpact, name: str, workspace: str | None) -> str:
    """One line for a person and a workspace, e.g. "Tim Teamer loses Sales Editor (was via
    team Field Sales); keeps nothing in Sales". `workspace` None: the line is said of several
    workspaces at once (the caller names them)."""
    before_role, after_role = impact.role_before, impact.role_after
    lost = impact.lost
    at = f"{workspace} " if workspace else ""
    there = f"in {workspace}" if workspace else "there"
    was = f" (was {_via(lost)})" if lost else ""
    held = f"{at}{role_label(before_role)}{_with_flags(impact.flags_before, before_role)}"
    if impact.deleted:
        return f"{name} loses {held}{was}: the workspace is deleted"
    if impact.after is None:
        return f"{name} loses {held}{was}; keeps nothing {there}"
    remains = (
        f"{at}{role_label(after_role)}{_with_flags(impact.flags_after, after_role)} "
        f"({_via(impact.sources_after)})"
    )
    if before_role is None:
        return f"{name} gets {remains}"
    rank = permissions.ROLE_RANK
    if rank[after_role] < rank[before_role]:
        return f"{name} loses {held}{was}; keeps {remains}"
    turned_off = [FLAG_LABELS[f] for f, b, a in impact.flag_changes if b and not a]
    if rank[after_role] > rank[before_role]:
        lost_flags = f"; loses {', '.join(turned_off)}" if turned_off else ""
        return f"{name} goes from {held} to {remains}{lost_flags}"
    turned_on = [FLAG_LABELS[f] for f, b, a in impact.flag_changes if a and not b]
    parts = []
    if turned_off:
        parts.append(f"loses {', '.join(turned_off)}{was}")
    if turned_on:
        parts.append(f"gets {', '.join(turned_on)}")
    if parts:
        return f"{name} {' and '.join(parts)}; keeps {remains}"
    gone = ", ".join(f"{role_label(s.role)} {source_phrase(s)}" for s in lost)
    return f"{name} keeps {remains}, as before" + (f"; {gone} goes" if gone else "")


def org_sentence(person: PersonImpact, name: str, org: str) -> str | None:
    """The org-level line ('… leaves Acme (was Org User)'), or None when the org role stays."""
    before, after = person.org_role_before, person.org_role_after
    if before == after:
        return None
    if after is None:
        return f"{name} leaves {org} (was {org_role_label(before)})"
    if before is None:
        return f"{name} joins {org} as {org_role_label(after)}"
    return f"{name} goes from {org_role_label(before)} to {org_role_label(after)} in {org}"
