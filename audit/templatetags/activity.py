"""{% load activity %}{% activity_url org entity="flow" id=flow.pk %}: a link to the org's
activity log with filters (see audit.filters.activity_url), for the dashboard and entity pages."""

from django import template
from django.utils.html import format_html

from audit.filters import activity_url as build_activity_url

register = template.Library()


@register.simple_tag
def activity_url(org, **filters):
    return build_activity_url(org, **filters)


@register.filter
def breakable_email(email):
    """An email that may wrap only before its "@" (never mid-word): `ada<wbr>@acme.test`."""
    local, at, domain = str(email or "").partition("@")
    if not at:
        return email
    return format_html("{}<wbr>@{}", local, domain)
