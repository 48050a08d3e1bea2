"""Reads that views, templates and commands share."""

from django.db import connections, router
from django.db.models import Q

from flowadmin.database import in_ids
from flowadmin.model_rows import ModelRows
from workspaces.models import TeamAccess, Workspace

from . import permissions
from .models import (
    Domain,
    IntegrationInstallation,
    Organization,
    ScimToken,
    SSOConfiguration,
    TeamMembership,
    User,
)

# Where user_orgs() keeps its answer on the user: (the access it was read for, the orgs).
_ORGS_ATTR = "_flowadmin_orgs"


def user_orgs(user):
    """The orgs the user belongs to, with their access (ordered by name; each org's SSO
    settings loaded): one query, read once for the user's loaded access (so the org a page is
    under and the org switcher share it; a new access, after forget_access, reads them anew)."""
    access = permissions.all_access(user)
    if not access:
        return []
    cached = getattr(user, _ORGS_ATTR, None)
    if cached is not None and cached[0] is access:
        return cached[1]
    orgs = [(org, access[org.pk]) for org in orgs_with_sso(access)]
    setattr(user, _ORGS_ATTR, (access, orgs))
    return orgs


_ORG_ROWS = ModelRows(Organization)
_SSO_ROWS = ModelRows(SSOConfiguration)


