"""{% load activity %}{% activity_url org entity="flow" id=flow.pk %}: a link to the org's
activity log with filters (see audit.filters.activity_url), for the dashboard and entity pages;
`{{ entries|activity_rows }}`, `{{ names|datalist_options }}`
for the activity pages."""

from django import template
from django.utils.safestring import mark_safe

from audit import display
from audit.filters import activity_url as build_activity_url
from flowadmin.escaping import escape

register = template.Library()


@register.simple_tag
def activity_url(org, **filters):
    return build_activity_url(org, **filters)


@register.filter
def activity_rows(entries):
    """The activity table's rows for a page of entries (see audit.display.rows_html)."""
    return display.rows_html(entries)


@register.filter
def datalist_options(values):
    """`<option value="…"></option>` for each value (str() of it, escaped with
    flowadmin.escaping.escape): a datalist of names in one call rather than a template loop."""
    return mark_safe("".join(f'<option value="{escape(str(value))}"></option>' for value in values))
