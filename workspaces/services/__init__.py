"""Writes to workspaces (settings, whitelabel domain), workspace memberships, team access and
flows — atomic, the acting user keyword-only (`actor`), logged in the activity log — and to
scans and their counts: a scan with its day's rollup (`scan_record`, `scan_follow`,
`scan_days_add`) and the recounts of the daily rollups and the org tallies
(`scan_days_rebuild`, `org_tallies_recount`).

The scan writes take no actor: a scan is a visitor following a short link, with no signed-in
user to act and no activity-log entry (the redirect's hot path, README "Results"). The
recounts take none either: they rebuild counts from rows written in bulk (the demo and bench
seeding, a restored snapshot), which change nothing a person did. `scan_days_add` writes in
its caller's transaction; the others are atomic.
Flow templates, assets, brand kits and audience contacts: workspaces.services.content."""

import secrets

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator, validate_slug
from django.db import IntegrityError, connection, transaction
from django.db.models import Case, Count, F, Value, When
from django.db.models.functions import TruncDate
from django.utils import timezone

from audit.context import service
from flowadmin.database import prepared_cursor
from orgs import expiry, permissions
from orgs.errors import GoneError, ServiceError, StaleError, unique_or_error
from orgs.locking import lock_org, lock_org_and_rows, lock_row, lock_rows
from orgs.models import Domain, DomainStatus, OrgMembership, Team, TeamMembership, User
from orgs.names import fold
from orgs.roles import FLAGS
from orgs.services import domain_remove, require_fit, require_member, settle_until, unique_slug

from ..models import (
    Asset,
    BrandKit,
    Flow,
    FlowStatus,
    Scan,
    ScanDay,
    TeamAccess,
    Workspace,
    WorkspaceMembership,
)
from ..selectors.manage import OtherGrants


def refuse_duplicate_name(org_id, name: str, exclude=None) -> None:
    """ServiceError (code "duplicate_name") when another workspace of the org has `name` as
    people read it (orgs.names.fold: case, width and accents as composed don't count)."""
    same = Workspace.objects.filter(org_id=org_id, name_key=fold(name)).exclude(pk=exclude)
    if same.exists():
        raise ServiceError(
            f"There is already a workspace called {same.first().name!r}.", code="duplicate_name"
        )


@service
def workspace_create(
    *, actor, org, name: str, slug: str | None = None, description: str = ""
) -> Workspace:
    name = name.strip()
    if not name:
        raise ServiceError("A workspace needs a name.")
    require_fit(Workspace, name=name, slug=slug)
    lock_org(org)
    refuse_duplicate_name(org.pk, name)
    slug = slug or unique_slug(Workspace.objects.filter(org=org), name)
    taken = f"{org.name} already has a workspace with the slug {slug!r}."
    if Workspace.objects.filter(org=org, slug=slug).exists():
        raise ServiceError(taken, code="duplicate")
    with unique_or_error(f"{org.name} already has a workspace called {name!r} or slug {slug!r}."):
        return Workspace.objects.create(org=org, name=name, slug=slug, description=description)


@service
def workspace_delete(*, actor, workspace) -> None:
    """Delete a workspace with everything in it: memberships, team access, flows and their
    scans, templates, assets, brand kits, audience, its own domains (through domain_remove)
    and integrations. Stored
    files (assets, logos, avatar) are removed once the deletion is committed. Its flows are
    locked FOR UPDATE before the cascade deletes their scans and the daily rollups (ScanDay):
    the order of flow_delete and of a scan (flow, then rollup; README "Concurrency")."""
    lock_org(workspace.org_id)
    if lock_row(Workspace.objects.filter(pk=workspace.pk)) is None:
        raise GoneError(f"Workspace {workspace.name}")
    lock_rows(Flow.objects.filter(workspace=workspace).only("pk"), delete=True)
    # Its own domains go the way Manage → Domains → Remove takes them: SSO stops covering
    # them with an `sso updated` entry (the database cascade would drop them silently).
    for domain in Domain.objects.filter(workspace=workspace).order_by("pk"):
        domain_remove(actor=actor, domain=domain)
    storage_files = [
        (field.storage, field.name)
        for obj, attr in [
            *((a, "file") for a in Asset.objects.filter(workspace=workspace).only("file")),
            *((b, "logo") for b in BrandKit.objects.filter(workspace=workspace).only("logo")),
            (workspace, "avatar"),
        ]
        if (field := getattr(obj, attr))
    ]
    workspace.delete()

    def delete_files():
        for storage, name in storage_files:
            storage.delete(name)

    transaction.on_commit(delete_files)


