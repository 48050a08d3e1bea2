"""{% grant_editor fields who [remove_url=…] %}: the one grant editor (workspaces.forms.grants:
the profile, the team page, Manage → Members and Teams), {% grant_add form who
[defaults_id=…] %} and {% grant_defaults_note id %}: an add form's target and that editor
(workspaces.forms.grants.GrantAddForm) and the note of what a role brings,
{% access_table_row row notice %}: a Manage → Members row (workspaces.access_table), and
{% access_table_rows rows %}: a page of them, all formatted in Python with the page's CSRF token."""

from django import template
from django.utils.safestring import mark_safe

from workspaces.access_table import access_table_row as row_html
from workspaces.forms.grants import defaults_note_html
from workspaces.forms.grants import grant_add as add_html
from workspaces.forms.grants import grant_editor as editor_html

register = template.Library()


def _csrf_token(context) -> str:
    """The token {% csrf_token %} prints ("" without one)."""
    token = str(context.get("csrf_token") or "")
    return "" if token == "NOTPROVIDED" else token


@register.simple_tag(takes_context=True)
def grant_editor(context, fields, who, remove_url=""):
    return editor_html(fields, who, _csrf_token(context), remove_url=remove_url)


@register.simple_tag(takes_context=True)
def grant_add(context, form, who, defaults_id=""):
    return add_html(form, who, _csrf_token(context), defaults_id=defaults_id)


@register.simple_tag
def grant_defaults_note(note_id):
    """The one note of what a role brings, for a page with a list of add forms."""
    return defaults_note_html(note_id)


@register.simple_tag(takes_context=True)
def access_table_row(context, row, notice=""):
    """ "" when the row is gone (the member lost access meanwhile)."""
    if not row:
        return ""
    return row_html(row, notice or "", _csrf_token(context))


@register.simple_tag(takes_context=True)
def access_table_rows(context, rows):
    """The rows of a page, one after the other: one tag, not an {% access_table_row %} per row
    (~70 Python calls of the template engine each)."""
    token = _csrf_token(context)
    return mark_safe("".join(row_html(row, "", token) for row in rows))  # noqa: S308 — escaped rows
