"""Impact previews as the console's confirmations and `manage.py explain_change` show them.

`impact_preview(org, change)` loads the access of the people `change` (an orgs.impact change)
can affect and hands it to the policy's pure diff (orgs.impact.preview), then names people and
workspaces. Queries: at most four whatever the number of people or workspaces — who can be
affected (one, none for a single person), their access (permissions.members_access, one), their
names (one), the org's workspaces (one) — plus two when domains covered by single sign-on go
(the domain removal, or a workspace deletion taking its own domains).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import reduce
from operator import or_

from django.db.models import Q

from workspaces.models import TeamAccess, Workspace, WorkspaceMembership

from . import impact, permissions
from .models import Domain, OrgMembership, TeamMembership, User
from .roles import FLAG_LABELS, FLAGS, OrgRole

GROUP_NAMES_SHOWN = 12  # workspace names listed in one grouped line before "and N more"


# --- loading ----------------------------------------------------------------------------------


def affected_user_ids(org, change) -> list[int]:
    """The org members whose access `change` can alter (at most one query)."""
    if isinstance(change, impact.RemoveDomain):
        return []
    if hasattr(change, "user_id"):
        return [change.user_id]
    if hasattr(change, "team"):
        members = TeamMembership.objects.filter(team__org=org, team__name=change.team)
        return list(members.values_list("user_id", flat=True))
    if isinstance(change, impact.DeleteWorkspace):
        ws = change.workspace_id
        teams = TeamAccess.objects.filter(workspace_id=ws).values("team_id")
        reach = (
            Q(role=OrgRole.ADMIN)
            | Q(user_id__in=WorkspaceMembership.objects.filter(workspace_id=ws).values("user_id"))
            | Q(user_id__in=TeamMembership.objects.filter(team_id__in=teams).values("user_id"))
        )
        return list(OrgMembership.objects.filter(reach, org=org).values_list("user_id", flat=True))
    raise TypeError(f"Not an orgs.impact change: {change!r}")


def load_state(org, user_ids, workspace_ids, teams=None) -> impact.AccessState:
    """The policy's access of `user_ids` in `org` (one query); `teams`: a team's name → its
    members' membership ends (impact.AccessState.team_members)."""
    people = permissions.members_access(org, user_ids) if user_ids else {}
    return impact.AccessState(org.pk, people, frozenset(workspace_ids), teams or {})


# --- sign-in through SSO ----------------------------------------------------------------------


@dataclass
class SignInEffect:
    """What removing `hostname` does to sign-in when the org's SSO covers it. It changes no
    role or flag: people keep their memberships and access, but stop signing in through the
    identity provider, and new people at that domain stop joining by signing in."""

    org_name: str
    hostname: str
    enforced: bool
    members: list = field(default_factory=list)  # org members with an address at hostname
    without_password: list = field(default_factory=list)  # of those, no usable password

    def sentences(self) -> list[str]:
        org, host = self.org_name, self.hostname
        lines = [
            f"Single sign-on stops for addresses at {host}: nobody's role or workspace access "
            f"changes, but people with those addresses can no longer sign in through "
            f"{org}'s identity provider, and new people at {host} no longer join {org} by "
            "signing in."
        ]
        if self.members:
            count = len(self.members)
            lines.append(
                f"{count} member{'s' if count != 1 else ''} of {org} "
                f"use{'s' if count == 1 else ''} an address at {host}: "
                f"{', '.join(u.display_name for u in self.members)}."
            )
        else:
            lines.append(f"No member of {org} uses an address at {host} today.")
        if self.without_password:
            names = ", ".join(u.display_name for u in self.without_password)
            lines.append(
                f"No password is set for {names} (accounts made by single sign-on): they "
                "cannot sign in until they reset their password."
            )
        if self.enforced:
            lines.append(
                f"SSO is enforced for {host} today: afterwards these addresses may sign in with "
                "a password, reset it and accept invitations by password again."
            )
        return lines

    def as_dict(self) -> dict:
        return {
            "hostname": self.hostname,
            "sso_enforced": self.enforced,
            "members": [u.email for u in self.members],
            "without_password": [u.email for u in self.without_password],
            "sentences": self.sentences(),
        }


