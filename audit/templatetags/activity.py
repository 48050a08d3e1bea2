"""{% load activity %}{% activity_url org entity="flow" id=flow.pk %}: a link to the org's
activity log with filters (see audit.filters.activity_url), for the dashboard and entity pages."""

from django import template

from audit.filters import activity_url as build_activity_url

register = template.Library()


@register.simple_tag
def activity_url(org, **filters):
    return build_activity_url(org, **filters)
