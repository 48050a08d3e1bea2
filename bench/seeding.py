"""The benchmark's data: one org, `bench`, at the size SPEC §8 names.

- people: an org admin (admin@bench.test), a superuser for /admin/ (ops@bench.test), and the
  members member00001@bench.test … with names and last logins;
- the org, its workspaces ("Workspace 0001" …), every member in a few workspaces (direct
  WorkspaceMembership with varied roles and flags) and in one team; teams ("Team 001", one per
  five workspaces) with TeamAccess to three workspaces each;
- workspace content (flows, templates, brand kit, assets, audience, 60 days of scans) from
  `workspaces.seed`, so the dashboard has numbers;
- the activity log topped up to the wanted number of entries with a year of history: actors,
  workspaces, actions and entity types drawn with realistic skews (a few very busy actors and
  workspaces, many quiet ones), written with the log's bulk API so the hash chain stays valid
  (an interrupted run's history is completed by the next one, over the year before it).

Rows are bulk-inserted in batches; the tracked ones (memberships, teams, workspaces…) are
recorded in the activity log with `audit.recording.record_instances`, as every bulk path does.
Every step is idempotent: rows have deterministic names, each step adds only what is missing,
and the history fills the log up to the wanted count, so a second run adds nothing. Random
choices are seeded, so two databases seeded alike hold the same data.
"""

from __future__ import annotations

import datetime
import itertools
import random
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from audit.context import Actor, acting_as
from audit.models import Action, ActivityEntry
from audit.recording import Draft, bulk_record, record_instances
from orgs import services as org_services
from orgs.models import Organization, OrgMembership, Team, TeamMembership, User
from orgs.names import fold
from orgs.permissions import effective_flags, flag_defaults
from orgs.roles import FLAGS, OrgRole, WorkspaceRole
from workspaces.models import Scan, TeamAccess, Workspace, WorkspaceMembership
from workspaces.seed import FIRST_NAMES, LAST_NAMES, seed_workspace_content

ORG_SLUG = "bench"
ORG_NAME = "Bench"
DOMAIN = "bench.test"
ADMIN_EMAIL = f"admin@{DOMAIN}"
OPERATOR_EMAIL = f"ops@{DOMAIN}"
PASSWORD = "flowadmin-bench"  # admin and operator only; members have no usable password

WORKSPACES_PER_MEMBER = 3
WORKSPACES_PER_TEAM = 5  # one team per five workspaces
TEAM_GRANTS = [WorkspaceRole.EDITOR, WorkspaceRole.VIEWER, WorkspaceRole.VIEWER]
ADMIN_EVERY = 1000  # member 1000, 2000 … are org admins too
HISTORY_DAYS = 365
BATCH_SIZE = 2_000  # rows per bulk_create
HISTORY_BATCH = 50_000  # activity entries per transaction (progress is reported after each)
HISTORY_CHUNK = 5_000  # entries per chain lock inside bulk_record

# entity type, weight; the workspace-level ones get a workspace.
ENTITY_WEIGHTS = [
    ("flow", 34),
    ("workspace_member", 12),
    ("org_member", 8),
    ("asset", 8),
    ("flow_template", 6),
    ("brand_kit", 5),
    ("team_member", 5),
    ("team_access", 4),
    ("team", 3),
    ("workspace", 3),
    ("invitation", 3),
    ("audience_export", 2),
    ("domain", 1),
    ("integration", 1),
    ("activity_export", 1),
    ("sso", 0.5),
    ("org", 0.5),
]
IN_WORKSPACE = {
    "flow",
    "workspace_member",
    "asset",
    "flow_template",
    "brand_kit",
    "team_access",
    "workspace",
    "audience_export",
}
EXPORTS = {"audience_export", "activity_export"}
ACTION_WEIGHTS = [(Action.UPDATED, 62), (Action.CREATED, 24), (Action.DELETED, 14)]
INTEGRATIONS = ["Slack", "Salesforce", "HubSpot", "Mailchimp", "Zapier"]
STATUSES = ["active", "paused"]
ROLES = ["viewer", "editor", "admin"]


