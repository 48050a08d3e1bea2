"""Fixtures of the browser tests: the demo's people already logged in on `page`."""

import pytest


@pytest.fixture
def as_admin(demo, page, login):
    """`page`, logged in as the demo's Org Admin (admin@acme.test)."""
    login("admin@acme.test")
    return page


@pytest.fixture
def as_wsadmin(demo, page, login):
    """`page`, logged in as the demo's Marketing workspace admin (wsadmin@acme.test)."""
    login("wsadmin@acme.test")
    return page
