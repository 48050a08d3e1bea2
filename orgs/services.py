"""Every write to orgs, memberships and teams: atomic functions taking a keyword-only acting
user, used by views, the admin site and commands alike. The activity log records them through
signals (audit.receivers)."""

from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import connections, router, transaction
from django.utils import timezone
from django.utils.text import slugify

from audit.context import service
from flowadmin import hosts
from workspaces.models import Workspace, WorkspaceMembership

from . import avatars, crypto, domains, expiry, integrations, permissions
from .errors import (
    ExpiredGrantError,
    GoneError,
    LastAdminError,
    NotOrgMemberError,
    ServiceError,
    unique_or_error,
)
from .locking import lock_org, lock_row, lock_rows
from .models import (
    Domain,
    DomainStatus,
    IntegrationInstallation,
    Invitation,
    InvitationStatus,
    Organization,
    OrgMembership,
    SSOConfiguration,
    SSOProtocol,
    Team,
    TeamMembership,
    User,
)
from .names import fold
from .roles import OrgRole


def require_fit(model, **values) -> None:
    """ServiceError unless each value fits its `model` field's max_length (a too-long value
    is a one-line refusal, not a database error on PostgreSQL or a silent overflow on SQLite)."""
    for name, value in values.items():
        field = model._meta.get_field(name)
        if value and field.max_length and len(value) > field.max_length:
            raise ServiceError(
                f"The {field.verbose_name} is too long: at most {field.max_length} characters.",
                code="too_long",
            )


def unique_slug(queryset, name, *, field="slug", max_length=60):
    """A slug for `name` not yet used in `queryset`."""
    base = slugify(name)[: max_length - 4] or "item"
    slug, n = base, 2
    while queryset.filter(**{field: slug}).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


@service
def org_create(*, actor, name: str, admin: User, slug: str | None = None) -> Organization:
    name = name.strip()
    if not name:
        raise ServiceError("An organization needs a name.")
    require_fit(Organization, name=name, slug=slug)
    slug = slug or unique_slug(Organization.objects.all(), name)
    if Organization.objects.filter(slug=slug).exists():
        raise ServiceError(f"The slug {slug!r} is taken.")
    org = Organization.objects.create(name=name, slug=slug)
    OrgMembership.objects.create(org=org, user=admin, role=OrgRole.ADMIN)
    permissions.forget_access(admin)
    return org


@service
def org_update(
    *,
    actor,
    org,
    name: str | None = None,
    description: str | None = None,
    avatar=None,
    remove_avatar: bool = False,
) -> Organization:
    """Change the org's name, description and avatar (`avatar`: a processed image from
    orgs.avatars.process_avatar; `remove_avatar` goes back to the initials)."""
    lock_org(org)
    org.refresh_from_db(fields=["description", "avatar"])
    fields = []
    if name is not None and name.strip() != org.name:
        if not name.strip():
            raise ServiceError("An organization needs a name.")
        org.name = name.strip()
        fields.append("name")
    if description is not None and description.strip() != org.description:
        org.description = description.strip()
        fields.append("description")
    if avatars.replace_avatar(org, avatar, remove=remove_avatar):
        fields.append("avatar")
    if fields:
        org.save(update_fields=fields)
    return org


def _lock_admins(org) -> dict[int, object]:
    """Lock the org's admin rows (PostgreSQL) and return {admin's user id: their end (until,
    None: none)}, so two admins demoting each other at the same moment cannot leave the org
    without one: the second waits for the first to commit, then sees the admins that are left.
    Rows are locked in primary-key order (no deadlock between two such transactions) and only
    the membership rows are locked."""
    rows = lock_rows(OrgMembership.objects.filter(org=org, role=OrgRole.ADMIN))
    return {m.user_id: m.until for m in rows}


