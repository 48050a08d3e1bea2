"""On PostgreSQL, every filter of the activity page reads its page through an index made for
it, in time order, without sorting the org's log (EXPLAIN)."""

import datetime
import re

import pytest
from django.db import connection
from django.utils import timezone

from audit.filters import ActivityFilterForm, encode_cursor, filter_entries, newest_entries
from audit.models import ActivityEntry
from audit.recording import Draft, bulk_record
from audit.selectors import LIST_FIELDS, PAGE_SIZE
from tests import factories as f

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]

ACTIONS = ["updated"] * 8 + ["created", "deleted"] * 5 + ["exported"]
ENTITIES = ["flow", "flow_template", "asset", "brand_kit", "workspace_member", "team", "domain"]


@pytest.fixture
def big_log(org):
    """6,000 entries over three orgs, 20 actors, 12 workspaces, four days."""
    orgs = [org, f.OrganizationFactory(), f.OrganizationFactory()]
    workspaces = [f.WorkspaceFactory(org=o, name=f"WS {o.pk}-{i}") for o in orgs for i in range(4)]
    now = timezone.now()
    drafts = (
        Draft(
            org_id=orgs[i % 3].pk,
            action=ACTIONS[i % len(ACTIONS)],
            entity_type=ENTITIES[i % len(ENTITIES)],
            entity_id=str(i % 500),
            entity_label=f"thing {i}",
            workspace_id=workspaces[(i % 3) * 4 + i % 4].pk,
            workspace_name=workspaces[(i % 3) * 4 + i % 4].name,
            created_at=now - datetime.timedelta(minutes=6_000 - i),
            actor=(None, f"person{i % 20}@example.test", ""),
        )
        for i in range(6_000)
    )
    bulk_record(drafts)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE audit_activityentry")
        cursor.execute("ANALYZE audit_activityactor")
    return {"workspace": workspaces[1]}


def plan(org, **params):
    form = ActivityFilterForm(params)
    assert form.is_valid(), form.errors
    entries = filter_entries(org, form.cleaned_data).only(*LIST_FIELDS)[: PAGE_SIZE + 1]
    return entries.explain()


@pytest.mark.parametrize(
    "params,index",
    [
        ({}, "activity_org_time"),
        ({"email": "person7@"}, "activity_org_actor_time"),
        ({"action": "exported"}, "activity_org_action_time"),
        ({"entity": "brand_kit"}, "activity_org_entity_time"),
        ({"entity": "flow", "id": "21"}, "activity_org_entity_id_time"),
        ({"since": "2000-01-01", "until": "2000-01-31"}, "activity_org_time"),
    ],
)
def test_filtered_page_uses_its_index(big_log, org, params, index):
    text = plan(org, **params)
    assert index in text
    assert "Seq Scan" not in text
    assert "Sort" not in text


def test_email_matching_many_actors_reads_the_log_newest_first(big_log, org, monkeypatch):
    monkeypatch.setattr("audit.filters.MAX_RESOLVED_EMAILS", 5)  # person0@ … person19@ match
    text = plan(org, email="PERSON")
    assert "activity_org_time" in text
    assert "Sort" not in text


def test_workspace_filter_uses_its_index(big_log, org):
    text = plan(org, workspace=big_log["workspace"].name)
    assert "activity_org_ws_time" in text
    assert "Seq Scan" not in text


def test_older_page_starts_at_the_cursor(big_log, org):
    middle = ActivityEntry.objects.filter(org=org).order_by("-created_at", "-id")[1_000]
    text = plan(org, before=encode_cursor(middle))
    assert "activity_org_time" in text
    assert "Index Cond" in text and "created_at <=" in text
    assert "Sort" not in text


# --- an email filter matching many actors, one page (audit.filters.newest_entries) ----------


@pytest.fixture
def rare_actors(big_log, org):
    """Three actors ("rare0@" … "rare2@") with 30 entries each, all older than big_log's."""
    now = timezone.now()
    bulk_record(
        Draft(
            org_id=org.pk,
            action="updated",
            entity_type="flow",
            entity_id=str(i),
            entity_label=f"rare {i}",
            created_at=now - datetime.timedelta(days=30, minutes=i),
            actor=(None, f"rare{i % 3}@example.test", ""),
        )
        for i in range(90)
    )
    analyze()


