"""The workspace a URL names (/orgs/<org>/w/<workspace>/…), read on every workspace page by
workspaces.decorators.workspace_view."""

from __future__ import annotations

from django.db import connections, router

from flowadmin.model_rows import ModelRows
from orgs.models import Domain, Organization, SSOConfiguration

from ..models import Workspace

_WORKSPACE = ModelRows(Workspace)
_ORG = ModelRows(Organization)
_SSO = ModelRows(SSOConfiguration)
_DOMAIN = ModelRows(Domain)


def workspace_by_slugs(org_slug: str, ws_slug: str) -> Workspace | None:
    """The workspace `ws_slug` of the org `org_slug` with its org, the org's SSO settings and
    its whitelabel domain loaded (`workspace.org`, `org.sso` — or
    SSOConfiguration.DoesNotExist —, `workspace.whitelabel_domain` or None, without a query),
    or None: what `Workspace.objects.select_related("org__sso", "whitelabel_domain")
    .filter(org__slug=org_slug, slug=ws_slug).first()` returns, in one query written once
    (the ORM built it anew on every workspace page, ~1 ms of Python; flowadmin.model_rows)."""
    connection = connections[router.db_for_read(Workspace)]
    q = connection.ops.quote_name
    sql = (
        f"SELECT {_WORKSPACE.columns(connection, 'w')}, {_ORG.columns(connection, 'o')},"
        f" {_SSO.columns(connection, 's')}, {_DOMAIN.columns(connection, 'd')}"
        f" FROM {q(Workspace._meta.db_table)} w"
        f" JOIN {q(Organization._meta.db_table)} o ON o.{q('id')} = w.{q('org_id')}"
        f" LEFT JOIN {q(SSOConfiguration._meta.db_table)} s ON s.{q('org_id')} = o.{q('id')}"
        f" LEFT JOIN {q(Domain._meta.db_table)} d"
        f" ON d.{q('id')} = w.{q('whitelabel_domain_id')}"
        f" WHERE o.{q('slug')} = %s AND w.{q('slug')} = %s"  # one at most: unique slugs
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [org_slug, ws_slug])
        row = cursor.fetchone()
    if row is None:
        return None
    workspace = _WORKSPACE.instance(connection, row)
    start = _WORKSPACE.width
    org = _ORG.instance(connection, row, start)
    start += _ORG.width
    sso = _SSO.instance(connection, row, start) if row[start] is not None else None
    start += _SSO.width
    domain = _DOMAIN.instance(connection, row, start) if row[start] is not None else None
    to_org = SSOConfiguration._meta.get_field("org")
    if sso is not None:
        to_org.set_cached_value(sso, org)
    to_org.remote_field.set_cached_value(org, sso)
    Workspace._meta.get_field("org").set_cached_value(workspace, org)
    Workspace._meta.get_field("whitelabel_domain").set_cached_value(workspace, domain)
    return workspace