def refuse_losing_every_admin(
    org, admins: dict[int, object], leaving: set[int], *, ends: dict | None = None
) -> None:
    """LastAdminError when the users `leaving` stop being active Org Admins of `org` (removed,
    demoted or deactivated, all at once) and no active admin would be left: an inactive
    account cannot sign in, so it keeps nobody in charge. Likewise when the org had an admin
    whose access does not end (orgs.expiry) and none would be left, counting the new ends
    `ends` ({user id: until}) of admins who stay. `admins`: {admin's user id: until}, locked
    (`_lock_admins`). One query when an admin leaves or gets an end, none otherwise."""
    ends = ends or {}
    staying = set(admins) - leaving
    if not set(admins) & (leaving | set(ends)):
        return
    active = (
        set(User.objects.filter(pk__in=staying, is_active=True).values_list("pk", flat=True))
        if staying
        else set()
    )
    if not active:
        raise LastAdminError(org)
    lasting_before = any(until is None for until in admins.values())
    if lasting_before and not any(ends.get(uid, admins[uid]) is None for uid in active):
        raise LastAdminError(org, lasting=True)


# The user ids of at most two of the org's active Org Admins whose access does not end.
_LASTING_ADMINS_SQL = """
SELECT m.user_id FROM orgs_orgmembership m JOIN orgs_user u ON u.id = m.user_id
 WHERE m.org_id = %(org)s AND m.role = %(admin)s AND u.is_active AND m.until IS NULL
 LIMIT 2
"""


def sole_admin_id(org) -> int | None:
    """The user id of the org's only active Org Admin whose access does not end (orgs.expiry),
    or None when it has several (one query): they can't be demoted, removed or given an end."""
    # Hand-written: the ORM's build of this filter was ~1,300 Python calls, a users page's 4 %.
    with connections[router.db_for_read(OrgMembership)].cursor() as cursor:
        cursor.execute(_LASTING_ADMINS_SQL, {"org": org.pk, "admin": OrgRole.ADMIN.value})
        admins = cursor.fetchall()
    return admins[0][0] if len(admins) == 1 else None


def is_last_admin(org, user) -> bool:
    """True when `user` is the org's only lasting admin (for disabling controls before the
    click)."""
    return sole_admin_id(org) == user.pk


def require_future(until, what: str, *, now=None) -> None:
    """A new end (orgs.expiry) must be an aware datetime after `now`: ServiceError (code
    "until_past") naming `what` otherwise; ValueError for a naive datetime (a caller's bug)."""
    if timezone.is_naive(until):
        raise ValueError("until must be an aware datetime (orgs.expiry.end_of_day).")
    if until <= (now or timezone.now()):
        raise ServiceError(f"The end date for {what} must be in the future.", code="until_past")


def settle_until(grant, until, what: str, *, now=None) -> bool:
    """Give `grant` (an org, workspace or team membership, a team access) the end `until`
    (orgs.expiry.UNCHANGED keeps it; None: no end) and return whether it changed.
    ServiceError when a new end is not an aware datetime after `now`; ExpiredGrantError when
    the grant's end has passed and is not being renewed — someone editing a grant at the
    moment it expires gets that clear refusal, and nothing is saved."""
    now = now or timezone.now()
    if until is not expiry.UNCHANGED and until != grant.until:
        if until is not None:
            require_future(until, what, now=now)
        grant.until = until
        return True
    if grant.pk is not None and not expiry.is_current(grant.until, now):
        raise ExpiredGrantError(what, grant.until)
    return False


@service
def member_add(*, actor, org, user: User, role: str = OrgRole.USER, until=None) -> OrgMembership:
    """Make `user` a member of `org` with `role`, ending at `until` (None: no end)."""
    if not permissions.is_org_role(role):
        raise ServiceError(f"Unknown org role {role!r}: use admin or user.")
    lock_org(org)
    membership = OrgMembership(org=org, user=user, role=role)
    settle_until(membership, until, f"{user.email}'s membership")
    if OrgMembership.objects.filter(org=org, user=user).exists():
        raise ServiceError(f"{user.email} is already a member of {org.name}.")
    with unique_or_error(f"{user.email} is already a member of {org.name}."):
        membership.save()
    permissions.forget_access(user)
    return membership


