from django.utils.functional import SimpleLazyObject

from orgs import selectors

# The Org Admin console's sections: (path under /orgs/<org>/, label), SPEC §4.
CONSOLE_SECTIONS = [
    ("", "Dashboard"),
    ("workspaces/", "Workspaces"),
    ("teams/", "Teams"),
    ("users/", "Users"),
    ("activity/", "Activity"),
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


def navigation(request):
    """Org switcher and the current org's workspaces for base.html, computed only if rendered."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    org = getattr(request, "org", None)

    def nav_workspaces():
        return list(selectors.visible_workspaces(user, org)) if org else []

    return {
        "nav_orgs": SimpleLazyObject(lambda: selectors.user_orgs(user)),
        "nav_workspaces": SimpleLazyObject(nav_workspaces),
        "console_sections": CONSOLE_SECTIONS,
        "workspace_sections": WORKSPACE_SECTIONS,
    }
