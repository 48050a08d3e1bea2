"""flowadmin.database.in_ids: an id list written into hand-written SQL, ints only."""

import pytest
from django.db import connection

from flowadmin.database import in_ids
from tests.factories import OrganizationFactory


def test_the_ids_are_written_as_integers():
    assert in_ids("m.user_id", [3, "12", 7]) == "m.user_id IN (3, 12, 7)"


def test_no_ids_match_nothing():
    assert in_ids("id", []) == "1 = 0"


@pytest.mark.parametrize("bad", ["1) OR (1 = 1", "1.5", None])
def test_anything_but_an_integer_is_refused(bad):
    with pytest.raises((ValueError, TypeError)):
        in_ids("id", [1, bad])


@pytest.mark.django_db
@pytest.mark.parametrize("count", [0, 1, 120])
def test_the_condition_selects_the_ids(count):
    orgs = [OrganizationFactory() for _ in range(3)]
    wanted = [org.pk for org in orgs[:1]] + list(range(10**6, 10**6 + count))
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT id FROM orgs_organization WHERE {in_ids('id', wanted[:count])}")
        found = {row[0] for row in cursor.fetchall()}
    assert found == ({orgs[0].pk} if count else set())