@service
def org_role_set(*, actor, org, user: User, role: str, until=expiry.UNCHANGED) -> OrgMembership:
    """Set `user`'s Primary Role in `org` and, unless UNCHANGED, the membership's end `until`
    (None: no end). The org keeps an admin whose access does not end (LastAdminError)."""
    if not permissions.is_org_role(role):
        raise ServiceError(f"Unknown org role {role!r}: use admin or user.")
    lock_org(org)
    admins = _lock_admins(org)
    membership = lock_row(OrgMembership.objects.filter(org=org, user=user))
    if membership is None:
        raise NotOrgMemberError(user, org)
    until_changed = settle_until(membership, until, f"{user.email}'s membership of {org.name}")
    if membership.role == role and not until_changed:
        return membership
    demoted = membership.role == OrgRole.ADMIN and role != OrgRole.ADMIN
    if demoted:
        refuse_losing_every_admin(org, admins, {user.pk})
    elif role == OrgRole.ADMIN:
        refuse_losing_every_admin(org, admins, set(), ends={user.pk: membership.until})
    membership.role = role
    membership.save(update_fields=["role", "until"])
    if demoted:
        _revoke_invitations_sent_by(org, user)
    permissions.forget_access(user)
    return membership


@service
def member_remove(*, actor, org, user: User) -> None:
    """Remove a person from the org, with their workspace and team memberships in it. Grants
    lock the org first too (`require_member`), so one given at the same moment is either
    refused (it comes second) or removed here (it came first)."""
    lock_org(org)
    admins = _lock_admins(org)
    membership = lock_row(OrgMembership.objects.filter(org=org, user=user))
    if membership is None:
        raise NotOrgMemberError(user, org)
    refuse_losing_every_admin(org, admins, {user.pk})
    for grant in [
        *lock_rows(WorkspaceMembership.objects.filter(workspace__org=org, user=user)),
        *lock_rows(TeamMembership.objects.filter(team__org=org, user=user)),
    ]:
        grant.delete()
    _revoke_invitations_sent_by(org, user)
    membership.delete()
    permissions.forget_access(user)


def invitations_sent_by(org, user):
    """The pending invitations `user` sent in `org`: they lose their authority with the
    inviter's (revoked when the inviter is removed or stops being an Org Admin)."""
    return Invitation.objects.filter(org=org, invited_by=user, status=InvitationStatus.PENDING)


def _revoke_invitations_sent_by(org, user) -> None:
    for invitation in invitations_sent_by(org, user).select_for_update().order_by("pk"):
        invitation.status = InvitationStatus.REVOKED
        invitation.save(update_fields=["status"])  # logged, one entry each


def require_member(org, user) -> OrgMembership:
    """The user's org membership, locked until the transaction ends (call after `lock_org`),
    so a grant that depends on it cannot outlive it; NotOrgMemberError when there is none."""
    membership = lock_row(OrgMembership.objects.filter(org=org, user=user))
    if membership is None:
        raise NotOrgMemberError(user, org)
    return membership


# --- teams ---------------------------------------------------------------------------------


def _require_idp_for_managed(team: Team, actor) -> None:
    """The members of a team managed by the identity provider change only through SCIM (the
    actor is then the org's ScimToken); workspace access stays editable in the console."""
    from .models import ScimToken

    if team.managed_by_idp and not (isinstance(actor, ScimToken) and actor.org_id == team.org_id):
        raise ServiceError(
            f"{team.name} is managed by your identity provider: change its members there.",
            code="managed_by_idp",
        )


