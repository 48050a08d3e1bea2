"""The demo snapshot goes back in as it was taken (tests/demo_snapshot.py), as it does for a
test after a transactional one emptied the database: every table's rows, those a trigger keeps
from another table's rows included."""

import pytest
from django.db import connection

from tests import demo_snapshot

pytestmark = pytest.mark.django_db


def test_the_snapshot_restores_every_row_it_took(demo):
    demo_snapshot.hide_demo()
    demo_snapshot.restore_demo()
    with connection.cursor() as cursor:
        for table, (quoted, _width, rows) in demo_snapshot._snapshot["tables"].items():
            cursor.execute(f"SELECT {quoted} FROM {connection.ops.quote_name(table)}")
            assert sorted(cursor.fetchall(), key=repr) == sorted(rows, key=repr), table
