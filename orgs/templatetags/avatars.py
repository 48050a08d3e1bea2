"""`{% avatar_url obj as url %}`: where an org's, team's or workspace's avatar is served
(orgs.views.avatars), or "" when it has none (components/avatar.html shows initials then)."""

import posixpath

from django import template
from django.urls import reverse

from orgs.models import Organization, Team
from workspaces.models import Workspace

register = template.Library()

KINDS = {Organization: "org", Team: "team", Workspace: "workspace"}


@register.simple_tag(takes_context=True)
def avatar_url(context, obj):
    kind = KINDS.get(type(obj))
    if kind is None or not obj.avatar:
        return ""
    if kind == "org":
        org_slug = obj.slug
    else:
        # The request's org is already loaded; only an object of another org costs a query.
        current = getattr(context.get("request"), "org", None)
        same_org = current is not None and current.pk == obj.org_id
        org_slug = current.slug if same_org else obj.org.slug
    filename = posixpath.basename(obj.avatar.name)
    return reverse(
        "orgs:avatar",
        kwargs={"org_slug": org_slug, "kind": kind, "pk": obj.pk, "filename": filename},
    )