def apply_grant(grant, role: str | None, flags: dict | None) -> bool:
    """Set role and flags on a WorkspaceMembership or TeamAccess following SPEC §3.2: a new or
    changed role re-applies its flag defaults, then explicit flags are applied; admin flags stay
    on. Returns whether anything changed."""
    if role is not None and not permissions.is_workspace_role(role):
        raise ServiceError(f"Unknown workspace role {role!r}: use admin, editor or viewer.")
    unknown = set(flags or {}) - set(permissions.FLAG_DEFAULTS["admin"])
    if unknown:
        raise ServiceError(f"Unknown permission {sorted(unknown)[0]!r}.")
    before = (grant.role, grant.flags)
    current = None if grant.pk is None else before
    grant.role, values = permissions.grant_after(current, role or grant.role, flags)
    for flag, value in values.items():
        setattr(grant, flag, value)
    return (grant.role, grant.flags) != before


def flags_as_submitted(shown: tuple[str, dict] | None, role: str, flags: dict) -> dict:
    """The flags to apply from a form that showed `shown` = (role, flags) (None: no grant
    yet): with a new or changed role only the flags the person changed count — the role's
    defaults (SPEC §3.2) apply to the rest; with the same role, the flags as given."""
    flags = dict(flags or {})
    if shown is None or shown[0] != role:
        before = shown[1] if shown else dict.fromkeys(permissions.FLAGS, False)
        flags = {flag: value for flag, value in flags.items() if before.get(flag) != value}
    return flags


def save_grant(grant, duplicate: str) -> None:
    """Save a WorkspaceMembership or TeamAccess. A new one is saved in unique_or_error (two
    identical adds at once: the unique constraint judges, `duplicate` is the error); an
    existing one keeps its unique key, so it needs no savepoint."""
    if grant.pk is None:
        with unique_or_error(duplicate):
            grant.save()
    else:
        grant.save()


@service
def workspace_member_set(
    *,
    actor,
    workspace,
    user,
    role: str | None = None,
    flags: dict | None = None,
    until=expiry.UNCHANGED,
) -> WorkspaceMembership:
    """Add `user` to the workspace or change their role, flags (SPEC §3.2 defaults) and the
    membership's end `until` (None: no end; UNCHANGED keeps it, a new membership then has
    none; orgs.expiry). A new grant re-checks the org membership under lock: a removal at the
    same moment comes first (this is refused) or second (it takes this grant with it). A grant
    that is still there under the org's lock still has its org membership: member_remove
    deletes both under it. A membership whose end has passed is refused (ExpiredGrantError)
    unless given a new end."""
    lock_org(workspace.org_id)
    membership = lock_row(WorkspaceMembership.objects.filter(workspace=workspace, user=user))
    if membership is None:
        if role is None:
            raise ServiceError(f"Choose a role for {user.email} in {workspace.name}.")
        require_member(workspace.org, user)
        membership = WorkspaceMembership(workspace=workspace, user=user)
    return _set_membership(membership, workspace, user, role, flags, until)