@dataclass(frozen=True)
class Sizes:
    entries: int
    members: int
    workspaces: int

    def __post_init__(self):
        if self.entries < 0 or self.members < 1 or self.workspaces < 1:
            raise ValueError("Sizes need at least one member and one workspace.")

    @property
    def teams(self) -> int:
        return -(-self.workspaces // WORKSPACES_PER_TEAM)


FULL = Sizes(entries=1_000_000, members=10_000, workspaces=500)
SMALL = Sizes(entries=20_000, members=500, workspaces=25)


def member_email(n: int) -> str:
    return f"member{n:05d}@{DOMAIN}"


def member_name(n: int) -> str:
    first = FIRST_NAMES[n % len(FIRST_NAMES)]
    last = LAST_NAMES[(n // len(FIRST_NAMES)) % len(LAST_NAMES)]
    return f"{first} {last}"


def workspace_name(n: int) -> str:
    return f"Workspace {n:04d}"


def team_name(n: int) -> str:
    return f"Team {n:03d}"


@dataclass
class Step:
    name: str
    added: int
    seconds: float


@dataclass
class SeedReport:
    steps: list[Step] = field(default_factory=list)

    @property
    def seconds(self) -> float:
        return sum(step.seconds for step in self.steps)

    @property
    def added(self) -> int:
        return sum(step.added for step in self.steps)

    def __str__(self) -> str:
        parts = [f"{s.name} +{s.added:,} ({s.seconds:.1f} s)" for s in self.steps]
        return "; ".join(parts)


def _say(out: Callable[[str], None] | None, text: str) -> None:
    if out is not None:
        out(text)


def seed(sizes: Sizes, *, out: Callable[[str], None] | None = None, now=None) -> SeedReport:
    """Make the database hold the bench org at `sizes` (adding only what is missing)."""
    now = now or timezone.now()
    report = SeedReport()

    def step(name, function, *args):
        started = time.perf_counter()
        added = function(*args)
        report.steps.append(Step(name, added, time.perf_counter() - started))
        _say(out, f"  {name}: +{added:,} in {report.steps[-1].seconds:.1f} s")
        return added

    admin, operator = _staff()
    with acting_as(Actor(admin, admin.email)):
        step("members (users)", _users, sizes, now)
        org = _org(admin)
        step("workspaces", _workspaces, org, sizes, now)
        members = _members(sizes)
        step("org memberships", _org_memberships, org, members, now)
        workspaces = list(Workspace.objects.filter(org=org).order_by("slug"))
        step("teams", _teams, org, sizes)
        teams = _bench_teams(org, sizes)
        step("team access", _team_access, teams, workspaces)
        step("workspace memberships", _workspace_memberships, members, workspaces)
        step("team memberships", _team_memberships, members, teams)
        step("workspace content", _content, org, admin, now)
        step("activity entries", _history, org, admin, members, workspaces, sizes, now, out)
    if report.added:
        started = time.perf_counter()
        analyze()
        report.steps.append(Step("analyze", 0, time.perf_counter() - started))
    return report


def analyze() -> None:
    """Fresh planner statistics (and on PostgreSQL the visibility map, for index-only scans)
    after a bulk load."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql" and not connection.in_atomic_block:
            cursor.execute("VACUUM ANALYZE")
        else:
            cursor.execute("ANALYZE")


# --- people and structure ------------------------------------------------------------------


def _staff() -> tuple[User, User]:
    admin = User.objects.filter(email=ADMIN_EMAIL).first()
    if admin is None:
        admin = User.objects.create_user(ADMIN_EMAIL, PASSWORD, full_name="Bench Admin")
    operator = User.objects.filter(email=OPERATOR_EMAIL).first()
    if operator is None:
        operator = User.objects.create_superuser(
            OPERATOR_EMAIL, PASSWORD, full_name="Bench Operator"
        )
    return admin, operator


def _batches(rows: Iterable, size: int = BATCH_SIZE) -> Iterator[list]:
    rows = iter(rows)
    while batch := list(itertools.islice(rows, size)):
        yield batch


def _insert(model, rows: Iterable, *, log: bool = True) -> int:
    """bulk_create `rows` in batches, each with its activity entries (bulk_create sends no
    signals), in one transaction per batch."""
    count = 0
    for batch in _batches(rows):
        with transaction.atomic():
            created = model.objects.bulk_create(batch)
            if log:
                record_instances(created)
        count += len(batch)
    return count


def _users(sizes: Sizes, now) -> int:
    existing = set(
        User.objects.filter(email__startswith="member", email__endswith=f"@{DOMAIN}").values_list(
            "email", flat=True
        )
    )

    def rows():
        for n in range(1, sizes.members + 1):
            email = member_email(n)
            if email in existing:
                continue
            rng = random.Random(f"user/{n}")
            joined = now - datetime.timedelta(days=rng.uniform(30, 730))
            seen = rng.random() < 0.85
            yield User(
                email=email,
                full_name=member_name(n),
                password=make_password(None),
                date_joined=joined,
                last_login=now - datetime.timedelta(days=rng.uniform(0, 90)) if seen else None,
            )

    return _insert(User, rows(), log=False)


def _org(admin) -> Organization:
    org = Organization.objects.filter(slug=ORG_SLUG).first()
    if org is None:
        org = org_services.org_create(actor=admin, name=ORG_NAME, slug=ORG_SLUG, admin=admin)
    return org


def _workspaces(org, sizes: Sizes, now) -> int:
    existing = set(Workspace.objects.filter(org=org).values_list("slug", flat=True))
    rows = (
        Workspace(
            org=org,
            name=workspace_name(n),
            name_key=fold(workspace_name(n)),  # bulk inserts skip save()
            slug=f"ws-{n:04d}",
            created_at=now - datetime.timedelta(days=HISTORY_DAYS + 30 - n % 30),
        )
        for n in range(1, sizes.workspaces + 1)
        if f"ws-{n:04d}" not in existing
    )
    return _insert(Workspace, rows)


def _members(sizes: Sizes) -> list[tuple[int, User]]:
    """[(member number, user)] of the first sizes.members members, in order."""
    wanted = {member_email(n): n for n in range(1, sizes.members + 1)}
    users = User.objects.filter(email__in=wanted).only("id", "email", "full_name")
    return sorted(((wanted[u.email], u) for u in users), key=lambda pair: pair[0])


def _org_memberships(org, members, now) -> int:
    existing = set(OrgMembership.objects.filter(org=org).values_list("user_id", flat=True))
    rows = (
        OrgMembership(
            org=org,
            user=user,
            role=OrgRole.ADMIN if n % ADMIN_EVERY == 0 else OrgRole.USER,
            joined_at=now - datetime.timedelta(days=random.Random(f"joined/{n}").uniform(1, 700)),
        )
        for n, user in members
        if user.pk not in existing
    )
    return _insert(OrgMembership, rows)


def _teams(org, sizes: Sizes) -> int:
    existing = set(Team.objects.filter(org=org).values_list("name", flat=True))
    rows = (
        Team(
            org=org, name=team_name(n), name_key=fold(team_name(n)), description=f"Bench team {n}."
        )
        for n in range(1, sizes.teams + 1)
        if team_name(n) not in existing
    )
    return _insert(Team, rows)


def _bench_teams(org, sizes: Sizes) -> list[Team]:
    names = [team_name(n) for n in range(1, sizes.teams + 1)]
    by_name = {team.name: team for team in Team.objects.filter(org=org, name__in=names)}
    return [by_name[name] for name in names]


def _grant(role: str, extra: dict | None = None) -> dict:
    flags = {**flag_defaults(role), **(extra or {})}
    return {"role": role, **effective_flags(role, flags)}


def _team_access(teams, workspaces) -> int:
    existing = set(TeamAccess.objects.filter(team__in=teams).values_list("team_id", "workspace_id"))

    def rows():
        for index, team in enumerate(teams):
            for k, role in enumerate(TEAM_GRANTS):
                workspace = workspaces[(index * WORKSPACES_PER_TEAM + k) % len(workspaces)]
                if (team.pk, workspace.pk) not in existing:
                    existing.add((team.pk, workspace.pk))  # few workspaces: no repeats
                    yield TeamAccess(team=team, workspace=workspace, **_grant(role))

    return _insert(TeamAccess, rows())


# Share of direct grants given each flag beyond its role's defaults, in FLAGS order.
FLAG_SHARES = (0.1, 0.05, 0.15)


def _member_grants(n: int, workspaces) -> list[tuple[Workspace, dict]]:
    rng = random.Random(f"grants/{n}")
    picked = rng.sample(workspaces, k=min(WORKSPACES_PER_MEMBER, len(workspaces)))
    grants = []
    for workspace in picked:
        role = rng.choices(ROLES, weights=[60, 30, 10])[0]
        extra = {
            flag: rng.random() < FLAG_SHARES[i % len(FLAG_SHARES)] for i, flag in enumerate(FLAGS)
        }
        grants.append((workspace, _grant(role, extra)))
    return grants


def _workspace_memberships(members, workspaces) -> int:
    ids = [ws.pk for ws in workspaces]
    existing = set(
        WorkspaceMembership.objects.filter(workspace_id__in=ids).values_list(
            "workspace_id", "user_id"
        )
    )
    rows = (
        WorkspaceMembership(workspace=workspace, user=user, **grant)
        for n, user in members
        for workspace, grant in _member_grants(n, workspaces)
        if (workspace.pk, user.pk) not in existing
    )
    return _insert(WorkspaceMembership, rows)


def _team_memberships(members, teams) -> int:
    existing = set(TeamMembership.objects.filter(team__in=teams).values_list("team_id", "user_id"))

    def rows():
        for n, user in members:
            team = teams[(n - 1) % len(teams)]
            if (team.pk, user.pk) not in existing:
                yield TeamMembership(team=team, user=user)

    return _insert(TeamMembership, rows())


def _content(org, admin, now) -> int:
    """Flows, templates, brand kit, assets, audience and scans for the workspaces that have
    no scans yet (scans are the last thing `workspaces.seed` adds to a workspace)."""
    bare = Workspace.objects.filter(org=org).filter(
        ~Exists(Scan.objects.filter(workspace=OuterRef("pk")))
    )
    report = seed_workspace_content(actor=admin, now=now, workspaces=bare)
    return sum(report.added.values())


# --- the activity history -----------------------------------------------------------------


def _history(org, admin, members, workspaces, sizes: Sizes, now, out) -> int:
    """Fill the org's log up to sizes.entries with a year of history, HISTORY_BATCH entries
    per transaction."""
    present = ActivityEntry.objects.filter(org=org).count()
    missing = sizes.entries - present
    if missing <= 0:
        return 0
    history = History(org, admin, members, workspaces, count=missing, now=now)
    written = 0
    started = time.perf_counter()
    for first in range(0, missing, HISTORY_BATCH):
        last = min(first + HISTORY_BATCH, missing)
        drafts = history.drafts(first, last, seed=present)
        written += bulk_record(drafts, chunk_size=HISTORY_CHUNK)
        rate = written / (time.perf_counter() - started)
        _say(out, f"    activity entries: {written:,}/{missing:,} ({rate:,.0f}/s)")
    return written


class History:
    """`count` entries of made-up history over the year before `now`: entry k's time falls in
    the k-th slice of the year (so entries stay in time order), and its actor, workspace,
    action and entity come from a generator seeded with its number in the org's log (so the
    same sizes give the same log)."""

    def __init__(self, org, admin, members, workspaces, *, count: int, now):
        self.org = org
        self.count = max(count, 1)
        self.start = now - datetime.timedelta(days=HISTORY_DAYS)
        self.span = HISTORY_DAYS * 86_400
        self.admin = (admin.pk, admin.email, "10.0.0.1")
        self.system = (None, "system", "")
        self.people = [
            (user.pk, user.email, f"10.{1 + n // 250 % 250}.{n % 250}.{1 + n % 7}")
            for n, user in members
        ]
        self.workspaces = [(ws.pk, ws.name) for ws in workspaces]
        self.entities, entity_weights = zip(*ENTITY_WEIGHTS, strict=True)
        self.entity_weights = list(itertools.accumulate(entity_weights))
        self.actions, action_weights = zip(*ACTION_WEIGHTS, strict=True)
        self.action_weights = list(itertools.accumulate(action_weights))

    def _skewed(self, rng, items, power):
        """An item, the first ones far more often (a few busy actors and workspaces)."""
        return items[int(len(items) * rng.random() ** power)]

    def _person(self, rng):
        return self._skewed(rng, self.people, 3)

    def drafts(self, first: int, last: int, *, seed: int = 0) -> Iterator[Draft]:
        """Entries first … last-1 of the history; `seed` offsets their generators' seeds."""
        for k in range(first, last):
            yield self.draft(k, seed + k)

    def draft(self, k: int, seed: int) -> Draft:
        rng = random.Random(seed)
        created_at = self.start + datetime.timedelta(seconds=self.span * (k + 0.5) / self.count)
        roll = rng.random()
        actor = self.admin if roll < 0.08 else self.system if roll < 0.1 else self._person(rng)
        entity = rng.choices(self.entities, cum_weights=self.entity_weights)[0]
        if entity in EXPORTS:
            action = Action.EXPORTED
        else:
            action = rng.choices(self.actions, cum_weights=self.action_weights)[0]
        ws_id, ws_name = self._skewed(rng, self.workspaces, 2)
        entity_id, label, changes = self._entity(rng, entity, action, ws_id, ws_name)
        return Draft(
            org_id=self.org.pk,
            action=action,
            entity_type=entity,
            entity_id=str(entity_id),
            entity_label=label,
            workspace_id=ws_id if entity in IN_WORKSPACE else None,
            workspace_name=ws_name if entity in IN_WORKSPACE else "",
            changes=changes,
            created_at=created_at,
            actor=actor,
        )

    def _entity(self, rng, entity, action, ws_id, ws_name):
        """(entity id, label, changes) of a plausible change to one `entity`."""
        if entity == "flow":
            n = rng.randrange(1, 50_000)
            label = f"Campaign {n:05d}"
            if action == Action.UPDATED:
                field = rng.choice(["status", "name", "destination_url"])
                if field == "status":
                    return n, label, {"status": rng.sample(STATUSES, 2)}
                if field == "name":
                    return n, label, {"name": [f"Campaign {n - 1:05d}", label]}
                url = f"https://bench.example.com/c/{n}"
                return n, label, {"destination_url": [url, f"{url}?v={rng.randrange(9)}"]}
            return n, label, self._lifecycle(action, {"name": label, "status": "active"})
        if entity in ("workspace_member", "org_member", "team_member"):
            user_id, email, _ip = self._person(rng)
            roles = ROLES if entity == "workspace_member" else ["user", "admin"]
            if entity == "team_member":
                team = team_name(1 + user_id % 100)
                return user_id, f"{email} in {team}", self._lifecycle(action, {"user": email})
            if action == Action.UPDATED:
                if entity == "workspace_member" and rng.random() < 0.4:
                    flag = rng.choice(FLAGS)
                    return user_id, email, {flag: rng.sample([True, False], 2)}
                return user_id, email, {"role": rng.sample(roles, 2)}
            return user_id, email, self._lifecycle(action, {"user": email, "role": roles[0]})
        if entity in ("asset", "flow_template", "brand_kit"):
            n = rng.randrange(1, 5_000)
            names = {
                "asset": ["Logo (PNG)", "Product sheet (PDF)", "Menu (PDF)"],
                "flow_template": ["Event check-in", "Product page", "Feedback survey"],
                "brand_kit": [f"{ORG_NAME} {ws_name}"],
            }[entity]
            label = rng.choice(names)
            if action == Action.UPDATED:
                return n, label, {"name": [label + " (old)", label]}
            return n, label, self._lifecycle(action, {"name": label})
        if entity in ("team", "team_access"):
            n = rng.randrange(1, 100)
            label = team_name(n)
            if entity == "team_access" and action == Action.UPDATED:
                return n, label, {"role": rng.sample(ROLES, 2)}
            if action == Action.UPDATED:
                return n, label, {"description": ["", f"Bench team {n}."]}
            return n, label, self._lifecycle(action, {"name": label})
        if entity == "workspace":
            if action == Action.UPDATED:
                return ws_id, ws_name, {"description": ["", f"About {ws_name}."]}
            return ws_id, ws_name, self._lifecycle(action, {"name": ws_name})
        if entity == "invitation":
            n = rng.randrange(1, 20_000)
            email = f"invitee{n:05d}@example.net"
            if action == Action.UPDATED:
                return n, email, {"status": ["pending", rng.choice(["accepted", "expired"])]}
            return n, email, self._lifecycle(action, {"email": email, "role": "user"})
        if entity == "audience_export":
            return "", f"Audience of {ws_name}", {"rows": [None, rng.randrange(10, 5_000)]}
        if entity == "activity_export":
            return "", "Activity log (CSV)", {"format": [None, "csv"]}
        if entity == "domain":
            n = rng.randrange(1, 200)
            host = f"go{n}.{ORG_SLUG}.example.com"
            if action == Action.UPDATED:
                return n, host, {"status": ["pending", "verified"]}
            return n, host, self._lifecycle(action, {"hostname": host})
        if entity == "integration":
            name = rng.choice(INTEGRATIONS)
            if action == Action.UPDATED:
                return INTEGRATIONS.index(name) + 1, name, {"enabled": rng.sample([True, False], 2)}
            return INTEGRATIONS.index(name) + 1, name, self._lifecycle(action, {"app": name})
        if entity == "sso":
            return 1, "SSO (SAML 2.0)", {"enforced": rng.sample([True, False], 2)}
        return self.org.pk, ORG_NAME, {"description": ["", "The benchmark's org."]}

    @staticmethod
    def _lifecycle(action, values: dict) -> dict:
        if action == Action.DELETED:
            return {name: [value, None] for name, value in values.items()}
        return {name: [None, value] for name, value in values.items()}