def sign_in_effects(org, domains: Q) -> list[SignInEffect]:
    """The SignInEffect of removing each of the org's domains matching `domains` that the
    org's SSO covers: two queries for any number of domains."""
    covered = list(
        Domain.objects.filter(domains, org=org, sso_configurations__isnull=False)
        .values_list("hostname", "sso_configurations__enforced")
        .distinct()
        .order_by("hostname")
    )
    if not covered:
        return []
    hosts = [host for host, _enforced in covered]
    at_hosts = reduce(or_, (Q(user__email__iendswith=f"@{host}") for host in hosts))
    members = [
        m.user
        for m in OrgMembership.objects.filter(at_hosts, org=org)
        .select_related("user")
        .only("user__email", "user__full_name", "user__password")
        .order_by("user__email")
    ]
    effects = []
    for host, enforced in covered:
        at = [u for u in members if u.email.lower().endswith(f"@{host}")]
        effects.append(
            SignInEffect(
                org.name,
                host,
                bool(enforced),
                at,
                [u for u in at if not u.has_usable_password()],
            )
        )
    return effects


# --- the preview ------------------------------------------------------------------------------


@dataclass
class Group:
    """One line of a person's preview: the same thing happening in one or more workspaces."""

    text: str
    workspaces: list[Workspace]
    impact: impact.WorkspaceImpact  # the first of them (they read the same)

    @property
    def flag_rows(self) -> list[tuple[str, bool, bool]]:
        """(label, before, after) of every flag, in FLAGS order."""
        b, a = self.impact.flags_before, self.impact.flags_after
        return [(FLAG_LABELS[f], b[f], a[f]) for f in FLAGS]

    @property
    def lost_phrases(self) -> list[str]:
        """'via team Field Sales: Editor' for each source that goes (or changes)."""
        return [_phrase(s) for s in self.impact.lost]

    @property
    def remaining_phrases(self) -> list[str]:
        return [_phrase(s) for s in self.impact.sources_after]

    @property
    def shown_names(self) -> list[str]:
        return [ws.name for ws in self.workspaces[:GROUP_NAMES_SHOWN]]

    @property
    def more(self) -> int:
        return max(0, len(self.workspaces) - GROUP_NAMES_SHOWN)


@dataclass
class PersonPreview:
    user: User
    impact: impact.PersonImpact
    org_line: str | None
    groups: list[Group]


def _phrase(source) -> str:
    """'direct: Viewer with Audience Viewer', 'via team Field Sales: Editor'."""
    return f"{impact.source_phrase(source)}: {impact.held(source.role, source.flags)}"


def _names(names: list[str]) -> str:
    shown = names[:GROUP_NAMES_SHOWN]
    more = len(names) - len(shown)
    return ", ".join(shown) + (f" and {more} more" if more else "")


def _groups(person: impact.PersonImpact, name: str, workspaces: dict) -> list[Group]:
    by_signature: dict[tuple, list] = {}
    for ws_impact in person.workspaces:
        by_signature.setdefault(ws_impact.signature(), []).append(ws_impact)
    groups = []
    for impacts in by_signature.values():
        rows = sorted(
            (workspaces[i.workspace_id] for i in impacts), key=lambda ws: (ws.name, ws.pk)
        )
        first = impacts[0]
        if len(rows) == 1:
            text = impact.sentence(first, name, rows[0].name)
        else:
            text = impact.sentence(first, name, None)
            text += f" — in {len(rows)} workspaces: {_names([ws.name for ws in rows])}"
        groups.append(Group(text, rows, first))
    return groups


