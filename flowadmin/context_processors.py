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


class NavWorkspaces(list):
    """The sidebar's workspaces, each with `nav_url` (its URL) and `nav_current` (whether it is
    the request's workspace), set here once rather than built by template filters per item;
    `more` tells whether the org has others not listed."""

    def __init__(self, items, *, more):
        super().__init__(items)
        self.more = more


def navigation(request):
    """Org switcher and the current org's workspaces for base.html, computed only if rendered."""
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
        for ws in shown:
            ws.nav_url = f"/orgs/{org.slug}/w/{ws.slug}/"
            ws.nav_current = current is not None and ws.pk == current.pk
        return NavWorkspaces(shown, more=more)

    return {
        "nav_orgs": SimpleLazyObject(lambda: selectors.user_orgs(user)),
        "nav_workspaces": SimpleLazyObject(nav_workspaces),
        "console_sections": CONSOLE_SECTIONS,
        "workspace_sections": WORKSPACE_SECTIONS,
    }
