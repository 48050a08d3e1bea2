"""Pages whose forms are formatted in Python put the request's CSRF token in each of them (the
profile masks it once a page): every form's token is accepted by a client that enforces CSRF."""

import re

import pytest
from django.test import Client

FORM = re.compile(r'<form[^>]*method="post"[^>]*action="([^"]+)"[^>]*>(.*?)</form>', re.S)
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


@pytest.fixture
def enforcing(demo):
    client = Client(enforce_csrf_checks=True)
    client.force_login(demo["admin@acme.test"])
    return client


def _forms_with_tokens(html: str) -> list[tuple[str, str]]:
    """(action, token) of every POST form of the page that carries a token."""
    found = []
    for action, body in FORM.findall(html):
        tokens = TOKEN.findall(body)
        assert len(tokens) <= 1, action
        if tokens:
            found.append((action.replace("&amp;", "&"), tokens[0]))
    return found


def _assert_accepted(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    html = response.content.decode()
    forms = _forms_with_tokens(html)
    assert forms, url
    for action, token in forms:
        if "logout" in action:  # the layout's (not formatted in Python): it would sign out
            continue
        refused = client.post(action, {"csrfmiddlewaretoken": "x" * 64})
        assert refused.status_code == 403, action
        response = client.post(action, {"csrfmiddlewaretoken": token})
        assert response.status_code != 403, action


def test_a_profiles_forms_tokens_are_accepted(enforcing, demo):
    member = demo["viewer@acme.test"]
    _assert_accepted(enforcing, f"/orgs/acme/users/{member.pk}/?find=a")


def test_manage_members_forms_tokens_are_accepted(enforcing):
    _assert_accepted(enforcing, "/orgs/acme/w/sales/manage/members/")
    _assert_accepted(enforcing, "/orgs/acme/w/sales/manage/members/add/")
