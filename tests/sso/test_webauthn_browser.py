"""In Chromium with a virtual security key (the DevTools protocol's WebAuthn domain): a member
adds the key from their account page, signs out, and signs in again with password + key."""

import pytest
from allauth.mfa.models import Authenticator
from playwright.sync_api import expect

from audit.models import ActivityEntry

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def security_key(page):
    """A CTAP2 authenticator that answers every request and verifies its user (touch + PIN),
    plugged into the page's browser context; yields its id."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    added = cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "usb",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
                "automaticPresenceSimulation": True,
            }
        },
    )
    yield cdp, added["authenticatorId"]
    cdp.send("WebAuthn.removeVirtualAuthenticator", {"authenticatorId": added["authenticatorId"]})


def ready_for_the_key(page):
    """Waits until allauth's buttons answer: its `onload.js` binds them on DOMContentLoaded, and
    Playwright can click a button the parser has shown before then (a click that does nothing,
    seen under CI's load)."""
    page.wait_for_load_state("domcontentloaded")


def test_enrol_a_security_key_then_sign_in_with_password_and_key(
    acme, page, login_through_the_page, security_key, screenshot
):
    cdp, authenticator_id = security_key
    console_errors = []
    page.on("console", lambda m: m.type == "error" and console_errors.append(m.text))
    login_through_the_page("editor@acme.test")
    page.get_by_role("link", name="editor@acme.test").click()
    assert page.url.endswith("/accounts/2fa/")
    page.get_by_role("link", name="Add").first.click()
    assert "/accounts/2fa/webauthn/add/" in page.url, page.url
    ready_for_the_key(page)
    page.get_by_label("Name").fill("Desk key")
    page.get_by_role("button", name="Add").click()
    expect(page.get_by_role("heading", name="Recovery Codes")).to_be_visible()
    assert not console_errors, console_errors
    kinds = dict(
        Authenticator.objects.filter(user__email="editor@acme.test").values_list("type", "id")
    )
    assert set(kinds) == {Authenticator.Type.WEBAUTHN, Authenticator.Type.RECOVERY_CODES}
    assert Authenticator.objects.get(pk=kinds["webauthn"]).wrap().name == "Desk key"
    stored = cdp.send("WebAuthn.getCredentials", {"authenticatorId": authenticator_id})
    assert len(stored["credentials"]) == 1
    logged = ActivityEntry.objects.filter(org=acme, entity_type="two_factor")
    assert {e.actor_email for e in logged} == {"editor@acme.test"}
    assert [e.changes["two-factor authentication"][1] for e in logged.order_by("seq")] == [
        "WebAuthn added",
        "Recovery codes added",
    ]
    screenshot("webauthn-added")

    page.goto("/")
    page.get_by_role("button", name="Log out").click()
    login_through_the_page("editor@acme.test")
    assert page.url.endswith("/accounts/2fa/authenticate/"), page.url
    screenshot("webauthn-authenticate")
    ready_for_the_key(page)
    page.get_by_role("button", name="Use a security key").click()
    expect(page.get_by_role("heading", name="Your organizations", level=1)).to_be_visible()
    assert not console_errors, console_errors
    after = cdp.send("WebAuthn.getCredentials", {"authenticatorId": authenticator_id})
    assert after["credentials"][0]["signCount"] > stored["credentials"][0]["signCount"]
