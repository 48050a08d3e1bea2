"""The users page's SQL at scale: a middle page is chosen on narrow rows; on
PostgreSQL the member search's expression has trigram indexes (so a search reads the matching
users, not every user's normalised name and email) and any page in name or last-login order
walks an index of the org's memberships instead of sorting every member (EXPLAIN)."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from orgs import people
from orgs.models import OrgMembership, User
from tests.factories import OrganizationFactory, OrgMembershipFactory
from tests.orgs.test_users_pages import build_org

pytestmark = pytest.mark.django_db

SURNAMES = ["Berg", "Silva", "Tanaka", "Dubois", "Okafor", "Novak", "Larsen", "Moreau"]


def page_queries(client, url) -> list[str]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return [q["sql"] for q in captured.captured_queries]


def test_a_middle_page_is_chosen_on_the_membership_ids_alone(client):
    """The OFFSET sorts the members' ids and sort columns, not their whole rows (which a
    middle page at 10,000 members took twice as long to sort); the page's rows are then read
    in full by id."""
    org, admin, _ = build_org(60, 4)
    client.force_login(admin)
    queries = page_queries(client, f"/orgs/{org.slug}/users/?page=2&sort=-last_login")
    (paged,) = [sql for sql in queries if "OFFSET" in sql]
    # the subquery with the OFFSET selects the ids alone; the outer select reads the rows
    assert re.search(r'IN \(SELECT "orgs_orgmembership"\."id" AS "pk" FROM ', paged), paged
    assert paged.index("m.user_full_name") < paged.index("OFFSET")


@pytest.fixture
def big_org(db):
    """An org of 1,500 members (three "Smith"s) among 1,800 users, analyzed."""
    org = OrganizationFactory()
    # named, not Faker's: a random "… Smith" would be a fourth match
    admin = OrgMembershipFactory(org=org, admin=True, user__full_name="Org Admin").user
    names = [f"Person{i} {SURNAMES[i % len(SURNAMES)]}" for i in range(1_800)]
    for i in (7, 700, 1_400):
        names[i] = f"Person{i} Smith"
    users = User.objects.bulk_create(
        User(email=f"p{i}@big.test", full_name=name, last_login=timezone.now())
        for i, name in enumerate(names)
    )
    OrgMembership.objects.bulk_create(OrgMembership(org=org, user=u) for u in users[:1_500])
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE orgs_user")
        cursor.execute("ANALYZE orgs_orgmembership")
    return org, admin


def explain(sql: str, *, scans=True, sorts=True) -> str:
    with connection.cursor() as cursor:
        if not sorts:
            cursor.execute("SET LOCAL enable_sort = off")
        if not scans:
            # At this size reading every user costs less than the index by the planner's
            # estimate (it counts normalize() as cheap; at 10,000 members it picks the index):
            # without sequential and plain index scans, only an index on the search's
            # expression can answer it without reading every user.
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute("SET LOCAL enable_indexscan = off")
        cursor.execute(f"EXPLAIN {sql}")
        return "\n".join(row[0] for row in cursor.fetchall())


@pytest.mark.postgres
def test_the_member_search_reads_the_trigram_indexes(client, big_org):
    org, admin = big_org
    client.force_login(admin)
    queries = page_queries(client, f"/orgs/{org.slug}/users/?q=smith")
    (count,) = [sql for sql in queries if "COUNT(*)" in sql and "LIKE" in sql]
    plan = explain(count, scans=False)
    assert "user_full_name_fold_trgm" in plan and "user_email_fold_trgm" in plan, plan
    assert "Seq Scan on orgs_user" not in plan, plan
    assert "3 members matching" in client.get(f"/orgs/{org.slug}/users/?q=SMITH").text


@pytest.mark.postgres
def test_the_first_page_in_name_order_reads_the_name_index(client, big_org):
    org, admin = big_org
    client.force_login(admin)
    (paged,) = [
        sql for sql in page_queries(client, f"/orgs/{org.slug}/users/") if "LIMIT 25" in sql
    ]
    plan = explain(paged)
    assert "orgmembership_name_order" in plan, plan


def page_walk(plan: str) -> str:
    """The plan's node under its Limit: what the page's OFFSET + 25 rows are read from."""
    lines = plan.splitlines()
    (limit,) = [i for i, line in enumerate(lines) if "Limit" in line]
    return lines[limit + 1]


@pytest.mark.postgres
@pytest.mark.parametrize(
    "sort, index",
    [
        ("name", "orgmembership_name_order"),
        ("-name", "orgmembership_name_order"),
        ("last_login", "orgmembership_login_order"),
        ("-last_login", "orgmembership_login_order"),
    ],
)
def test_a_middle_page_walks_the_orgs_index_in_order(client, big_org, sort, index):
    """The OFFSET can read the org's entries of an index in the page's order (backwards for
    a descending sort), with no sort of the org's members: its cost is the page's position,
    not the org's size nor the collation's comparisons. Sorting is discouraged here
    (`enable_sort`): at 1,500 unvacuumed rows the planner's estimates of a sort and of the
    walk are close; on `fa_bench` (10,001 members) it walks the index unasked (README)."""
    org, admin = big_org
    client.force_login(admin)
    queries = page_queries(client, f"/orgs/{org.slug}/users/?sort={sort}&page=30")
    (paged,) = [sql for sql in queries if "OFFSET" in sql]
    plan = explain(paged, sorts=False)
    walk = page_walk(plan)
    assert "Index" in walk and index in walk and "Sort" not in walk, plan


def test_a_page_of_another_orgs_memberships_reads_no_rows():
    """member_page_rows reads the memberships of its org only, whatever ids it is given."""
    org, other = OrganizationFactory(), OrganizationFactory()
    OrgMembershipFactory(org=org)
    OrgMembershipFactory(org=other)
    foreign = OrgMembership.objects.filter(org=other).values_list("pk", flat=True)
    assert people.member_page_rows(other, foreign, sort="name")
    assert people.member_page_rows(org, foreign, sort="name") == []
