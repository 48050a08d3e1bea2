"""Every URL and POST of templates / assets / brand kits / audience × every demo user, against
SPEC §3.3: anonymous → 302 to login, cannot see the workspace → 404, lacks the capability →
403 naming the role or flag, refused POST → nothing changed."""

import pytest

from .conftest import snapshot, ws_path
from .images import PDF, upload

pytestmark = pytest.mark.django_db

VIEW, FLOWS, ASSETS, KITS, AUDIENCE = (
    "ws.view",
    "ws.manage_flows",
    "ws.manage_assets",
    "ws.manage_brand_kits",
    "ws.view_audience",
)
EVERYTHING = {VIEW, FLOWS, ASSETS, KITS, AUDIENCE}

# What each demo user may do in acme/marketing (SPEC §3.2, §7). None: cannot see it (404).
MARKETING = {
    "admin@acme.test": EVERYTHING,
    "wsadmin@acme.test": EVERYTHING,
    "editor@acme.test": {VIEW, FLOWS, ASSETS, KITS},
    "viewer@acme.test": {VIEW},
    "audience@acme.test": {VIEW, AUDIENCE},
    "flows@acme.test": {VIEW, FLOWS},
    "teamuser@acme.test": None,
    "outsider@acme.test": None,
    "admin@globex.test": None,
    "ops@flowadmin.test": None,  # superuser, but not a member
    None: None,  # anonymous
}
USERS = list(MARKETING)

# The sentence of the 403 page for each capability.
REFUSAL = {
    FLOWS: "Flows Manager",
    ASSETS: "Workspace Editor role (or higher)",
    KITS: "Brand Kits Manager",
    AUDIENCE: "Audience Viewer",
}

GETS = [
    ("templates/", VIEW),
    ("templates/new/", FLOWS),
    ("templates/{template}/", VIEW),
    ("templates/{template}/edit/", FLOWS),
    ("templates/{template}/delete/", FLOWS),
    ("assets/", VIEW),
    ("assets/new/", ASSETS),
    ("assets/{asset}/", VIEW),
    ("assets/{asset}/download/", VIEW),
    ("assets/{asset}/delete/", ASSETS),
    ("brand-kits/", VIEW),
    ("brand-kits/new/", KITS),
    ("brand-kits/{kit}/", VIEW),
    ("brand-kits/{kit}/logo/", VIEW),
    ("brand-kits/{kit}/edit/", KITS),
    ("brand-kits/{kit}/delete/", KITS),
    ("audience/", AUDIENCE),
    ("audience/?q=ann&tag=vip&page=1", AUDIENCE),
    ("audience/export.csv", AUDIENCE),
    ("audience/{contact}/delete/", AUDIENCE),
]


def ids(content):
    return {
        "template": content.template.pk,
        "asset": content.asset.pk,
        "kit": content.kit.pk,
        "contact": content.contact.pk,
    }


def expected(email, capability, allowed):
    access = MARKETING[email]
    if email is None:
        return 302
    if access is None:
        return 404
    return allowed if capability in access else 403


def client_for(client, demo, email):
    if email:
        client.force_login(demo[email])
    return client


@pytest.mark.parametrize("email", USERS)
@pytest.mark.parametrize("path,capability", GETS)
def test_get(client, demo, content, email, path, capability):
    url = ws_path(content.workspace, path.format(**ids(content)))
    response = client_for(client, demo, email).get(url)
    assert response.status_code == expected(email, capability, 200)
    if response.status_code == 302:
        assert response["Location"].startswith("/accounts/login/?next=")
    if response.status_code == 403:
        assert REFUSAL[capability] in response.content.decode()


