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


NAV_WORKSPACES = 20


class NavWorkspaces(list):
    """The sidebar's workspaces; `more` tells whether the org has others not listed."""

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
        return NavWorkspaces(shown, more=more)

    return {
        "nav_orgs": SimpleLazyObject(lambda: selectors.user_orgs(user)),
        "nav_workspaces": SimpleLazyObject(nav_workspaces),
        "console_sections": CONSOLE_SECTIONS,
        "workspace_sections": WORKSPACE_SECTIONS,
    }
