"""Settings → SCIM in a browser: create a token (shown once), use it, revoke it."""

import json
import urllib.error
import urllib.request

import pytest
from playwright.sync_api import expect

from orgs.models import ScimToken
from tests.e2e.axe import no_axe_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCIM_SETTINGS = "/orgs/acme/settings/scim/"


def scim_status(live_server, token):
    request = urllib.request.Request(
        f"{live_server.url}/scim/v2/acme/Users?count=1",
        headers={"Authorization": f"Bearer {token}"},
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.load(response)
    except urllib.error.HTTPError as error:
        return error.code, json.load(error)


def test_create_see_once_use_and_revoke(demo, page, login, screenshot, live_server):
    login("admin@acme.test")
    page.goto("/orgs/acme/settings/")
    page.get_by_role("navigation", name="Settings sections").get_by_role(
        "link", name="SCIM"
    ).click()
    expect(page.get_by_role("heading", name="SCIM endpoint")).to_be_visible()
    expect(page.locator("#scim-endpoint")).to_have_text(f"{live_server.url}/scim/v2/acme/")

    page.get_by_label("Name").fill("Okta")
    page.get_by_role("button", name="Create token").click()
    token = page.locator("#scim-token-text").inner_text().strip()
    assert token.startswith("scim_")
    expect(page.get_by_text("it is shown only once")).to_be_visible()
    no_axe_violations(page)
    page.set_viewport_size({"width": 390, "height": 844})
    screenshot("scim-token-created-390")
    page.set_viewport_size({"width": 1280, "height": 860})
    screenshot("scim-token-created-1280")

    # Shown once: the page reloaded (GET) no longer has it.
    page.goto(SCIM_SETTINGS)
    expect(page.locator("#scim-token-text")).to_have_count(0)
    assert token not in page.content()

    status, body = scim_status(live_server, token)
    assert status == 200 and body["totalResults"] >= 1
    page.reload()
    row = page.locator(f"#scim-token-{ScimToken.objects.get(name='Okta').pk}")
    expect(row).not_to_contain_text("Never")

    row.get_by_role("link", name="Revoke Okta").click()
    no_axe_violations(page)
    page.get_by_role("button", name="Revoke Okta").click()
    expect(page.get_by_text("SCIM token Okta revoked")).to_be_visible()
    expect(row.get_by_text("Revoked")).to_be_visible()
    screenshot("scim-token-revoked-1280")
    no_axe_violations(page)
    status, body = scim_status(live_server, token)
    assert status == 401 and body["status"] == "401"
