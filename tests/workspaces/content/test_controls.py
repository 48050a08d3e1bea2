"""Buttons follow permissions: a Viewer sees no create/edit/delete controls; a flag holder sees
exactly those of their flag (SPEC §3.2)."""

import pytest

from .conftest import ws_path

pytestmark = pytest.mark.django_db

# page → controls (links) it may show, each with the capability that shows it
PAGES = {
    "templates/": {"templates/new/": "flows"},
    "templates/{template}/": {
        "templates/{template}/edit/": "flows",
        "templates/{template}/delete/": "flows",
    },
    "assets/": {"assets/new/": "assets"},
    "assets/{asset}/": {"assets/{asset}/delete/": "assets"},
    "brand-kits/": {"brand-kits/new/": "kits"},
    "brand-kits/{kit}/": {
        "brand-kits/{kit}/edit/": "kits",
        "brand-kits/{kit}/delete/": "kits",
    },
    # the Audience tab of the workspace's sections
    "brand-kits/?page=1": {"audience/": "audience"},
}

GRANTS = {
    "admin@acme.test": {"flows", "assets", "kits", "audience"},
    "wsadmin@acme.test": {"flows", "assets", "kits", "audience"},
    "editor@acme.test": {"flows", "assets", "kits"},
    "viewer@acme.test": set(),
    "audience@acme.test": {"audience"},
    "flows@acme.test": {"flows"},
}


@pytest.mark.parametrize("email", GRANTS)
@pytest.mark.parametrize("page", PAGES)
def test_controls_match_the_users_capabilities(client, demo, content, email, page):
    ids = {"template": content.template.pk, "asset": content.asset.pk, "kit": content.kit.pk}
    client.force_login(demo[email])
    html = client.get(ws_path(content.workspace, page.format(**ids))).content.decode()
    for control, grant in PAGES[page].items():
        href = f'href="{ws_path(content.workspace, control.format(**ids))}"'
        assert (href in html) == (grant in GRANTS[email]), control


def test_downloads_are_offered_to_viewers(client, demo, content):
    client.force_login(demo["viewer@acme.test"])
    html = client.get(ws_path(content.workspace, "assets/")).content.decode()
    assert ws_path(content.workspace, f"assets/{content.asset.pk}/download/") in html
