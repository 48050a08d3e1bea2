"""{% grant_editor fields who %}: a list row's grant editor (workspaces.forms.grants)."""

from django import template

from workspaces.forms.grants import grant_editor as editor_html

register = template.Library()


@register.simple_tag(takes_context=True)
def grant_editor(context, fields, who):
    """The row's editor with the page's CSRF token (the one {% csrf_token %} prints)."""
    token = str(context.get("csrf_token") or "")
    return editor_html(fields, who, "" if token == "NOTPROVIDED" else token)
