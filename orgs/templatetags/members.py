"""The users page's markup formatted in Python (see orgs.members_table):
`{{ page.object_list|members_table_rows }}`, its table rows, and
`{% member_filter id name label choices selected %}`, one of its filters."""

from django import template

from orgs import members_table as rows

register = template.Library()


@register.filter
def members_table_rows(page_rows):
    """The rows of the users page's table, as HTML (orgs.members_table.rows_html)."""
    return rows.rows_html(page_rows)


@register.simple_tag(takes_context=True)
def member_filter(context, id, name, label, choices, selected):
    """A filter <select> of the users page (orgs.members_table.filter_html), reloading the list
    at the request's path."""
    return rows.filter_html(context["request"].path, id, name, label, choices, selected)