@service
def workspace_membership_update(
    *, actor, workspace, membership_id: int, decide
) -> WorkspaceMembership:
    """Change the direct membership `membership_id` of `workspace` (the Manage page's row),
    reading it once, under lock: `decide(membership)` gets it as locked (its `user` loaded) and
    returns workspace_member_set's keywords (`role`, `flags`, `until`), or raises to write
    nothing. GoneError when the membership is no longer there; else as workspace_member_set.
    The org's chain head and the membership are locked in one statement, which also reads the
    member's other grants here: the saved membership returned carries them as `other_grants`
    (selectors.manage.OtherGrants), so its Manage row needs no query
    (selectors.manage.workspace_member_rows)."""
    membership, other_grants = _lock_membership(workspace, membership_id)
    if membership is None:
        raise GoneError(f"This direct membership of {workspace.name}")
    membership = _set_membership(membership, workspace, membership.user, **decide(membership))
    membership.other_grants = other_grants
    return membership


def _lock_membership(workspace, membership_id: int):
    """The direct membership `membership_id` of `workspace` with its user, locked after the
    org's chain head in one statement (orgs.locking.lock_org_and_rows), and, read with it,
    the member's other grants here (their org role, their teams' access): (membership,
    selectors.manage.OtherGrants), or (None, None) when there is no such membership."""
    membership_fields = WorkspaceMembership._meta.concrete_fields
    user_fields = User._meta.concrete_fields
    qn = connection.ops.quote_name
    table = {
        model: qn(model._meta.db_table)
        for model in (WorkspaceMembership, User, OrgMembership, Team, TeamMembership, TeamAccess)
    }
    flags = ", ".join(f"ta.{qn(flag)}" for flag in FLAGS)
    rows = lock_org_and_rows(
        workspace.org_id,
        columns=", ".join(
            [
                *(f"wm.{qn(field.column)}" for field in membership_fields),
                *(f"u.{qn(field.column)}" for field in user_fields),
                f"om.role, om.until, t.id, t.name, ta.role, {flags}, tm.until, ta.until",
            ]
        ),
        tables=(
            f"{table[WorkspaceMembership]} wm"
            f" JOIN {table[User]} u ON u.id = wm.user_id"
            f" LEFT JOIN {table[OrgMembership]} om ON om.user_id = wm.user_id AND om.org_id = %s"
            f" LEFT JOIN ({table[TeamMembership]} tm"
            f" JOIN {table[Team]} t ON t.id = tm.team_id"
            f" JOIN {table[TeamAccess]} ta ON ta.team_id = t.id)"
            " ON tm.user_id = wm.user_id AND ta.workspace_id = wm.workspace_id AND t.org_id = %s"
        ),
        where="wm.id = %s AND wm.workspace_id = %s",
        params=[workspace.org_id, workspace.org_id, membership_id, workspace.pk],
        of="wm",
    )
    if not rows:
        return None, None
    first, user_end = rows[0], len(membership_fields) + len(user_fields)
    membership = _instance(WorkspaceMembership, membership_fields, first[: len(membership_fields)])
    membership.user = _instance(User, user_fields, first[len(membership_fields) : user_end])
    org_role, org_until = first[user_end : user_end + 2]
    teams, team_ids = [], {}
    for team_id, name, role, *values, until, access_until in (r[user_end + 2 :] for r in rows):
        if team_id is not None:
            teams.append((name, role, dict(zip(FLAGS, values, strict=True)), until, access_until))
            team_ids[name] = team_id
    org = (org_role, org_until) if org_role is not None else None
    return membership, OtherGrants(org=org, teams=tuple(teams), team_ids=team_ids)


def _instance(model, fields, values):
    """A `model` instance from its `fields`' column values as a raw cursor returned them,
    converted as the ORM converts them (SQLite's text timestamps and 0/1 booleans)."""
    converted = []
    for field, value in zip(fields, values, strict=True):
        column = field.get_col(model._meta.db_table)
        for convert in connection.ops.get_db_converters(column) + column.get_db_converters(
            connection
        ):
            value = convert(value, column, connection)
        converted.append(value)
    return model.from_db(connection.alias, [field.attname for field in fields], converted)


