"""{% load undo %}: `message|undo_token` — the undo token a success message carries (orgs.undo),
for the Undo button of templates/components/messages.html."""

from django import template

from orgs import undo

register = template.Library()


@register.filter
def undo_token(message) -> str:
    return undo.token_of(message)
