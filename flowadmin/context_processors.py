import functools
from dataclasses import dataclass

from django.urls import get_script_prefix, reverse
from django.utils.functional import SimpleLazyObject

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


@functools.cache
def _url_format(name: str, script_prefix: str) -> str:
    """reverse(name) as a format string with {org} and {ws} for the slugs, computed once per
    URL name (and script prefix)."""
    args = [_ORG, _WS] if name.startswith("workspaces:") else [_ORG]
    url = reverse(name, args=args).replace("{", "{{").replace("}", "}}")
    return url.replace(_ORG, "{org}").replace(_WS, "{ws}")


def nav_url(name: str, org_slug: str, ws_slug: str = "") -> str:
    """`reverse(name, args=[org_slug(, ws_slug)])` for the sidebar, which shows up to 35
    links on every page: reversed once per URL name (`_url_format`), the slugs put in."""
    return _url_format(name, get_script_prefix()).format(org=org_slug, ws=ws_slug)


NAV_WORKSPACES = 20


@dataclass(frozen=True)
class NavLink:
    """A sidebar link, its URL built once here rather than by `add` filters in the template:
    `current` marks the page shown (aria-current="page")."""

    label: str
    url: str
    current: bool = False
    css_class: str = ""


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
    sections: list[NavLink]


class NavWorkspaces(list):
    """The sidebar's workspaces; `more` tells whether the org has others not listed."""

    def __init__(self, items, *, more):
        super().__init__(items)
        self.more = more


def _workspace_sections(request, org, ws) -> list[NavLink]:
    """The request's workspace's sections the user may open (policy capabilities)."""
    access = getattr(request, "workspace_access", None)
    links = []
    for name, label, capability in WORKSPACE_SECTIONS:
        if access and access.can(capability):
            url = nav_url(name, org.slug, ws.slug)
            css_class = "manage-entry" if name == "workspaces:manage" else ""
            links.append(NavLink(label, url, request.path.startswith(url), css_class))
    return links


def navigation(request):
    """Org switcher, the console's sections and the current org's workspaces for base.html,
    computed only if rendered, with their URLs (the sidebar is on every page)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    org = getattr(request, "org", None)

    def nav_workspaces():
        """Up to NAV_WORKSPACES of them (an org may have hundreds), plus the current one."""
        if not org:
            return NavWorkspaces([], more=False)
        shown = list(selectors.visible_workspaces(user, org)[: NAV_WORKSPACES + 1])
        more = len(shown) > NAV_WORKSPACES
        shown = shown[:NAV_WORKSPACES]
        current = getattr(request, "workspace", None)
        if current is not None and current not in shown:
            shown.append(current)
        items = []
        for ws in shown:
            url = nav_url("workspaces:home", org.slug, ws.slug)
            is_open = current is not None and ws.pk == current.pk
            items.append(
                NavWorkspace(
                    ws.pk,
                    ws.name,
                    ws.slug,
                    url,
                    current=is_open and request.path == url,
                    open=is_open,
                    sections=_workspace_sections(request, org, ws) if is_open else [],
                )
            )
        return NavWorkspaces(items, more=more)

    def console_nav():
        if not org:
            return []
        root = nav_url("orgs:dashboard", org.slug)
        links = []
        for name, label in CONSOLE_SECTIONS:
            url = nav_url(name, org.slug)
            # the Dashboard is current on itself only; a section on its pages too
            current = request.path == url or url != root and request.path.startswith(url)
            links.append(NavLink(label, url, current))
        return links

    return {
        "nav_orgs": SimpleLazyObject(lambda: selectors.user_orgs(user)),
        "nav_workspaces": SimpleLazyObject(nav_workspaces),
        "console_nav": SimpleLazyObject(console_nav),
    }