@service
def team_create(
    *,
    actor,
    org,
    name: str,
    description: str = "",
    managed_by_idp: bool = False,
    external_id: str = "",
) -> Team:
    """A new team. `managed_by_idp` (SCIM): its members are then set by the identity provider
    only; `external_id` is the IdP's id for the group."""
    name = name.strip()
    if not name:
        raise ServiceError("A team needs a name.")
    require_fit(Team, name=name)
    lock_org(org)
    taken = f"{org.name} already has a team called {name!r}."
    if Team.objects.filter(org=org, name_key=fold(name)).exists():
        raise ServiceError(taken, code="duplicate")
    with unique_or_error(taken):
        return Team.objects.create(
            org=org,
            name=name,
            description=description,
            managed_by_idp=managed_by_idp,
            external_id=external_id,
        )


@service
def team_update(
    *,
    actor,
    team: Team,
    name: str | None = None,
    description: str | None = None,
    avatar=None,
    remove_avatar: bool = False,
    external_id: str | None = None,
) -> Team:
    lock_org(team.org_id)
    team.refresh_from_db(fields=["name", "description", "avatar", "external_id"])
    fields = []
    if external_id is not None and external_id != team.external_id:
        team.external_id = external_id
        fields.append("external_id")
    if name is not None and name.strip() != team.name:
        name = name.strip()
        if not name:
            raise ServiceError("A team needs a name.")
        require_fit(Team, name=name)
        same = Team.objects.filter(org_id=team.org_id, name_key=fold(name))
        if same.exclude(pk=team.pk).exists():
            raise ServiceError(f"There is already a team called {name!r}.", code="duplicate")
        team.name = name
        fields.append("name")
    if description is not None and description.strip() != team.description:
        team.description = description.strip()
        fields.append("description")
    if avatars.replace_avatar(team, avatar, remove=remove_avatar):
        fields.append("avatar")
    if fields:
        with unique_or_error(f"There is already a team called {team.name!r}."):
            team.save(update_fields=fields)
    return team


@service
def team_member_add(*, actor, team: Team, user: User, until=None) -> None:
    """Add `user` to the team (the console, commands), their membership ending at `until`
    (None: no end): refuses someone already in it."""
    team_members_add(actor=actor, team=team, users=[user], strict=True, until=until)


@service
def team_members_add(
    *, actor, team: Team, users: list[User], strict: bool = False, until=None
) -> None:
    """Add several org members to a team at once (one insert, one batch of log entries):
    SCIM group pushes add hundreds. With `strict`, someone already in the team is a
    ServiceError (code "duplicate"); otherwise they are left as they are. The new memberships
    end at `until` (None: no end)."""
    lock_org(team.org_id)
    _require_idp_for_managed(team, actor)
    settle_until(TeamMembership(team=team), until, f"membership of {team.name}")
    ids = {user.pk for user in users}
    members = set(
        OrgMembership.objects.filter(org_id=team.org_id, user_id__in=ids).values_list(
            "user_id", flat=True
        )
    )
    for user in users:
        if user.pk not in members:
            raise NotOrgMemberError(user, team.org)
    if strict:
        in_team = set(
            TeamMembership.objects.filter(team=team, user_id__in=ids).values_list(
                "user_id", flat=True
            )
        )
        if in_team:
            email = next(u.email for u in users if u.pk in in_team)
            raise ServiceError(f"{email} is already in {team.name}.", code="duplicate")
    with unique_or_error(f"Someone was added to {team.name} at the same moment: try again."):
        team.members.add(*users, through_defaults={"until": until})
    for user in users:
        permissions.forget_access(user)


@service
def team_member_until_set(*, actor, team: Team, user: User, until) -> TeamMembership:
    """Set when `user`'s membership of `team` ends (None: no end). Allowed on teams managed by
    the identity provider too: the end is flowadmin's, not the IdP's."""
    lock_org(team.org_id)
    membership = lock_row(TeamMembership.objects.filter(team=team, user=user))
    if membership is None:
        raise ServiceError(f"{user.email} is not in {team.name}.", code="gone")
    if settle_until(membership, until, f"{user.email}'s membership of {team.name}"):
        membership.save(update_fields=["until"])
        permissions.forget_access(user)
    return membership


