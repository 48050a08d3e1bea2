"""`{% avatar obj size="lg" label=True %}`: an org's, team's or workspace's avatar as markup (its
image, or its initials when none is set; components/avatar.html). `avatar_html()` is the same
markup for rows built in Python (the dashboard's workspace table)."""

import posixpath

from django import template
from django.urls import reverse
from django.utils.html import format_html

from orgs import names
from orgs.models import Organization, Team
from workspaces.models import Workspace

register = template.Library()

KINDS = {Organization: "org", Team: "team", Workspace: "workspace"}


def image_url(obj, current_org=None) -> str:
    """Where `obj`'s avatar is served, "" when it has none. `current_org`: the request's org,
    already loaded; only an object of another org costs a query (for its slug)."""
    kind = KINDS.get(type(obj))
    if kind is None or not obj.avatar:
        return ""
    if kind == "org":
        org_slug = obj.slug
    else:
        same_org = current_org is not None and current_org.pk == obj.org_id
        org_slug = current_org.slug if same_org else obj.org.slug
    filename = posixpath.basename(obj.avatar.name)
    return reverse(
        "orgs:avatar",
        kwargs={"org_slug": org_slug, "kind": kind, "pk": obj.pk, "filename": filename},
    )


def avatar_html(obj, current_org=None, *, size: str = "", label: bool = False) -> str:
    """The avatar as safe markup: 32 px (size "lg": 64 px), decorative unless `label` (then the
    image's alt text, or the initials' label, is the name)."""
    classes = f"avatar {size}" if size else "avatar"
    src = image_url(obj, current_org)
    if src:
        pixels = 64 if size == "lg" else 32
        return format_html(
            '<img class="{}" src="{}" alt="{}" width="{}" height="{}" loading="lazy">',
            classes,
            src,
            obj.name if label else "",
            pixels,
            pixels,
        )
    text = names.initials(obj.name)
    if label:
        return format_html(
            '<span class="{}" role="img" aria-label="{}">{}</span>', classes, obj.name, text
        )
    return format_html('<span class="{}" aria-hidden="true">{}</span>', classes, text)


def _request_org(context):
    return getattr(context.get("request"), "org", None)


@register.simple_tag(takes_context=True)
def avatar(context, obj, size="", label=False):
    return avatar_html(obj, _request_org(context), size=size or "", label=bool(label))
