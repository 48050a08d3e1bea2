"""`{{ page.object_list|member_rows }}`: the users page's table rows (see orgs.member_rows)."""

from django import template

from orgs import member_rows as rows

register = template.Library()


@register.filter
def member_rows(page_rows):
    """The rows of the users page's table, as HTML (orgs.member_rows.rows_html)."""
    return rows.rows_html(page_rows)