@service
def team_member_remove(*, actor, team: Team, user: User) -> None:
    _require_idp_for_managed(team, actor)
    lock_org(team.org_id)
    membership = lock_row(TeamMembership.objects.filter(team=team, user=user))
    if membership is None:
        raise ServiceError(f"{user.email} is not in {team.name}.", code="gone")
    membership.delete()
    permissions.forget_access(user)


@service
def team_delete(*, actor, team: Team) -> None:
    lock_org(team.org_id)
    if lock_row(Team.objects.filter(pk=team.pk)) is None:
        raise GoneError(f"Team {team.name}")
    avatars.replace_avatar(team, remove=True)  # the file goes once the deletion commits
    team.delete()


# --- domains -------------------------------------------------------------------------------


def _valid_host(hostname: str) -> str:
    """`hostname` as domains.validate_hostname cleans it; ServiceError with its message."""
    try:
        return domains.validate_hostname(hostname)
    except ValidationError as error:
        raise ServiceError(error.messages[0]) from None


@service
def domain_add(*, actor, org, hostname: str, workspace=None) -> Domain:
    """Add a custom domain to the org (or as a workspace's own whitelabel domain)."""
    host = _valid_host(hostname)
    if workspace is not None and workspace.org_id != org.pk:
        raise ServiceError("A workspace can only add domains to its own org.")
    lock_org(org)
    refuse_domain_claim(org, host)
    # Added or verified by someone else at this very moment: the unique constraints judge.
    with unique_or_error(domains.CLAIM_REFUSED.format(host=host), code="taken"):
        return Domain.objects.create(org=org, hostname=host, workspace=workspace)


@service
def domain_add_verified(*, actor, org, hostname: str) -> Domain:
    """`hostname` as a verified domain of `org` without looking up its TXT record: for an
    operator who checked it otherwise (`sso_demo` covers the demo's acme.test). The org's own
    claim is marked verified (none is added twice), a pending one whose time ran out too;
    refused when another org verified it."""
    host = _valid_host(hostname)
    lock_org(org)
    domain = lock_row(Domain.objects.filter(org=org, hostname__iexact=host))
    if domain is not None and domain.is_verified:
        return domain
    refuse_verified_elsewhere(host)
    return _domain_mark_verified(domain or Domain(org=org, hostname=host))


def refuse_domain_claim(org, host: str) -> None:
    """ServiceError when `org` cannot claim `host`: it has it already, or another org verified
    it. Another org's pending claim blocks nothing, and the message never says whose it is."""
    claims = Domain.objects.filter(hostname__iexact=host)
    if claims.filter(org=org).exists():
        raise ServiceError(f"{org.name} already has {host}.", code="duplicate")
    refuse_verified_elsewhere(host)


def refuse_verified_elsewhere(host: str) -> None:
    """ServiceError when a domain `host` is verified (by another org, when the caller checked
    its own org's claim first), without saying whose."""
    if Domain.objects.filter(hostname__iexact=host, status=DomainStatus.VERIFIED).exists():
        raise ServiceError(domains.CLAIM_REFUSED.format(host=host), code="taken")


def _domain_mark_verified(domain: Domain) -> Domain:
    """Save `domain` verified now (the unique constraint refuses it when another org verified
    the hostname meanwhile), and forget its host's cached answer once that commits."""
    domain.status = DomainStatus.VERIFIED
    domain.verified_at = timezone.now()
    with unique_or_error(domains.CLAIM_REFUSED.format(host=domain.hostname), code="taken"):
        domain.save(update_fields=["status", "verified_at"] if domain.pk else None)
    _forget_verified_host(domain.hostname)
    return domain


def _forget_verified_host(hostname: str) -> None:
    """Delete the cached "is `hostname` a verified domain" (flowadmin.middleware.
    is_verified_domain) once the transaction commits: a host just verified serves its short
    links at once instead of 400 for up to a minute, and one just removed stops at once."""
    key = hosts.verified_domain_cache_key(hostname)
    transaction.on_commit(lambda: cache.delete(key))