def posts(content):
    """(path, capability, data) of every write."""
    return {
        "template_new": (
            "templates/new/",
            FLOWS,
            {"name": "Webinar", "default_destination": "https://example.com/w"},
        ),
        "template_edit": (
            f"templates/{content.template.pk}/edit/",
            FLOWS,
            {"name": "Renamed", "default_destination": "", "description": "new"},
        ),
        "template_delete": (f"templates/{content.template.pk}/delete/", FLOWS, {}),
        "asset_new": (
            "assets/new/",
            ASSETS,
            {"file": upload("brochure.pdf", PDF, "application/pdf"), "name": "Brochure"},
        ),
        "asset_delete": (f"assets/{content.asset.pk}/delete/", ASSETS, {}),
        "kit_new": (
            "brand-kits/new/",
            KITS,
            {
                "name": "Autumn",
                "primary_color": "#112233",
                "secondary_color": "#445566",
                "accent_color": "#778899",
                "font": "Inter",
            },
        ),
        "kit_edit": (
            f"brand-kits/{content.kit.pk}/edit/",
            KITS,
            {
                "name": "Main brand 2",
                "primary_color": "#000000",
                "secondary_color": "#ffffff",
                "accent_color": "#ff0000",
                "font": "",
            },
        ),
        "kit_delete": (f"brand-kits/{content.kit.pk}/delete/", KITS, {}),
        "contact_delete": (f"audience/{content.contact.pk}/delete/", AUDIENCE, {}),
        "contact_tag": (f"audience/{content.contact.pk}/tags/", AUDIENCE, {"tag": "newsletter"}),
        "contact_untag": (f"audience/{content.contact.pk}/tags/", AUDIENCE, {"remove": "vip"}),
    }


POSTS = [
    "template_new",
    "template_edit",
    "template_delete",
    "asset_new",
    "asset_delete",
    "kit_new",
    "kit_edit",
    "kit_delete",
    "contact_delete",
    "contact_tag",
    "contact_untag",
]


@pytest.mark.parametrize("email", USERS)
@pytest.mark.parametrize("name", POSTS)
def test_post(client, demo, content, email, name):
    path, capability, data = posts(content)[name]
    before = snapshot(content.workspace)
    response = client_for(client, demo, email).post(ws_path(content.workspace, path), data)
    status = expected(email, capability, 302)
    assert response.status_code == status
    if status == 302 and MARKETING[email] is not None:
        assert snapshot(content.workspace) != before
    else:
        assert snapshot(content.workspace) == before


# --- cross-workspace and cross-org ids ---------------------------------------------------

OBJECT_PATHS = [
    "templates/{template}/",
    "templates/{template}/edit/",
    "templates/{template}/delete/",
    "assets/{asset}/",
    "assets/{asset}/download/",
    "assets/{asset}/delete/",
    "brand-kits/{kit}/",
    "brand-kits/{kit}/logo/",
    "brand-kits/{kit}/edit/",
    "brand-kits/{kit}/delete/",
    "audience/{contact}/delete/",
]


@pytest.mark.parametrize("path", OBJECT_PATHS)
def test_other_orgs_ids_are_404(client, demo, content, globex_content, path):
    client.force_login(demo["admin@acme.test"])
    url = ws_path(content.workspace, path.format(**ids(globex_content)))
    assert client.get(url).status_code == 404


@pytest.mark.parametrize("path", OBJECT_PATHS)
def test_other_workspaces_ids_are_404(client, demo, content, sales_content, path):
    client.force_login(demo["admin@acme.test"])
    url = ws_path(content.workspace, path.format(**ids(sales_content)))
    assert client.get(url).status_code == 404


@pytest.mark.parametrize("name", [name for name in POSTS if not name.endswith("_new")])
def test_post_with_other_orgs_ids_changes_nothing(client, demo, content, globex_content, name):
    """Globex's admin posting to their own workspace with acme's ids gets a 404."""
    path, _capability, data = posts(content)[name]
    before = snapshot(content.workspace)
    client.force_login(demo["admin@globex.test"])
    response = client.post(ws_path(globex_content.workspace, path), data)
    assert response.status_code == 404
    assert snapshot(content.workspace) == before


def test_unknown_workspace_is_404_for_a_member(client, demo, content):
    client.force_login(demo["admin@acme.test"])
    assert client.get("/orgs/acme/w/nope/assets/").status_code == 404
