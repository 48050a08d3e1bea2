"""The order the suite runs in (tests/conftest.py `_run_order`): the `slow` tests first, then
the other transactional ones (browser tests), then those in a rolled-back transaction without
and with the demo, then those without a database, so that with `--dist worksteal` the run ends
on short tests on both workers."""

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


def test_the_longest_tests_run_first_and_those_without_a_database_last():
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
        "slow with the demo",
        "slow without the demo",
        "slow without a database",
        "browser",
        "transactional without the demo",
        "marked db",
        "db with the demo",
        "no database",
    ]