@service
def domain_verify(*, actor, domain: Domain) -> Domain:
    """Look for the verification TXT record; mark the domain verified when it is there."""
    lock_org(domain.org_id)
    domain.refresh_from_db(fields=["status", "verified_at"])
    if domain.is_verified:
        return domain
    if domain.claim_expired:
        raise ServiceError(
            f"The claim on {domain.hostname} expired: remove it and add the domain again.",
            code="expired",
        )
    records = domains.lookup_txt(domain.txt_record_name)
    if domain.verification_token not in records:
        raise ServiceError(
            f"No TXT record {domain.verification_token!r} found at {domain.txt_record_name} yet. "
            "DNS changes can take a while to appear; try again later."
        )
    return _domain_mark_verified(domain)


@service
def domain_claims_expire(*, actor, now=None) -> int:
    """Remove pending domain claims older than settings.DOMAIN_CLAIM_TTL_DAYS, each through
    domain_remove (logged). Returns how many."""
    cutoff = (now or timezone.now()) - timedelta(days=settings.DOMAIN_CLAIM_TTL_DAYS)
    overdue = Domain.objects.filter(status=DomainStatus.PENDING, created_at__lte=cutoff)
    count = 0
    for domain in overdue.order_by("pk"):
        domain_remove(actor=actor, domain=domain)
        count += 1
    return count


@service
def domain_remove(*, actor, domain: Domain) -> None:
    """Remove a domain. Workspaces using it go back to the default host and SSO stops covering
    it — each change saved on its own so the activity log records it (the database's
    SET NULL / cascade would change them silently)."""
    lock_org(domain.org_id)
    if lock_row(Domain.objects.filter(pk=domain.pk)) is None:
        raise GoneError(f"The domain {domain.hostname}")
    for workspace in Workspace.objects.filter(whitelabel_domain=domain):
        workspace.whitelabel_domain = None
        workspace.save(update_fields=["whitelabel_domain"])
    for sso in domain.sso_configurations.all():
        sso.domains.remove(domain)
    domain.delete()
    _forget_verified_host(domain.hostname)


# --- integrations --------------------------------------------------------------------------


def _split_settings(app, values: dict, *, existing_secrets: dict | None = None):
    config, secrets_ = {}, dict(existing_secrets or {})
    for setting in app.fields:
        value = (values.get(setting.name) or "").strip()
        if setting.secret:
            if value:
                secrets_[setting.name] = value  # blank keeps the stored secret
        else:
            config[setting.name] = value
        if setting.required and not (config.get(setting.name) or secrets_.get(setting.name)):
            raise ServiceError(f"{setting.label} is required.", code="required")
    return config, secrets_


@service
def integration_install(
    *, actor, org, app_key: str, values: dict, workspace=None
) -> IntegrationInstallation:
    app = integrations.get_app(app_key)
    if app is None:
        raise ServiceError(f"Unknown app {app_key!r}.")
    if workspace is not None and workspace.org_id != org.pk:
        raise ServiceError("A workspace can only install apps in its own org.")
    lock_org(org)
    scope = IntegrationInstallation.objects.filter(org=org, workspace=workspace, app=app_key)
    where = workspace.name if workspace else org.name
    if scope.exists():
        raise ServiceError(f"{app.name} is already installed in {where}.")
    config, secrets_ = _split_settings(app, values)
    with unique_or_error(f"{app.name} is already installed in {where}."):
        return IntegrationInstallation.objects.create(
            org=org,
            workspace=workspace,
            app=app_key,
            config=config,
            secrets_encrypted=crypto.encrypt_json(secrets_),
            installed_by=actor,
        )