@pytest.fixture
def crowd(big_log, org):
    """120 actors ("crowd0@" … "crowd119@") with 10 entries each, one a minute in turn, then
    3,000 newer entries of one other actor (a bulk change floods the newest part of the log);
    and 60 actors ("tied0@" …) whose 5 entries each share 5 moments."""
    now = timezone.now()
    start = now - datetime.timedelta(days=10)
    bulk_record(
        Draft(
            org_id=org.pk,
            action="updated",
            entity_type="flow",
            entity_id=str(i),
            entity_label=f"crowd {i}",
            created_at=start + datetime.timedelta(minutes=i),
            actor=(None, f"crowd{i % 120}@example.test", ""),
        )
        for i in range(1_200)
    )
    bulk_record(
        Draft(
            org_id=org.pk,
            action="created",
            entity_type="asset",
            entity_label=f"tied {i}",
            created_at=start - datetime.timedelta(days=1, minutes=i % 5),
            actor=(None, f"tied{i % 60}@example.test", ""),
        )
        for i in range(300)
    )
    bulk_record(
        Draft(
            org_id=org.pk,
            action="created",
            entity_type="asset",
            entity_label=f"flood {i}",
            created_at=start + datetime.timedelta(days=1, seconds=i),
            actor=(None, "flood@example.test", ""),
        )
        for i in range(3_000)
    )
    analyze()


def analyze():
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE audit_activityentry")
        cursor.execute("ANALYZE audit_activityactor")


def page_query(org, params):
    """(the page's entry ids, the SQL that read them) for one page of these filters."""
    from django.test.utils import CaptureQueriesContext

    form = ActivityFilterForm(params)
    assert form.is_valid(), form.errors
    with CaptureQueriesContext(connection) as queries:
        entries = newest_entries(org, form.cleaned_data, LIST_FIELDS, PAGE_SIZE + 1)
    return [entry.pk for entry in entries], queries[-1]["sql"]


def substring_page(org, params):
    form = ActivityFilterForm(params)
    assert form.is_valid(), form.errors
    entries = filter_entries(org, form.cleaned_data, emails=None)
    return list(entries.only(*LIST_FIELDS)[: PAGE_SIZE + 1].values_list("pk", flat=True))


def every_page_as_the_substring_filter(org, params, most=12):
    """Pages through the "older" links (at most `most` pages), comparing each page with the
    plain substring filter; returns how many pages there were."""
    ids, _ = page_query(org, params)
    assert ids == substring_page(org, params)
    pages = 1
    while len(ids) > PAGE_SIZE and pages < most:
        cursor = encode_cursor(ActivityEntry.objects.get(pk=ids[PAGE_SIZE - 1]))
        ids, _ = page_query(org, {**params, "before": cursor})
        assert ids == substring_page(org, {**params, "before": cursor})
        pages += 1
    return pages


EMAIL_FILTERS = [
    {"email": "PERSON"},
    {"email": "person1"},
    {"email": "rare"},
    {"email": "crowd"},
    {"email": "crowd1"},
    {"email": "tied"},
    {"email": "e"},
    {"email": "e", "action": "deleted", "entity": "flow"},
    {"email": "rare", "entity": "team"},
    {"email": "e", "since": "2000-01-01"},
    {"email": "e", "until": "2000-01-01"},
]


# 0: every page past the first (whose actors need a probe) reads the log newest first instead.
@pytest.mark.parametrize("max_actors_read", [2_000, 0])
def test_email_filter_pages_as_the_substring_filter(
    rare_actors, crowd, org, monkeypatch, max_actors_read
):
    monkeypatch.setattr("audit.filters.MAX_ACTORS_READ", max_actors_read)
    for params in EMAIL_FILTERS:
        every_page_as_the_substring_filter(org, params)


def test_email_filter_pages_within_dates(rare_actors, crowd, org):
    moments = ActivityEntry.objects.filter(org=org, actor_email__startswith="crowd")
    first = moments.order_by("created_at").first().created_at
    for since, until in [(first, first), (first, first + datetime.timedelta(days=20))]:
        params = {"email": "crowd", "since": since.date(), "until": until.date()}
        assert every_page_as_the_substring_filter(org, params) > 1