def _set_membership(
    membership, workspace, user, role=None, flags=None, until=expiry.UNCHANGED
) -> WorkspaceMembership:
    """Apply role, flags and end to a membership read under lock (or a new one) and save it
    when anything changed."""
    # The log's labels come from these (no lookup query).
    membership.workspace, membership.user = workspace, user
    until_changed = settle_until(membership, until, f"{user.email}'s access to {workspace.name}")
    if apply_grant(membership, role, flags) or until_changed or membership.pk is None:
        save_grant(membership, f"{user.email} is already a member of {workspace.name}.")
    permissions.forget_access(user)
    return membership


@service
def workspace_member_remove(*, actor, workspace, user) -> None:
    lock_org(workspace.org_id)
    membership = lock_row(WorkspaceMembership.objects.filter(workspace=workspace, user=user))
    if membership is None:
        raise ServiceError(f"{user.email} is not a direct member of {workspace.name}.")
    membership.delete()
    permissions.forget_access(user)


@service
def workspace_member_add(
    *, actor, workspace, user, role: str, flags: dict | None = None, until=None
) -> WorkspaceMembership:
    """Make an org member a direct member of the workspace with `role` and its default flags,
    then `flags` ({flag: bool}, the ones set otherwise; None: the defaults; an Admin's stay
    on), ending at `until` (an aware datetime; None: no end). ServiceError when `user` is
    already a direct member or not a member of the org, for an unknown role or flag, or an
    end that has passed; logged (workspace_member created) with `actor`."""
    lock_org(workspace.org_id)
    if WorkspaceMembership.objects.filter(workspace=workspace, user=user).exists():
        raise ServiceError(f"{user.email} is already a member of {workspace.name}.")
    return workspace_member_set(
        actor=actor, workspace=workspace, user=user, role=role, flags=flags, until=until
    )


@service
def workspace_update(
    *,
    actor,
    workspace,
    name: str,
    slug: str,
    description: str = "",
    avatar=None,
    remove_avatar: bool = False,
) -> Workspace:
    """Change a workspace's name, slug (unique in its org), description and avatar. `avatar` is
    an already validated file (orgs.avatars.process_avatar); the replaced file is deleted once
    the change is committed."""
    name = (name or "").strip()
    slug = (slug or "").strip().lower()
    if not name:
        raise ServiceError("A workspace needs a name.", code="name_required")
    require_fit(Workspace, name=name, slug=slug)
    try:
        validate_slug(slug)
    except ValidationError:
        raise ServiceError(
            "Use only lowercase letters, digits, hyphens and underscores in the slug.",
            code="slug_invalid",
        ) from None
    lock_org(workspace.org_id)
    taken = Workspace.objects.filter(org_id=workspace.org_id, slug=slug).exclude(pk=workspace.pk)
    if taken.exists():
        raise ServiceError(f"Another workspace already uses the slug {slug!r}.", code="slug_taken")
    old_avatar = workspace.avatar.name if workspace.avatar else ""
    workspace.name, workspace.slug, workspace.description = name, slug, description.strip()
    if avatar is not None:
        workspace.avatar.save(avatar.name or "avatar.png", avatar, save=False)
    elif remove_avatar:
        workspace.avatar = ""
    try:
        with transaction.atomic():
            workspace.save()
    except IntegrityError:
        if avatar is not None:
            workspace.avatar.storage.delete(workspace.avatar.name)
        raise ServiceError(
            f"Another workspace already uses the slug {slug!r}.", code="slug_taken"
        ) from None
    new_avatar = workspace.avatar.name if workspace.avatar else ""
    if old_avatar and old_avatar != new_avatar:
        storage = workspace.avatar.storage
        transaction.on_commit(lambda: storage.delete(old_avatar))
    return workspace