@service
def integration_update(
    *, actor, installation: IntegrationInstallation, values: dict
) -> IntegrationInstallation:
    lock_org(installation.org_id)
    installation.refresh_from_db(fields=["config", "secrets_encrypted"])
    app = integrations.get_app(installation.app)
    config, secrets_ = _split_settings(app, values, existing_secrets=installation.secrets())
    installation.config = config
    installation.secrets_encrypted = crypto.encrypt_json(secrets_)
    installation.save()
    return installation


@service
def integration_set_enabled(
    *, actor, installation: IntegrationInstallation, enabled: bool
) -> IntegrationInstallation:
    lock_org(installation.org_id)
    installation.refresh_from_db(fields=["enabled"])
    if installation.enabled != enabled:
        installation.enabled = enabled
        installation.save(update_fields=["enabled", "updated_at"])
    return installation


@service
def integration_uninstall(*, actor, installation: IntegrationInstallation) -> None:
    lock_org(installation.org_id)
    if lock_row(IntegrationInstallation.objects.filter(pk=installation.pk)) is None:
        raise GoneError(f"The {installation.app} installation")
    installation.delete()


# --- SSO -----------------------------------------------------------------------------------


def sso_url(value: str) -> str:
    """An IdP URL: https://, or http:// to a loopback host when settings.SSO_ALLOW_HTTP_LOOPBACK
    (tests, `make sso-demo`). Raises ServiceError."""
    from django.conf import settings
    from django.core.validators import URLValidator

    from .sso import is_loopback

    value = (value or "").strip()
    schemes = ["https"]
    if settings.SSO_ALLOW_HTTP_LOOPBACK and is_loopback(value):
        schemes.append("http")
    try:
        URLValidator(schemes=schemes)(value)
    except ValidationError:
        raise ServiceError(
            f"The metadata / discovery URL must be an https:// URL, not {value!r}."
        ) from None
    return value


@service
def sso_configure(
    *,
    actor,
    org,
    protocol: str,
    entity_id: str,
    metadata_url: str,
    enforced: bool = False,
    hostnames: list[str] | None = None,
    client_id: str | None = None,
    client_secret: str | None = None,
    idp_certificate: str | None = None,
) -> SSOConfiguration:
    """Create or replace the org's SSO configuration. The domains it covers must be verified
    domains of the org. `client_id`/`client_secret`: what the OIDC IdP issued (the secret is
    stored encrypted; None or "" keeps the stored one). `idp_certificate`: a SAML IdP signing
    certificate (PEM), stored encrypted too. Used by the `set_sso` command, `make sso-demo` and
    the Django admin site."""
    if protocol not in SSOProtocol.values:
        raise ServiceError(f"Unknown SSO protocol {protocol!r}: use saml or oidc.")
    entity_id = (entity_id or "").strip()
    if not entity_id:
        raise ServiceError("Give the IdP entity id (SAML) or issuer URL (OIDC).")
    metadata_url = sso_url(metadata_url)
    require_fit(SSOConfiguration, entity_id=entity_id, metadata_url=metadata_url)
    lock_org(org)
    covered = sso_domains(org, hostnames or [])
    existing = SSOConfiguration.objects.filter(org=org).first()
    secrets_ = existing.secrets() if existing and existing.protocol == protocol else {}
    if client_secret:
        secrets_["client_secret"] = client_secret.strip()
    if idp_certificate:
        secrets_["x509cert"] = idp_certificate.strip()
    defaults = {
        "protocol": protocol,
        "entity_id": entity_id,
        "metadata_url": metadata_url,
        "enforced": enforced,
        "secrets_encrypted": crypto.encrypt_json(secrets_),
    }
    if client_id is not None:
        defaults["client_id"] = client_id.strip()
    sso, _ = SSOConfiguration.objects.update_or_create(org=org, defaults=defaults)
    sso.domains.set(covered)
    if sso.enforced:
        _end_sessions_not_through(sso, newly_enforced=not (existing and existing.enforced))
    return sso