def orgs_with_sso(org_ids) -> list[Organization]:
    """The orgs of `org_ids` ordered by name, each with its SSO settings loaded (`org.sso`, or
    SSOConfiguration.DoesNotExist, without a query): what
    `Organization.objects.select_related("sso").filter(pk__in=org_ids)` returns, in one query
    written once rather than built by the ORM on every request (flowadmin.model_rows)."""
    org_ids = sorted({int(pk) for pk in org_ids})
    if not org_ids:
        return []
    connection = connections[router.db_for_read(Organization)]
    quote = connection.ops.quote_name
    pk = quote(Organization._meta.pk.column)
    sso_org = SSOConfiguration._meta.get_field("org").column
    sql = (
        f"SELECT {_ORG_ROWS.columns(connection, 'o')}, {_SSO_ROWS.columns(connection, 's')}"
        f" FROM {quote(Organization._meta.db_table)} o"
        f" LEFT JOIN {quote(SSOConfiguration._meta.db_table)} s ON s.{quote(sso_org)} = o.{pk}"
        f" WHERE o.{pk} IN ({', '.join(['%s'] * len(org_ids))}) ORDER BY o.{quote('name')}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, org_ids)
        rows = cursor.fetchall()
    to_org = SSOConfiguration._meta.get_field("org")
    orgs = []
    for row in rows:
        org = _ORG_ROWS.instance(connection, row)
        sso = None
        if row[_ORG_ROWS.width] is not None:  # the SSO settings' id: the org has some
            sso = _SSO_ROWS.instance(connection, row, _ORG_ROWS.width)
            to_org.set_cached_value(sso, org)
        to_org.remote_field.set_cached_value(org, sso)
        orgs.append(org)
    return orgs


def first_visible_workspaces(user, org, limit: int) -> list[tuple[int, str, str]]:
    """The first `limit` workspaces of `org` the user can see and enter (all of them for an Org
    Admin, none for a non-member), by name, as (id, name, slug): the sidebar's list on every
    page, by one SELECT written once (the ORM would build it anew on every request, ~0.6 ms of
    Python) from the database the ORM reads workspaces from."""
    access = permissions.org_access(user, org)
    if not access.is_member:
        return []
    ids = [] if access.sees_every_workspace else sorted(access.workspace_ids)
    if not access.sees_every_workspace and not ids:
        return []
    connection = connections[router.db_for_read(Workspace)]
    q = connection.ops.quote_name
    only = f" AND {q('id')} IN ({', '.join(['%s'] * len(ids))})" if ids else ""
    sql = (
        f"SELECT {q('id')}, {q('name')}, {q('slug')} FROM {q(Workspace._meta.db_table)}"
        f" WHERE {q('org_id')} = %s{only} ORDER BY {q('name')} LIMIT %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [org.pk, *ids, limit])
        return cursor.fetchall()


def home_listing(user):
    """[(org, org_access, [(workspace, workspace_access), ...]), ...] in two queries."""
    orgs = user_orgs(user)
    if not orgs:
        return []
    by_org = {org.pk: [] for org, _ in orgs}
    access = permissions.all_access(user)
    for ws in Workspace.objects.filter(org__in=by_org).order_by("name"):
        ws_access = access[ws.org_id].workspace(ws.pk)
        if ws_access:
            by_org[ws.org_id].append((ws, ws_access))
    return [(org, org_acc, by_org[org.pk]) for org, org_acc in orgs]


def workspace_names(org_id: int, ids) -> dict[int, str]:
    """{id: name} of the workspaces `ids` of the org `org_id` (others' ids left out), in name
    order: one query, none for no ids."""
    ids = sorted(i for i in ids if i is not None)
    if not ids:
        return {}
    with connections[router.db_for_read(Workspace)].cursor() as cursor:
        cursor.execute(
            "SELECT id, name FROM workspaces_workspace"
            f" WHERE org_id = %(org)s AND {in_ids('id', ids)} ORDER BY name",
            {"org": org_id},
        )
        return dict(cursor.fetchall())


def org_workspaces(org):
    """The org's workspaces by name (a queryset)."""
    return Workspace.objects.filter(org=org).order_by("name", "pk")


# --- teams ---------------------------------------------------------------------------------

TEAM_MEMBER_OPTIONS = 50  # email suggestions offered in a team's "add member" field


def team_member_candidates(team, query: str = "", *, limit: int = TEAM_MEMBER_OPTIONS):
    """Org members not yet in the team whose email or name contains `query` (case- and
    width-folded), by email: the first `limit` (a queryset, read when iterated)."""
    users = (
        User.objects.filter(org_memberships__org_id=team.org_id)
        .exclude(team_memberships__team=team)
        .order_by("email")
    )
    if query:
        users = users.filter(Q(email__fold_contains=query) | Q(full_name__fold_contains=query))
    return users.only("email", "full_name")[:limit]


def team_memberships(team):
    """The team's memberships by their user's email, each with its user's email and name and
    its end (a queryset, to paginate)."""
    return (
        TeamMembership.objects.filter(team=team)
        .select_related("user")
        .only("until", "user__email", "user__full_name")
        .order_by("user__email")
    )


def team_grants(team):
    """The team's workspace access, each with its workspace, by workspace name (a queryset)."""
    return (
        TeamAccess.objects.filter(team=team).select_related("workspace").order_by("workspace__name")
    )


# --- settings ------------------------------------------------------------------------------


def org_installations(org) -> dict[str, IntegrationInstallation]:
    """The org-wide app installations, by app key."""
    return {i.app: i for i in IntegrationInstallation.objects.filter(org=org, workspace=None)}


def org_installation(org, app_key: str) -> IntegrationInstallation | None:
    """The org-wide installation of the app `app_key`, or None."""
    return IntegrationInstallation.objects.filter(org=org, workspace=None, app=app_key).first()


def sso_configuration(org) -> SSOConfiguration | None:
    """The org's SSO configuration with its domains loaded, or None."""
    return (
        SSOConfiguration.objects.filter(org=org)
        .select_related("org")
        .prefetch_related("domains")
        .first()
    )


def org_domains(org):
    """The org's domains by hostname, each with the workspace that added it (a queryset, to
    paginate)."""
    return Domain.objects.filter(org=org).select_related("workspace").order_by("hostname")


def workspaces_using(domain):
    """The workspaces that use `domain` as their whitelabel domain, by name (a queryset)."""
    return Workspace.objects.filter(whitelabel_domain=domain).order_by("name")


def sso_covered_hostnames(workspace):
    """The hostnames of the domains the workspace added that SSO covers (a queryset)."""
    return (
        Domain.objects.filter(workspace=workspace, sso_configurations__isnull=False)
        .values_list("hostname", flat=True)
        .distinct()
    )


def scim_tokens(org):
    """The org's SCIM tokens, each with who created it (a queryset)."""
    return ScimToken.objects.filter(org=org).select_related("created_by")
