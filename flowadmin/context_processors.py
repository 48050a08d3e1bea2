"""The base template's context: the sidebar (org switcher, the console's sections, the org's
workspaces and the open one's sections) and the links of the layout, from the URLs
flowadmin.nav_urls reverses once."""

from dataclasses import dataclass

from django.utils.functional import SimpleLazyObject
from django.utils.safestring import SafeString, mark_safe

from flowadmin.escaping import escape
from flowadmin.nav_urls import CONSOLE_SECTIONS, WORKSPACE_SECTIONS, nav_url, site_urls, url_format
from orgs import selectors

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
        """`<li><a href="…">label</a></li>`, every value escaped (flowadmin.escaping.escape:
        the template engine's replacements without its lazy-text check)."""
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
        home = url_format("workspaces:home")
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