@service
def workspace_whitelabel_set(*, actor, workspace, domain) -> Workspace:
    """Use `domain` in the workspace's flow short links (None: back to the default host). It
    must be a verified domain of the workspace's org: org-wide, or this workspace's own."""
    lock_org(workspace.org_id)
    if domain is not None:
        if domain.org_id != workspace.org_id:
            raise ServiceError("Use a domain of this workspace's own organization.")
        if domain.workspace_id not in (None, workspace.pk):
            raise ServiceError(f"{domain.hostname} belongs to another workspace.")
        if not domain.is_verified:
            raise ServiceError(
                f"{domain.hostname} is not verified yet: publish its TXT record and verify it "
                "first."
            )
    if workspace.whitelabel_domain_id != (domain.pk if domain else None):
        workspace.whitelabel_domain = domain
        workspace.save(update_fields=["whitelabel_domain"])
    return workspace


@service
def team_access_set(
    *,
    actor,
    team: Team,
    workspace,
    role: str | None = None,
    flags: dict | None = None,
    until=expiry.UNCHANGED,
    refuse_existing: str | None = None,
) -> TeamAccess:
    """Give `team` access to `workspace` or change its role, flags and end `until` (None: no
    end; UNCHANGED keeps it, and a new access then has none; an ended one is refused unless
    given a new end). `refuse_existing`: only give it, the message refusing an access the
    team has (an undo putting back a removed access: judged under the lock)."""
    if workspace.org_id != team.org_id:
        raise ServiceError("A team can only get access to workspaces of its own org.")
    lock_org(team.org_id)
    access = lock_row(TeamAccess.objects.filter(team=team, workspace=workspace))
    if access is not None and refuse_existing:
        raise ServiceError(refuse_existing)
    if access is None:
        if role is None:
            raise ServiceError("Choose a role for the team's access.")
        access = TeamAccess(team=team, workspace=workspace)
    until_changed = settle_until(access, until, f"{team.name}'s access to {workspace.name}")
    if apply_grant(access, role, flags) or until_changed or access.pk is None:
        save_grant(access, f"{team.name} already has access to {workspace.name}.")
    return access


@service
def team_access_remove(*, actor, team: Team, workspace) -> None:
    lock_org(team.org_id)
    deleted = lock_row(TeamAccess.objects.filter(team=team, workspace=workspace))
    if deleted is None:
        raise ServiceError(f"{team.name} has no access to {workspace.name}.")
    deleted.delete()


# --- flows ---------------------------------------------------------------------------------

SHORT_CODE_BYTES = 6  # 48 random bits → 8 URL-safe characters
SHORT_CODE_ATTEMPTS = 5

http_url = URLValidator(schemes=["http", "https"], message="Enter a full http:// or https:// URL.")


def new_short_code() -> str:
    """A random, URL-safe short code ([A-Za-z0-9_-], 8 characters, 2^48 possibilities)."""
    return secrets.token_urlsafe(SHORT_CODE_BYTES)


def _clean_flow_fields(name, destination_url, status):
    name = (name or "").strip()
    if not name:
        raise ServiceError("A flow needs a name.")
    destination_url = (destination_url or "").strip()
    try:
        http_url(destination_url)
    except ValidationError:
        raise ServiceError(
            "The destination must be a full http:// or https:// URL.", code="bad_destination"
        ) from None
    if status not in FlowStatus.values:
        raise ServiceError(f"Unknown flow status {status!r}: use active or paused.")
    return name, destination_url, status


