import functools
from collections.abc import Mapping
from dataclasses import dataclass
from html import escape
from types import MappingProxyType

from django.core.signals import setting_changed
from django.dispatch import receiver
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.functional import SimpleLazyObject
from django.utils.safestring import SafeString, mark_safe

from orgs import selectors

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


def nav_url(name: str, org_slug: str, ws_slug: str = "") -> str:
    """`reverse(name, args=[org_slug(, ws_slug)])` for the sidebar, which shows up to 35
    links on every page, and the Manage pages' tabs: `name` one of NAV_NAMES, reversed once
    per URL configuration and script prefix (`_url_formats`), the slugs put in."""
    formats = _url_formats(get_urlconf(), get_script_prefix())
    return formats[name].format(org=org_slug, ws=ws_slug)


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


@receiver(setting_changed)
def _forget_urls(*, setting, **kwargs):
    """A new ROOT_URLCONF (tests' override_settings) reverses anew; the request's own
    urlconf and the script prefix are in the caches' keys."""
    if setting == "ROOT_URLCONF":
        _url_formats.cache_clear()
        _site_urls.cache_clear()


NAV_WORKSPACES = 20


@dataclass(frozen=True)
class NavLink:
    """A sidebar link, its URL built once here rather than by `add` filters in the template:
    `current` marks the page shown (aria-current="page")."""

    label: str
    url: str
    current: bool = False
    css_class: str = ""

    @property
    def html(self) -> str:
        """`<li><a href="…">label</a></li>`, every value escaped (the standard library's
        `html.escape`: Django's `escape` is the same replacements behind a lazy-text check)."""
        css = f' class="{escape(self.css_class)}"' if self.css_class else ""
        current = ' aria-current="page"' if self.current else ""
        return f'<li{css}><a href="{escape(self.url)}"{current}>{escape(self.label)}</a></li>'


class NavLinks(list):
    """A list of NavLink; `html` is its `<li>` items, one a line (the sidebar shows up to 35
    links on every page: built in Python rather than by ~10 template nodes a link)."""

    @property
    def html(self) -> SafeString:
        return mark_safe("\n".join(link.html for link in self))


@dataclass(frozen=True)
class NavWorkspace:
    """A workspace in the sidebar: `open` when it is the request's workspace (its sections,
    `sections`, are listed under it)."""

    pk: int
    name: str
    slug: str
    url: str
    current: bool
    open: bool
    sections: NavLinks

    @property
    def html(self) -> str:
        """Its `<li>`: the link and, when open, the list of its sections."""
        current = ' aria-current="page"' if self.current else ""
        link = f'<a href="{escape(self.url)}"{current}>{escape(self.name)}</a>'
        if not self.open:
            return f"<li>{link}</li>"
        label = escape(f"{self.name} sections")
        return (
            f'<li>{link}\n<ul class="ws-sections" aria-label="{label}">\n'
            f"{self.sections.html}\n</ul></li>"
        )


class NavWorkspaces(list):
    """The sidebar's workspaces; `more` tells whether the org has others not listed; `html`
    is their `<li>` items."""

    def __init__(self, items, *, more):
        super().__init__(items)
        self.more = more

    @property
    def html(self) -> SafeString:
        return mark_safe("\n".join(ws.html for ws in self))


def _workspace_sections(request, org, ws_slug: str) -> NavLinks:
    """The request's workspace's sections the user may open (policy capabilities)."""
    access = getattr(request, "workspace_access", None)
    links = NavLinks()
    for name, label, capability in WORKSPACE_SECTIONS:
        if access and access.can(capability):
            url = nav_url(name, org.slug, ws_slug)
            css_class = "manage-entry" if name == "workspaces:manage" else ""
            links.append(NavLink(label, url, request.path.startswith(url), css_class))
    return links


def navigation(request):
    """Org switcher, the console's sections and the current org's workspaces for base.html,
    computed only if rendered, with their URLs (the sidebar is on every page)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"site_urls": site_urls()}
    org = getattr(request, "org", None)

    def nav_workspaces():
        """Up to NAV_WORKSPACES of them (an org may have hundreds), plus the current one: read
        as (id, name, slug) values, not model instances."""
        if not org:
            return NavWorkspaces([], more=False)
        shown = selectors.first_visible_workspaces(user, org, NAV_WORKSPACES + 1)
        more = len(shown) > NAV_WORKSPACES
        shown = shown[:NAV_WORKSPACES]
        current = getattr(request, "workspace", None)
        if current is not None and all(pk != current.pk for pk, _name, _slug in shown):
            shown.append((current.pk, current.name, current.slug))
        home = _url_formats(get_urlconf(), get_script_prefix())["workspaces:home"]
        items = []
        for pk, name, slug in shown:
            url = home.format(org=org.slug, ws=slug)
            is_open = current is not None and pk == current.pk
            items.append(
                NavWorkspace(
                    pk,
                    name,
                    slug,
                    url,
                    current=is_open and request.path == url,
                    open=is_open,
                    sections=_workspace_sections(request, org, slug) if is_open else NavLinks(),
                )
            )
        return NavWorkspaces(items, more=more)

    def console_nav():
        if not org:
            return NavLinks()
        root = nav_url("orgs:dashboard", org.slug)
        links = NavLinks()
        for name, label in CONSOLE_SECTIONS:
            url = nav_url(name, org.slug)
            # the Dashboard is current on itself only; a section on its pages too
            current = request.path == url or url != root and request.path.startswith(url)
            links.append(NavLink(label, url, current))
        return links

    return {
        "site_urls": site_urls(),
        "nav_orgs": SimpleLazyObject(lambda: selectors.user_orgs(user)),
        "nav_workspaces": SimpleLazyObject(nav_workspaces),
        "console_nav": SimpleLazyObject(console_nav),
    }