def _end_sessions_not_through(sso: SSOConfiguration, *, newly_enforced: bool) -> int:
    """End every open session of the people `sso` covers that did not sign in through its IdP
    (orgs.sso.sessions_not_through): enforcement applies to them now, not at their next
    password sign-in. Logged as one "sso" entry with the count when enforcement has just
    been turned on or any session was ended. Returns how many were ended."""
    from .sso import sessions_not_through

    ended = sessions_not_through(sso)
    for session in ended:
        session.end()
    if ended or newly_enforced:
        _record_sso_event(sso, "sessions ended (not signed in through SSO)", len(ended))
    return len(ended)


def _record_sso_event(sso: SSOConfiguration, what: str, value) -> None:
    """One "sso" entry in the org's log (for the current actor): {what: [None, value]}."""
    from audit.recording import record

    record(
        action="updated",
        org=sso.org,
        entity_type="sso",
        entity_id=sso.pk,
        entity_label=f"SSO ({sso.get_protocol_display()})",
        changes={what: [None, value]},
    )


@service
def sso_break_glass(*, actor: User, sso: SSOConfiguration) -> None:
    """Log an operator's password sign-in to /admin/ (the break-glass path) although `sso`
    enforces SSO for their email: one "sso" entry in that org's log naming `actor`."""
    _record_sso_event(sso, "break-glass admin sign-in", actor.email)


@service
def two_factor_changed(*, actor: User, change: str) -> int:
    """Log a change `actor` made to their own two-factor authentication (`change`, e.g.
    "TOTP added", "WebAuthn removed": made by django-allauth's views, reported by its signals)
    in the log of every org they belong to, naming them as actor. Returns the entries written."""
    from audit.recording import record

    memberships = actor.org_memberships.select_related("org")
    for membership in memberships:
        record(
            action="updated",
            org=membership.org,
            entity_type="two_factor",
            entity_id=actor.pk,
            entity_label=actor.email,
            changes={"two-factor authentication": [None, change]},
        )
    return len(memberships)


@service
def org_set_require_two_factor(*, actor, org, required: bool) -> Organization:
    """Turn the org's "Require two-factor authentication" on or off (logged as an org change).

    Sessions already open are not ended: from their next request into the org, members
    without a second factor are sent to enrol (orgs.decorators.entry_gate → orgs.two_factor),
    and enrolling asks for the password again when the sign-in is older than
    ACCOUNT_REAUTHENTICATION_TIMEOUT, so an old session cannot go on without its owner.
    Turning it on also logs how many members had no second factor then (one "two_factor"
    entry)."""
    from audit.recording import record

    from .two_factor import second_factor_exists

    if org.require_two_factor == required:
        return org
    org.require_two_factor = required
    org.save(update_fields=["require_two_factor"])
    if required:
        without = (
            OrgMembership.objects.filter(org=org).exclude(second_factor_exists("user")).count()
        )
        record(
            action="updated",
            org=org,
            entity_type="two_factor",
            entity_id=org.pk,
            entity_label=org.name,
            changes={"members to enrol at their next request": [None, without]},
        )
    return org


def sso_domains(org, hostnames) -> list[Domain]:
    """The org's verified domains named in `hostnames`; a ServiceError names the first that is
    not one."""
    wanted = [domains.normalize_hostname(h) for h in hostnames]
    found = {d.hostname: d for d in Domain.objects.filter(org=org, hostname__in=wanted)}
    for host in wanted:
        domain = found.get(host)
        if domain is None:
            raise ServiceError(f"{host} is not a domain of {org.name}: add it under Domains first.")
        if not domain.is_verified:
            raise ServiceError(f"{host} is not verified yet: verify it before SSO can cover it.")
    return list(found.values())


@service
def sso_remove(*, actor, org) -> None:
    lock_org(org)
    sso = lock_row(SSOConfiguration.objects.filter(org=org))
    if sso is None:
        raise ServiceError(f"{org.name} has no SSO configuration.")
    sso.delete()
