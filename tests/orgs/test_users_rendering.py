"""The users page renders its rows from plain values: no reverse, date filter, model instance
or form per row, and no template variable lookup per row (orgs.members_table formats each row once)
— its Python work does not grow with the members shown."""

import datetime

import pytest
from django.utils import dateformat

from orgs.views.users import login_shown
from tests.orgs.test_users_pages import build_org
from tests.profiling import ROW_WORK, python_calls

pytestmark = pytest.mark.django_db

# A template variable lookup ({{ row.name }}), an {% if %} and a {% for %} iteration.
TEMPLATE_WORK = [
    ("django/template/base.py", "_resolve_lookup"),
    ("django/template/defaulttags.py", "eval"),
    ("django/template/context.py", "push"),
]
# A model instance (the rows are plain values read by hand-written SQL, orgs.people).
INSTANCE_WORK = [("django/db/models/base.py", "from_db")]


@pytest.mark.parametrize("query", ["", "&sort=-last_login", "&q=member"])
def test_the_users_pages_row_work_does_not_grow_with_its_rows(client, query):
    counts = []
    # the last of two pages: 3 rows, then 25 (the same pagination links)
    for members in (27, 49):
        org, admin, _ = build_org(members, 4)
        client.force_login(admin)
        url = f"/orgs/{org.slug}/users/?page=2{query}"
        counts.append(python_calls(client, url, [*ROW_WORK, *TEMPLATE_WORK, *INSTANCE_WORK]))
    assert counts[0] == counts[1]


@pytest.mark.parametrize(
    "moment",
    [
        datetime.datetime(2026, 12, 6, 9, 41),
        datetime.datetime(2026, 1, 1, 0, 0, 59),
        datetime.datetime(999, 5, 31, 23, 5),
        datetime.datetime(2031, 9, 10, 12, 0, tzinfo=datetime.UTC),
    ],
)
def test_the_last_login_reads_as_the_date_filter_shows_it(moment):
    assert login_shown(moment) == dateformat.format(moment, "M j, Y H:i")
