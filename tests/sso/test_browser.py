"""In Chromium: SSO sign-in end to end through the local OpenID Provider (existing member and
just-in-time join), and the refusal of a password under enforced SSO."""

import pytest
from playwright.sync_api import expect

from orgs.models import OrgMembership, User

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def enter_email(page, email):
    page.get_by_label("Email address").fill(email)
    page.get_by_role("button", name="Continue").click()


def sign_in_at_the_idp(page, login):
    """Continue with Acme's SSO, then the IdP's own sign-in page (oidc-provider's interaction
    form): `login` as the IdP spells it, any password."""
    page.get_by_role("button", name="Continue with Acme's SSO").click()
    page.locator("input[name=login]").fill(login)
    page.locator("input[name=password]").fill("any")
    page.get_by_role("button", name="Sign-in").click()
    page.wait_for_load_state()


def continue_with_sso(page, email):
    page.goto("/accounts/login/")
    enter_email(page, email)
    sign_in_at_the_idp(page, email)


def expect_the_sso_only(page):
    expect(
        page.get_by_text("Acme requires signing in through its identity provider")
    ).to_be_visible()
    expect(page.get_by_label("Password")).to_have_count(0)


def test_member_signs_in_through_the_idp(acme_sso, page, screenshot):
    page.goto("/accounts/login/")
    page.get_by_label("Email address").fill("admin@acme.test")
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("button", name="Continue with Acme's SSO")).to_be_visible()
    screenshot("sso-login-offered")
    continue_with_sso(page, "admin@acme.test")
    expect(page.get_by_role("heading", name="Your organizations", level=1)).to_be_visible()
    page.goto("/orgs/acme/settings/sso/")
    expect(page.get_by_text("Members who signed in through it")).to_be_visible()
    screenshot("sso-settings-state")
    # "Test sign-in": a real round trip to the IdP (still signed in there, so it answers at
    # once) that comes back to this page.
    page.get_by_role("button", name="Test sign-in").click()
    page.wait_for_url("**/orgs/acme/settings/sso/")
    expect(page.get_by_role("heading", name="Sign-ins")).to_be_visible()


@pytest.mark.sso_enforced
def test_new_person_joins_just_in_time(acme_sso, page, screenshot):
    continue_with_sso(page, "newbie@acme.test")
    expect(page.get_by_role("heading", name="Your organizations", level=1)).to_be_visible()
    person = User.objects.get(email="newbie@acme.test")
    assert OrgMembership.objects.get(user=person).role == "user"
    screenshot("sso-jit-home")


@pytest.mark.sso_enforced
def test_enforced_sso_has_no_password_path(acme_sso, page, screenshot):
    page.goto("/accounts/login/")
    enter_email(page, "editor@acme.test")
    expect_the_sso_only(page)
    screenshot("sso-enforced-login")


@pytest.mark.parametrize("width", [390, 1280])
def test_sign_in_pages_fit_and_pass_axe(acme_sso, chromium, live_server, width):
    """The login steps, the refusal page, Settings → SSO and the 2FA pages: no wider than the
    viewport, no axe-core violation."""
    from axe_playwright_python.sync_playwright import Axe

    from tests.conftest import SCREENSHOTS, log_in

    context = chromium.new_context(
        base_url=live_server.url, viewport={"width": width, "height": 900}
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    axe, problems = Axe(), []

    def check(name):
        page.wait_for_load_state("load")
        scroll, inner = page.evaluate("[document.scrollingElement.scrollWidth, window.innerWidth]")
        if scroll > inner:
            problems.append(f"{name}: {scroll} px wide at {inner}")
        violations = axe.run(page).response["violations"]
        problems.extend(f"{name}: {v['id']} {v['nodes'][0]['target']}" for v in violations)
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / f"sso-{name}-{width}.png"), full_page=True)

    page.goto("/accounts/login/")
    check("login-email")
    page.get_by_label("Email address").fill("viewer@acme.test")
    page.get_by_role("button", name="Continue").click()
    check("login-sso-offered")
    log_in(page, "admin@acme.test")
    for name, path in [
        ("settings-sso", "/orgs/acme/settings/sso/"),
        ("settings-general", "/orgs/acme/settings/"),
        ("users", "/orgs/acme/users/"),
        ("2fa-index", "/accounts/2fa/"),
        ("2fa-activate", "/accounts/2fa/totp/activate/"),
    ]:
        page.goto(path)
        check(name)
    context.close()
    assert not problems, "\n".join(problems)


def test_a_password_session_ends_when_sso_becomes_enforced(acme_sso, page, login, screenshot):
    from orgs.models import User as Person

    from .test_sessions_before_enforcement import enforce

    login("viewer@acme.test")
    page.goto("/orgs/acme/w/marketing/flows/")
    expect(page.get_by_role("heading", name="Marketing", level=1)).to_be_visible()
    enforce(acme_sso, actor=Person.objects.get(email="ops@flowadmin.test"))

    page.reload()  # the session was ended in the store: signed out, back to the login page
    assert "/accounts/login/?next=/orgs/acme/w/marketing/flows/" in page.url
    enter_email(page, "viewer@acme.test")
    expect_the_sso_only(page)
    screenshot("sso-enforced-session-ended")
    sign_in_at_the_idp(page, "Viewer@ACME.test")
    page.wait_for_url("**/orgs/acme/w/marketing/flows/")
    expect(page.get_by_role("heading", name="Marketing", level=1)).to_be_visible()
