"""The order the suite runs in (tests/conftest.py `_run_order`): the `slow` ones without a
database first, then those in a rolled-back transaction without and with the demo, then the
transactional ones (browser tests, the `slow` ones first), then the others without a
database. No test in a transaction may come after a browser test (Playwright's event loop
stops the test client's async views)."""

import pytest

from tests.conftest import _run_order


class Item:
    """What `_run_order` reads of a collected test: its fixture names and markers."""

    def __init__(self, name, fixtures=(), marks=()):
        self.name = name
        self.fixturenames = list(fixtures)
        self.marks = {mark.name: mark for mark in marks}

    def get_closest_marker(self, name):
        return self.marks.get(name)


SLOW = pytest.mark.slow.mark
TRANSACTION = pytest.mark.django_db(transaction=True).mark
DB = pytest.mark.django_db.mark


def test_slow_ones_without_a_database_first_and_browser_tests_after_the_rolled_back_ones():
    items = [
        Item("no database"),
        Item("db with the demo", ["db", "demo"]),
        Item("marked db", marks=[DB]),
        Item("browser", ["demo", "live_server"], [TRANSACTION]),
        Item("slow without the demo", ["live_server"], [SLOW]),
        Item("transactional without the demo", marks=[TRANSACTION]),
        Item("slow with the demo", ["demo", "live_server"], [SLOW, TRANSACTION]),
        Item("slow without a database", marks=[SLOW]),
    ]
    assert [item.name for item in sorted(items, key=_run_order)] == [
        "slow without a database",
        "marked db",
        "db with the demo",
        "slow with the demo",
        "slow without the demo",
        "browser",
        "transactional without the demo",
        "no database",
    ]
