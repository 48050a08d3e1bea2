"""In Chromium: an org that requires two-factor authentication sends a member to enrol; the
member enrols with a code the test computes from the shown secret, then signs in again with a
fresh TOTP code."""

import time

import pytest
from playwright.sync_api import expect

from orgs import services

from .totp import totp

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_required_2fa_enrolment_then_sign_in_with_a_totp_code(
    acme, page, login_through_the_page, screenshot, settings
):
    # An authenticator one step ahead of the server's clock is accepted (as with
    # MFA_TOTP_TOLERANCE = 1 in a deployment that allows for clock skew): the sign-in uses the
    # next step's code, which is not the one used to enrol (allauth refuses a code used twice
    # within its period), without waiting up to 30 s for the next step.
    settings.MFA_TOTP_TOLERANCE = 1
    services.org_set_require_two_factor(actor=None, org=acme, required=True)
    login_through_the_page("editor@acme.test")
    page.goto("/orgs/acme/w/marketing/flows/")
    assert page.url.endswith("/accounts/2fa/totp/activate/")
    expect(page.get_by_text("Acme requires two-factor authentication")).to_be_visible()
    screenshot("2fa-required-enrol")
    secret = page.get_by_label("Authenticator secret").input_value()
    page.get_by_label("Authenticator code").fill(totp(secret))
    page.get_by_role("button", name="Activate").click()
    expect(page.get_by_role("heading", name="Recovery Codes")).to_be_visible()
    page.get_by_role("link", name="continue where you were going").click()
    assert page.url.endswith("/orgs/acme/w/marketing/flows/")

    page.get_by_role("button", name="Log out").click()
    login_through_the_page("editor@acme.test")
    assert page.url.endswith("/accounts/2fa/authenticate/")
    screenshot("2fa-authenticate")
    page.get_by_label("Code").fill(totp(secret, at=time.time() + 30))
    page.get_by_role("button", name="Sign In").click()
    expect(page.get_by_role("heading", name="Your organizations", level=1)).to_be_visible()