@service
def flow_create(
    *, actor, workspace, name: str, destination_url: str, status: str = FlowStatus.ACTIVE
) -> Flow:
    """A new flow with a fresh short code; retried with another code on the (rare) collision."""
    name, destination_url, status = _clean_flow_fields(name, destination_url, status)
    lock_org(workspace.org_id)
    created_by = actor if getattr(actor, "is_authenticated", False) else None
    for _attempt in range(SHORT_CODE_ATTEMPTS):
        flow = Flow(
            workspace=workspace,
            name=name,
            destination_url=destination_url,
            status=status,
            short_code=new_short_code(),
            created_by=created_by,
        )
        try:
            with transaction.atomic():  # a savepoint: a collision leaves the outer one usable
                flow.save(force_insert=True)
        except IntegrityError:
            if not Flow.objects.filter(short_code=flow.short_code).exists():
                raise
            continue
        return flow
    raise ServiceError("Could not find a free short code; please try again.")


@service
def flow_update(
    *,
    actor,
    flow: Flow,
    name: str | None = None,
    destination_url: str | None = None,
    status: str | None = None,
    version: int | None = None,
) -> Flow:
    """Change a flow's name, destination or status (its short code never changes) and return
    the saved flow. `version`: the flow's version when the form was opened; when the flow was
    saved since (its version moved), StaleError and nothing is written — an edit never
    silently replaces another admin's. Values are compared and logged as read under the row
    lock. GoneError when the flow was deleted meanwhile."""
    lock_org(flow.workspace.org_id)
    locked = lock_row(Flow.objects.filter(pk=flow.pk))
    if locked is None:
        raise GoneError(f"Flow {flow.name}")
    if version is not None and version != locked.version:
        raise StaleError("flow", locked)
    flow = locked
    name, destination_url, status = _clean_flow_fields(
        flow.name if name is None else name,
        flow.destination_url if destination_url is None else destination_url,
        flow.status if status is None else status,
    )
    changed = [
        field
        for field, value in [
            ("name", name),
            ("destination_url", destination_url),
            ("status", status),
        ]
        if getattr(flow, field) != value
    ]
    if changed:
        flow.name, flow.destination_url, flow.status = name, destination_url, status
        flow.version += 1
        flow.save(update_fields=[*changed, "version", "updated_at"])
    return flow


@service
def flow_delete(*, actor, flow: Flow) -> None:
    """Delete a flow with its scans, taking them out of the daily rollups (ScanDay); audience
    contacts keep existing without a source flow. GoneError (and no activity entry) when
    someone else deleted it a moment ago. The flow row is locked FOR UPDATE (a delete's
    strength) before the rollups are touched: a scan (scan_follow) locks its flow FOR KEY SHARE
    where it finds it, before its rollup upsert, so none can slip in between the count and the
    delete, and a scan waiting for the flow finds it gone (README "Concurrency")."""
    lock_org(flow.workspace.org_id)
    if lock_row(Flow.objects.filter(pk=flow.pk), delete=True) is None:
        raise GoneError(f"Flow {flow.name}")
    per_day = (
        Scan.objects.filter(flow=flow)
        .annotate(day=TruncDate("scanned_at"))
        .order_by()
        .values("day")
        .annotate(n=Count("pk"))
        .values_list("day", "n")
    )
    _scan_days_subtract(flow.workspace_id, dict(per_day))
    flow.delete()


# --- scans (the public hot path) -------------------------------------------------------------


def scan_record(*, flow_id: int, workspace_id: int, country: str = "", device: str) -> None:
    """Record one scan of a known flow with its day's rollup (ScanDay, an upsert) in one
    transaction, through the ORM (any database); no actor (scans are anonymous and not
    activity-log entries). The scan redirect uses `scan_follow`."""
    scanned_at = timezone.now()
    with transaction.atomic():
        Scan.objects.create(
            flow_id=flow_id,
            workspace_id=workspace_id,
            scanned_at=scanned_at,
            country=country,
            device=device,
        )
        scan_days_add(workspace_id, {timezone.localdate(scanned_at): 1})


