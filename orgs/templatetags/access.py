"""Template helpers that ask the permission policy (never compare role strings in templates)."""

from django import template

from orgs import expiry, names, permissions
from orgs.roles import FLAG_LABELS

register = template.Library()


@register.filter
def can(access, capability):
    """`{% if request.workspace_access|can:"ws.manage_flows" %}` — works for OrgAccess and
    WorkspaceAccess alike; None (no access) is always False."""
    return bool(access and access.can(capability))


@register.simple_tag(takes_context=True)
def user_can(context, capability, obj):
    """`{% user_can "ws.manage_flows" workspace as allowed %}` through user.has_perm."""
    return context["request"].user.has_perm(capability, obj)


@register.filter
def requirement(capability):
    """The sentence naming the role or flag that would allow `capability`."""
    return permissions.requirement(capability)


@register.filter
def flag_label(flag):
    return FLAG_LABELS.get(flag, flag)


@register.filter
def startswith(value, prefix):
    return str(value).startswith(str(prefix))


@register.filter
def initials(name):
    """Default avatar text: up to two initials (orgs.names.initials)."""
    return names.initials(name)


@register.filter
def until(end):
    """ " until 12 Jan" for a grant ending at `end` (orgs.expiry; the last day it counts), ""
    when it does not end: `{{ role_label }}{{ grant.until|until }}` reads "Editor until 12 Jan"."""
    return expiry.until_text(end)


@register.filter
def last_day(end):
    """The last day (a date, in TIME_ZONE) a grant ending at `end` counts, None when it does
    not end (orgs.expiry.last_day): `{{ grant.until|last_day|date:"F j, Y" }}`."""
    return expiry.last_day(end)
