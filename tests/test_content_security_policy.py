"""A Content-Security-Policy on every HTML page, and no inline script for it to allow:
every console GET route (walked from the URL configuration), the login page and
/admin/ answer with the policy, and their HTML holds no inline <script> or on…= handler."""

import re

import pytest

from tests.test_bad_query_parameters import console_routes, fill, ids

pytestmark = pytest.mark.django_db

INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*application/(?:ld\+)?json)[^>]*>")
HANDLER = re.compile(r"<[^>]+\son[a-z]+\s*=", re.IGNORECASE)


def check(response, url):
    assert response["Content-Security-Policy"], url  # downloads keep their stricter sandbox
    if response.get("Content-Type", "").startswith("text/html"):
        assert "script-src 'self'" in response["Content-Security-Policy"], url
        html = response.content.decode()
        assert not INLINE_SCRIPT.search(html), url
        assert not HANDLER.search(html), url


def test_public_pages_carry_the_policy(client):
    for url in ["/accounts/login/", "/accounts/password_reset/"]:
        check(client.get(url), url)


def test_every_console_page_carries_the_policy(client, demo, acme):
    client.force_login(demo["admin@acme.test"])
    values = ids(acme)
    checked = 0
    for route in console_routes():
        url = fill(route, values)
        response = client.get(url)
        if response.status_code == 200:
            check(response, url)
            checked += 1
    assert checked > 30


def test_the_admin_site_carries_the_policy(client, demo):
    client.force_login(demo["ops@flowadmin.test"])
    for url in ["/admin/", "/admin/orgs/organization/", "/admin/orgs/organization/add/"]:
        check(client.get(url), url)