def scan_follow(
    *, code: str, domain: str | None = None, country: str = "", device: str, record: bool = True
) -> str | None:
    """The destination URL of the active flow whose short code is `code` (case-sensitive), or
    None when there is none. `domain`: the whitelabel hostname the request came in on, which
    serves only the flows of workspaces using it while it is verified; None on the console's
    hosts (every flow). With `record` (a GET; not a HEAD) the scan is recorded with its day's
    rollup (ScanDay): every scan, none sampled or queued; no actor (scans are anonymous).

    On PostgreSQL this is ONE statement and the request's one round trip (no health-check
    `SELECT 1` before it, and prepared after its first runs: flowadmin.database.
    prepared_cursor): a CTE finds the flow, inserts the scan, upserts its day and returns the
    destination (the flow is locked FOR KEY SHARE where it is found, before the rollup's row:
    README "Concurrency"), in its own implicit transaction, which commits asynchronously
    (`set_config('synchronous_commit', 'off', true)`, i.e. SET LOCAL): the redirect does not
    wait for the WAL to reach disk. A crash of the database server (not of the app) can lose
    the scans committed in its last moments — at most 3 × wal_writer_delay, 0.6 s by
    default — but never half a scan nor a rollup out of step with its scans (README
    "Configuration"); everything else keeps synchronous commits.
    Elsewhere (SQLite) the flow is read, then `scan_record` writes it (synchronously)."""
    if connection.vendor == "postgresql":
        return _scan_follow_postgresql(code, domain, country, device, record)
    flows = Flow.objects.filter(short_code=code, status=FlowStatus.ACTIVE)
    if domain is not None:
        flows = flows.filter(
            workspace__whitelabel_domain__hostname=domain,
            workspace__whitelabel_domain__status=DomainStatus.VERIFIED,
        )
    row = flows.order_by().values_list("pk", "workspace_id", "destination_url").first()
    if row is None:
        return None
    flow_id, workspace_id, destination = row
    if record:
        scan_record(flow_id=flow_id, workspace_id=workspace_id, country=country, device=device)
    return destination


def _scan_follow_postgresql(code, domain, country, device, record) -> str | None:
    lookup = _FLOW_ON_DOMAIN if domain is not None else _FLOW
    params = [code, FlowStatus.ACTIVE]
    if domain is not None:
        params += [domain, DomainStatus.VERIFIED]
    if record:
        scanned_at = timezone.now()
        sql = _SCAN_SQL.format(lookup=lookup)
        params += [scanned_at, country, device, timezone.localdate(scanned_at)]
    else:
        sql = f"{lookup} LIMIT 1"
    with prepared_cursor(connection) as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    return row[0] if row else None


_FLOW = """SELECT f.destination_url, f.id, f.workspace_id FROM workspaces_flow f
    WHERE f.short_code = %s AND f.status = %s"""
_FLOW_ON_DOMAIN = f"""{_FLOW} AND EXISTS (
        SELECT FROM workspaces_workspace w JOIN orgs_domain d ON d.id = w.whitelabel_domain_id
        WHERE w.id = f.workspace_id AND d.hostname = %s AND d.status = %s)"""
# Data-modifying CTEs run whether or not the outer SELECT reads them. set_config(…, true) is
# SET LOCAL as an expression: this statement's own implicit transaction commits
# asynchronously, and a single statement can be prepared.
# The flow is locked FOR KEY SHARE where it is found, before the rollup upsert locks the day's
# row: the lock order of flow_delete (flow, then ScanDay; README "Concurrency"). Left to the
# scan's deferred foreign-key check (at COMMIT, after the upsert) it came in the opposite order
# (a deadlock with flow_delete), and a scan that had read the flow before its deletion committed
# failed that check (500). A locked read waits for the deletion and then finds no flow (404).
_SCAN_SQL = """WITH flow AS ({lookup} LIMIT 1 FOR KEY SHARE OF f),
scan AS (
    INSERT INTO workspaces_scan (flow_id, workspace_id, scanned_at, country, device)
    SELECT id, workspace_id, %s, %s, %s FROM flow
),
day AS (
    INSERT INTO workspaces_scanday (workspace_id, day, scans) SELECT workspace_id, %s, 1 FROM flow
    ON CONFLICT (workspace_id, day) DO UPDATE SET scans = workspaces_scanday.scans + 1
)
SELECT destination_url, set_config('synchronous_commit', 'off', true) FROM flow"""


