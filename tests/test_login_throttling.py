"""Login throttling that letter case cannot bypass, and password-reset mails throttled:
django-axes keys its lock on the normalised email (flowadmin.throttling), on the
console login and on /admin/login/ alike."""

import pytest
from django.core.cache import cache

pytestmark = pytest.mark.django_db

PASSWORD = "flowadmin-demo"


@pytest.fixture(autouse=True)
def _axes(settings):
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 5


def attempt(client, email, password, url="/accounts/login/"):
    field = "username"
    return client.post(url, {field: email, "password": password})


def logged_in(client):
    return "_auth_user_id" in client.session


@pytest.mark.parametrize("url", ["/accounts/login/", "/admin/login/"])
def test_another_letter_case_gets_no_new_guesses(client, demo, url):
    for _ in range(5):
        attempt(client, "outsider@acme.test", "wrong", url)
    response = attempt(client, "Outsider@acme.test", "wrong", url)
    assert response.status_code == 429


@pytest.mark.parametrize("url", ["/accounts/login/", "/admin/login/"])
def test_a_correct_password_in_capitals_does_not_lift_the_lock(client, demo, url):
    for _ in range(5):
        attempt(client, "outsider@acme.test", "wrong", url)
    response = attempt(client, "OUTSIDER@ACME.TEST", PASSWORD, url)
    assert response.status_code == 429
    assert not logged_in(client)
    assert attempt(client, "outsider@acme.test", PASSWORD, url).status_code == 429


def test_failures_in_mixed_case_add_up(client, demo):
    for email in ["a@x.test", "A@x.test", " a@X.TEST", "A@X.test", "a@x.TEST"]:
        attempt(client, email, "wrong")
    assert attempt(client, "a@x.test", "wrong").status_code == 429


def test_a_very_long_username_is_refused_without_an_error(client, demo):
    response = attempt(client, "x" * 300 + "@example.test", "wrong")
    assert response.status_code < 500
    response = attempt(client, "x" * 300 + "@example.test", "wrong", "/admin/login/")
    assert response.status_code < 500


@pytest.fixture
def fresh_cache():
    cache.clear()  # the reset counters live in the cache
    yield
    cache.clear()


def test_password_reset_mails_are_limited_per_address(
    client, demo, mailoutbox, settings, fresh_cache
):
    settings.PASSWORD_RESET_RATE = "3/h"
    for email in ["viewer@acme.test", "Viewer@acme.test"] * 6:
        response = client.post("/accounts/password_reset/", {"email": email})
        assert response.status_code == 302
    assert len(mailoutbox) == 3
