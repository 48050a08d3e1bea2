"""404s that say nothing: a non-member gets the same 404 body for an org
that exists, an org that does not, and a workspace that exists in an org they are not in."""

import re

import pytest

pytestmark = pytest.mark.django_db


def body(client, url):
    response = client.get(url)
    assert response.status_code == 404
    # The CSRF token is masked afresh for every response: the one part allowed to differ.
    return re.sub(r"[A-Za-z0-9]{64}", "csrf", response.content.decode())


@pytest.mark.parametrize(
    "url",
    [
        "/orgs/acme/",
        "/orgs/acme/w/marketing/flows/",
        "/orgs/acme/w/nope/flows/",
        "/orgs/acme/users/",
    ],
)
def test_a_non_member_cannot_tell_what_exists(client, demo, url):
    client.force_login(demo["admin@globex.test"])
    assert body(client, url) == body(client, "/orgs/no-such-org/")
