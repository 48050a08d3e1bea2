"""The console's navigation URLs, reversed once per URL configuration and script prefix rather
than by a {% url %} tag on every page: the sidebar's sections, a workspace's Manage tabs, the
activity pages' links (`nav_url`), the layout's links that take no argument (`site_urls`), and
the path of a flow's short link (`short_link_code`, which ShortLinkMiddleware matches).
URL names only: this module imports no app."""

import functools
from collections.abc import Mapping
from types import MappingProxyType
from urllib.parse import quote

from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.urls import NoReverseMatch, get_resolver, get_script_prefix, get_urlconf, reverse
from django.utils.http import RFC3986_SUBDELIMS

# The Org Admin console's sections: (URL name, taking the org's slug; label), SPEC §4.
CONSOLE_SECTIONS = [
    ("orgs:dashboard", "Dashboard"),
    ("orgs:workspaces", "Workspaces"),
    ("orgs:teams", "Teams"),
    ("orgs:users", "Members"),
    ("audit:activity", "Activity"),
    ("orgs:reviews", "Reviews"),
    ("orgs:settings", "Settings"),
]

# A workspace's sections: (URL name, taking the org's and the workspace's slugs; label;
# capability to show it).
WORKSPACE_SECTIONS = [
    ("workspaces:flow_list", "Flows", "ws.view"),
    ("workspaces:template_list", "Templates", "ws.view"),
    ("workspaces:asset_list", "Assets", "ws.view"),
    ("workspaces:brand_kit_list", "Brand kits", "ws.view"),
    ("workspaces:audience", "Audience", "ws.view_audience"),
    ("workspaces:analytics", "Analytics", "ws.view"),
    ("workspaces:manage", "Manage", "ws.manage"),
]

# Valid slugs that no URL of the console spells otherwise: placeholders when reversing once.
_ORG, _WS = "org-slug-placeholder", "ws-slug-placeholder"


# (URL configuration, script prefix) pairs whose URLs are kept; one per deployment in practice.
URL_CACHE_SIZE = 32


def _url_format(name: str, urlconf) -> str:
    """reverse(name) as a format string with {org} and {ws} for the slugs."""
    args = [_ORG, _WS] if name.startswith("workspaces:") else [_ORG]
    url = reverse(name, args=args, urlconf=urlconf).replace("{", "{{").replace("}", "}}")
    return url.replace(_ORG, "{org}").replace(_WS, "{ws}")


# A workspace's Manage pages (its tabs, and adding a member), linked from each of them.
MANAGE_PAGES = (
    "workspaces:manage_members",
    "workspaces:manage_teams",
    "workspaces:manage_domains",
    "workspaces:manage_integrations",
    "workspaces:manage_settings",
    "workspaces:manage_member_add",
)

# The URL names nav_url takes: the sidebar's sections, a workspace's home, its Manage pages and
# the activity pages' links on every activity page (the export, audit.filters.export_url, and
# the tabs).
NAV_NAMES = (
    *(name for name, _label in CONSOLE_SECTIONS),
    *(name for name, _label, _capability in WORKSPACE_SECTIONS),
    "workspaces:home",
    *MANAGE_PAGES,
    "audit:export_csv",
    "audit:integrity",
)


@functools.lru_cache(maxsize=URL_CACHE_SIZE)
def _url_formats(urlconf, script_prefix: str) -> Mapping[str, str]:
    """{name: _url_format(name)} of NAV_NAMES, read-only, per URL configuration and script
    prefix (which `reverse` puts in front)."""
    return MappingProxyType({name: _url_format(name, urlconf) for name in NAV_NAMES})


def url_format(name: str) -> str:
    """nav_url's format string of `name`, with {org} and {ws} for the slugs: for a link made
    for many slugs at once (the sidebar's workspaces)."""
    return _url_formats(get_urlconf(), get_script_prefix())[name]


def nav_url(name: str, org_slug: str, ws_slug: str = "") -> str:
    """`reverse(name, args=[org_slug(, ws_slug)])` for the sidebar, which shows up to 35
    links on every page, and the Manage pages' tabs: `name` one of NAV_NAMES, reversed once
    per URL configuration and script prefix (`_url_formats`), the slugs put in."""
    return url_format(name).format(org=org_slug, ws=ws_slug)


# The base template's links that take no argument (template key → URL name): reversed once per
# URL configuration and script prefix instead of by a {% url %} tag on every page.
SITE_LINKS = {
    "home": "home",
    "jump": "jump",
    "account_security": "mfa_index",
    "login": "login",
    "logout": "logout",
}


@functools.lru_cache(maxsize=URL_CACHE_SIZE)
def _site_urls(urlconf, script_prefix: str) -> Mapping[str, str]:
    urls = {key: reverse(name, urlconf=urlconf) for key, name in SITE_LINKS.items()}
    return MappingProxyType(urls)


def site_urls() -> Mapping[str, str]:
    """{template key: URL} of SITE_LINKS, as `reverse` gives them for this request
    (read-only: it is shared by every request)."""
    return _site_urls(get_urlconf(), get_script_prefix())


# A code put in `reverse("scan")` once to read the path around it.
_CODE = "code-placeholder"


@functools.lru_cache(maxsize=URL_CACHE_SIZE)
def short_link_prefix(urlconf: str) -> str | None:
    """The path of a flow's short link before its code ("/s/"), as the URL configuration
    `urlconf` spells the `scan` URL, without the script prefix (it is matched against
    request.path_info): reversed once per URL configuration, not per request. None when the
    URL configuration has no `scan` URL (then no path is a short link)."""
    try:
        url = get_resolver(urlconf).reverse("scan", _CODE)
    except NoReverseMatch:
        return None
    return "/" + url.removesuffix(_CODE)


def short_link_path(code: str) -> str:
    """`reverse("scan", args=[code])` from the prefix reversed once: the path of a flow's short
    link, script prefix included (the flow list draws 25 a page)."""
    prefix = short_link_prefix(get_urlconf() or settings.ROOT_URLCONF)
    return (
        get_script_prefix() + prefix.removeprefix("/") + quote(code, safe=RFC3986_SUBDELIMS + "~:@")
    )  # as reverse quotes


def short_link_code(path_info: str) -> str | None:
    """The code of a short link's path (the URLconf's `s/<str:code>`: no slash in the code),
    None for any other path."""
    prefix = short_link_prefix(get_urlconf() or settings.ROOT_URLCONF)
    if prefix is None or not path_info.startswith(prefix):
        return None
    code = path_info[len(prefix) :]
    return code if code and "/" not in code else None


@receiver(setting_changed)
def _forget_urls(*, setting, **kwargs):
    """A new ROOT_URLCONF (tests' override_settings) reverses anew; the request's own
    urlconf and the script prefix are in the caches' keys."""
    if setting == "ROOT_URLCONF":
        _url_formats.cache_clear()
        _site_urls.cache_clear()
