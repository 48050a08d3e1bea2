import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_login_lands_on_home_with_orgs_and_workspaces(
    demo, page, login_through_the_page, screenshot
):
    page.goto("/")
    assert "/accounts/login/" in page.url
    screenshot("login")
    login_through_the_page("editor@acme.test")
    assert page.url.endswith("/")
    heading = page.get_by_role("heading", name="Your organizations", level=1)
    expect(heading).to_be_visible()
    expect(page.get_by_role("link", name="Marketing Editor")).to_be_visible()
    expect(page.get_by_text("Sales")).to_have_count(0)
    screenshot("home-editor")


def test_wrong_password_shows_an_error(demo, page, login_through_the_page):
    login_through_the_page("editor@acme.test", password="nope")
    assert "/accounts/login/" in page.url
    expect(page.get_by_text("Please enter a correct email address and password")).to_be_visible()