def scan_days_add(workspace_id: int, counts: dict) -> None:
    """Add {day: scans} (a date → a positive int) to a workspace's daily rollups: one
    INSERT … ON CONFLICT DO UPDATE (PostgreSQL and SQLite 3.24+), in the caller's
    transaction. Days are calendar days in settings.TIME_ZONE."""
    counts = {day: n for day, n in counts.items() if n > 0}
    if not counts:
        return
    table = connection.ops.quote_name(ScanDay._meta.db_table)
    values = ", ".join(["(%s, %s, %s)"] * len(counts))
    params = [v for day, n in counts.items() for v in (workspace_id, day, n)]
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (workspace_id, day, scans) VALUES {values} "
            f"ON CONFLICT (workspace_id, day) DO UPDATE SET scans = {table}.scans + excluded.scans",
            params,
        )


def _scan_days_subtract(workspace_id: int, counts: dict) -> None:
    """Take {day: scans} off a workspace's daily rollups: one UPDATE."""
    if counts:
        delta = Case(*(When(day=day, then=Value(n)) for day, n in counts.items()), default=0)
        ScanDay.objects.filter(workspace_id=workspace_id, day__in=list(counts)).update(
            scans=F("scans") - delta
        )


ORG_TALLIES_RECOUNT = [
    "DELETE FROM workspaces_orgtally",
    "DELETE FROM workspaces_orgscanday",
    """INSERT INTO workspaces_orgtally (org_id, members, flows, audience)
    SELECT o.id,
        (SELECT count(*) FROM orgs_orgmembership m WHERE m.org_id = o.id),
        (SELECT count(*) FROM workspaces_flow f
         JOIN workspaces_workspace w ON w.id = f.workspace_id WHERE w.org_id = o.id),
        (SELECT count(*) FROM workspaces_audiencecontact c
         JOIN workspaces_workspace w ON w.id = c.workspace_id WHERE w.org_id = o.id)
    FROM orgs_organization o""",
    """INSERT INTO workspaces_orgscanday (org_id, day, scans)
    SELECT w.org_id, d.day, sum(d.scans) FROM workspaces_scanday d
    JOIN workspaces_workspace w ON w.id = d.workspace_id
    GROUP BY w.org_id, d.day""",
]


@transaction.atomic
def org_tallies_recount() -> None:
    """Recount every org's running counts (OrgTally) and daily scans (OrgScanDay) from the
    rows, as migration workspaces.0008 backfilled them: for rows written with the database's
    triggers off (a restored snapshot). Everything else keeps them through the triggers."""
    with connection.cursor() as cursor:
        for sql in ORG_TALLIES_RECOUNT:
            cursor.execute(sql)


@transaction.atomic
def scan_days_rebuild(workspace_ids) -> int:
    """Recount the daily rollups of these workspaces from their scans (after scans were written
    in bulk, e.g. by the demo or benchmark seeding): one DELETE, one grouped SELECT, bulk
    INSERTs. Returns the number of ScanDay rows written."""
    workspace_ids = list(workspace_ids)
    ScanDay.objects.filter(workspace_id__in=workspace_ids).delete()
    rows = (
        Scan.objects.filter(workspace_id__in=workspace_ids)
        .annotate(day=TruncDate("scanned_at"))
        .order_by()
        .values("workspace_id", "day")
        .annotate(n=Count("pk"))
        .values_list("workspace_id", "day", "n")
    )
    days = [ScanDay(workspace_id=ws, day=day, scans=n) for ws, day, n in rows]
    ScanDay.objects.bulk_create(days, batch_size=2000)
    return len(days)
