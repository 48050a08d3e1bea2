"""`{% nav_url name org_slug [ws_slug] %}`: a console URL (one of flowadmin.nav_urls.NAV_NAMES)
from the URLs reversed once per URL configuration, for links drawn on every page or many times
a page (the org switcher, the activity pages' tabs) instead of a {% url %} reverse each."""

from django import template

from flowadmin import nav_urls

register = template.Library()


@register.simple_tag
def nav_url(name: str, org_slug: str, ws_slug: str = "") -> str:
    return nav_urls.nav_url(name, org_slug, ws_slug)
