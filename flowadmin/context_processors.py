from dataclasses import dataclass

from django.utils.functional import SimpleLazyObject

from orgs import selectors

# The Org Admin console's sections: (path under /orgs/<org>/, label), SPEC §4.
CONSOLE_SECTIONS = [
    ("", "Dashboard"),
    ("workspaces/", "Workspaces"),
    ("teams/", "Teams"),
    ("users/", "Members"),
    ("activity/", "Activity"),
    ("reviews/", "Reviews"),
    ("settings/", "Settings"),
]

# A workspace's sections: (path under /orgs/<org>/w/<ws>/, label, capability to show it).
WORKSPACE_SECTIONS = [
    ("flows/", "Flows", "ws.view"),
    ("templates/", "Templates", "ws.view"),
    ("assets/", "Assets", "ws.view"),
    ("brand-kits/", "Brand kits", "ws.view"),
    ("audience/", "Audience", "ws.view_audience"),
    ("analytics/", "Analytics", "ws.view"),
    ("manage/", "Manage", "ws.manage"),
]


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


def _workspace_sections(request, url) -> list[NavLink]:
    """The request's workspace's sections the user may open (policy capabilities)."""
    access = getattr(request, "workspace_access", None)
    return [
        NavLink(
            label,
            url + path,
            request.path.startswith(url + path),
            "manage-entry" if path == "manage/" else "",
        )
        for path, label, capability in WORKSPACE_SECTIONS
        if access and access.can(capability)
    ]


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
            url = f"/orgs/{org.slug}/w/{ws.slug}/"
            is_open = current is not None and ws.pk == current.pk
            items.append(
                NavWorkspace(
                    ws.pk,
                    ws.name,
                    ws.slug,
                    url,
                    current=is_open and request.path == url,
                    open=is_open,
                    sections=_workspace_sections(request, url) if is_open else [],
                )
            )
        return NavWorkspaces(items, more=more)

    def console_nav():
        if not org:
            return []
        base = f"/orgs/{org.slug}/"
        return [
            NavLink(
                label,
                base + path,
                request.path == base + path or bool(path) and request.path.startswith(base + path),
            )
            for path, label in CONSOLE_SECTIONS
        ]

    return {
        "nav_orgs": SimpleLazyObject(lambda: selectors.user_orgs(user)),
        "nav_workspaces": SimpleLazyObject(nav_workspaces),
        "console_nav": SimpleLazyObject(console_nav),
    }