def plan_rows(text, index):
    """[(rows, loops), …] of every scan of `index` in an EXPLAIN ANALYZE text."""
    return [
        (int(rows), int(loops))
        for rows, loops in re.findall(rf"using {index} .*rows=(\d+) loops=(\d+)", text)
    ]


def executed(text, index):
    """Whether the plan ran a scan of `index`."""
    return any(index in line and "never executed" not in line for line in text.splitlines())


def explain_page(org, params):
    ids, sql = page_query(org, params)
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE) " + sql)
        return ids, "\n".join(row[0] for row in cursor.fetchall())


def test_email_matching_many_actors_reads_only_the_newest_actors_entries(crowd, org):
    # The newest 3,000 entries hold no match: neither that part of the log nor each of the
    # 120 matching actors' entries is read — only the 51 actors whose newest entries are
    # newest, a page of entries at most ("member01" at 1M entries read 1,000 actors).
    ids, text = explain_page(org, {"email": "crowd"})
    assert len(ids) == PAGE_SIZE + 1
    assert not executed(text, "activity_org_time") and "Seq Scan on audit_activityentry" not in text
    scans = plan_rows(text, "activity_org_actor_time")
    assert sum(loops for _, loops in scans) <= PAGE_SIZE + 1
    assert sum(rows * loops for rows, loops in scans) <= PAGE_SIZE + 1
    # The page after it: only the actors with entries past its cursor are probed.
    cursor = encode_cursor(ActivityEntry.objects.get(pk=ids[PAGE_SIZE - 1]))
    _, text = explain_page(org, {"email": "crowd", "before": cursor})
    scans = plan_rows(text, "activity_org_actor_time")
    assert sum(loops for _, loops in scans) <= 2 * (PAGE_SIZE + 1)
    assert not executed(text, "activity_org_time")


def test_actor_probes_beyond_max_actors_read_the_log_newest_first(crowd, org, monkeypatch):
    monkeypatch.setattr("audit.filters.MAX_ACTORS_READ", 5)
    ids, _ = page_query(org, {"email": "crowd"})
    cursor = encode_cursor(ActivityEntry.objects.get(pk=ids[PAGE_SIZE - 1]))
    _, text = explain_page(org, {"email": "crowd", "before": cursor})
    assert executed(text, "activity_org_time")
    assert not plan_rows(text, "activity_org_actor_time")


@pytest.fixture
def many_actors(big_log, org):
    """5,000 more actors of the org ("someone0@" …), as the entries' trigger would add them."""
    from audit.models import ActivityActor

    ActivityActor.objects.bulk_create(
        ActivityActor(org_id=org.pk, email=f"someone{i}@example.test") for i in range(5_000)
    )
    analyze()
    with connection.cursor() as cursor:
        # New rows wait in the GIN index's pending list, which the planner counts as a slow
        # read, until (auto)vacuum moves them into the index: move them now.
        cursor.execute("SELECT gin_clean_pending_list('activity_actor_email_trgm')")


@pytest.mark.parametrize(
    "params",
    [
        {"email": "someone123@"},  # one query: the actors, then their entries (_newest_of_actors)
        {"email": "someone123@", "action": "updated"},  # the actor emails first (actor_emails)
    ],
)
def test_email_filter_reads_the_actors_through_the_trigram_index(many_actors, org, params):
    # Not every actor of the org (10,000 in the benchmark: 4 ms a page) but those whose email
    # has the text's trigrams, in both ways the page reads the actors.
    from django.test.utils import CaptureQueriesContext

    form = ActivityFilterForm(params)
    assert form.is_valid(), form.errors
    with CaptureQueriesContext(connection) as queries:
        newest_entries(org, form.cleaned_data, LIST_FIELDS, PAGE_SIZE + 1)
    (sql,) = [q["sql"] for q in queries if "audit_activityactor" in q["sql"]]
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN {sql}")
        text = "\n".join(row[0] for row in cursor.fetchall())
    assert "activity_actor_email_trgm" in text, text
    assert "Seq Scan on audit_activityactor" not in text, text