@dataclass
class Preview:
    """What the console and explain_change show before a change: each affected person with
    their org role and per-workspace access before → after, and the sign-in effects."""

    org: object
    impact: impact.Impact
    people: list[PersonPreview]
    sign_in: list[SignInEffect] = field(default_factory=list)
    workspaces: dict = field(default_factory=dict, repr=False)  # id → Workspace

    @property
    def lowers(self) -> bool:
        return self.impact.lowers

    @property
    def summary(self) -> str:
        changed = [p for p in self.people if p.impact.workspaces or p.org_line]
        if not changed:
            return "No one's access changes."
        count = len(changed)
        return f"{count} {'person' if count == 1 else 'people'}: access changes as below."

    def lines(self) -> list[str]:
        """Plain sentences, one per person and change (the text output of explain_change)."""
        out = []
        for person in self.people:
            if person.org_line:
                out.append(person.org_line)
            out.extend(group.text for group in person.groups)
        if not self.people:
            out.append("No one's access changes.")
        for effect in self.sign_in:
            out.extend(effect.sentences())
        return out

    def as_dict(self) -> dict:
        """The JSON of explain_change: exact, one entry per person × workspace."""

        def source(s):
            return {
                "kind": s.kind,
                "team": s.team,
                "role": s.role,
                "flags": dict(s.flags),
                "label": s.label,
            }

        people = []
        for person in self.people:
            rows = []
            for w in person.impact.workspaces:
                ws = self.workspaces[w.workspace_id]
                rows.append(
                    {
                        "workspace": {"id": ws.pk, "slug": ws.slug, "name": ws.name},
                        "deleted": w.deleted,
                        "role": {"before": w.role_before, "after": w.role_after},
                        "flags": {
                            flag: {"before": w.flags_before[flag], "after": w.flags_after[flag]}
                            for flag in FLAGS
                        },
                        "lost_sources": [source(s) for s in w.lost],
                        "new_sources": [source(s) for s in w.added],
                        "remaining_sources": [source(s) for s in w.sources_after],
                        "sentence": impact.sentence(w, person.user.display_name, ws.name),
                    }
                )
            people.append(
                {
                    "user": {
                        "id": person.user.pk,
                        "email": person.user.email,
                        "name": person.user.full_name,
                    },
                    "org_role": {
                        "before": person.impact.org_role_before,
                        "after": person.impact.org_role_after,
                    },
                    "workspaces": rows,
                }
            )
        return {
            "org": self.org.slug,
            "change": self.impact.change.kind,
            "lowers_access": self.lowers,
            "people": people,
            "sign_in": [effect.as_dict() for effect in self.sign_in],
        }


def impact_preview(org, change) -> Preview:
    """The preview of `change` (an orgs.impact change) in `org`, in at most four queries (six
    when SSO-covered domains go), whatever the number of people or workspaces."""
    teams = {}
    if isinstance(change, impact.SetTeamAccess):  # who is in the team, until when
        members = TeamMembership.objects.filter(team__org=org, team__name=change.team)
        teams = {change.team: dict(members.values_list("user_id", "until"))}
        user_ids = list(teams[change.team])
    else:
        user_ids = affected_user_ids(org, change)
    workspaces = (
        {}  # a domain's removal changes no grant: no workspace to name
        if isinstance(change, impact.RemoveDomain)
        else {ws.pk: ws for ws in Workspace.objects.filter(org=org).only("name", "slug")}
    )
    state = load_state(org, user_ids, workspaces, teams)
    result = impact.preview(state, change)
    users = (
        {u.pk: u for u in User.objects.filter(pk__in=[p.user_id for p in result.people])}
        if result.people
        else {}
    )
    people = []
    for person in result.people:
        user = users[person.user_id]
        name = user.display_name
        people.append(
            PersonPreview(
                user,
                person,
                impact.org_sentence(person, name, org.name),
                _groups(person, name, workspaces),
            )
        )
    people.sort(key=lambda p: (p.user.display_name.lower(), p.user.pk))
    sign_in = []
    if isinstance(change, impact.RemoveDomain):
        sign_in = sign_in_effects(org, Q(hostname=change.hostname))
    elif isinstance(change, impact.DeleteWorkspace):
        sign_in = sign_in_effects(org, Q(workspace_id=change.workspace_id))
    return Preview(org, result, people, sign_in, workspaces)
