"""{% load activity %}{% activity_url org entity="flow" id=flow.pk %}: a link to the org's
activity log with filters (see audit.filters.activity_url), for the dashboard and entity pages;
`{{ entries|activity_rows }}` and `{{ names|datalist_options }}` for the activity page."""

from html import escape

from django import template
from django.utils.safestring import mark_safe

from audit import display
from audit.filters import activity_url as build_activity_url

register = template.Library()


@register.simple_tag
def activity_url(org, **filters):
    return build_activity_url(org, **filters)


@register.filter
def activity_rows(entries):
    """The activity table's rows for a page of entries (see audit.display.rows_html)."""
    return display.rows_html(entries)


# Between two values while they are escaped together: PostgreSQL text cannot hold it, and Django's
# form fields refuse it (ProhibitNullCharactersValidator), so no stored name contains it.
_SEPARATOR = "\x00"


@register.filter
def datalist_options(values):
    """`<option value="…"></option>` for each value, escaped: a datalist of hundreds of names
    in one call rather than a template loop, the names escaped in one `html.escape` call (five
    `str.replace` over the joined text, not five a name)."""
    values = [str(value) for value in values]
    if not values:
        return mark_safe("")
    if any(_SEPARATOR in value for value in values):  # never stored: escape one by one
        return mark_safe("".join(f'<option value="{escape(value)}"></option>' for value in values))
    options = escape(_SEPARATOR.join(values)).replace(_SEPARATOR, '"></option><option value="')
    return mark_safe(f'<option value="{options}"></option>')
