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
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE audit_activityentry")


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
    entries = filter_entries(org, form.cleaned_data).only(*LIST_FIELDS)[: PAGE_SIZE + 1]
    return [entry.pk for entry in entries]


@pytest.mark.parametrize("window", [2_000, 10])
@pytest.mark.parametrize(
    "params",
    [
        {"email": "PERSON"},
        {"email": "person1"},
        {"email": "rare"},
        {"email": "e", "action": "deleted", "entity": "flow"},
        {"email": "rare", "entity": "team"},
        {"email": "e", "since": "2000-01-01"},
    ],
)
def test_email_matching_many_actors_pages_as_the_substring_filter(
    rare_actors, org, monkeypatch, params, window
):
    monkeypatch.setattr("audit.filters.MAX_RESOLVED_EMAILS", 2)
    monkeypatch.setattr("audit.filters.DENSE_WINDOW", window)
    ids, _ = page_query(org, params)
    assert ids == substring_page(org, params)
    while len(ids) > PAGE_SIZE:  # and every older page, through the cursor
        cursor = encode_cursor(ActivityEntry.objects.get(pk=ids[PAGE_SIZE - 1]))
        ids, _ = page_query(org, {**params, "before": cursor})
        assert ids == substring_page(org, {**params, "before": cursor})


def test_email_matching_many_actors_rarely_reads_each_actors_newest(rare_actors, org, monkeypatch):
    monkeypatch.setattr("audit.filters.MAX_RESOLVED_EMAILS", 2)  # rare0@ … rare2@ match
    monkeypatch.setattr("audit.filters.DENSE_WINDOW", 100)  # a small part of the log, as at 1M
    _, sql = page_query(org, {"email": "rare"})
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE) " + sql)
        text = "\n".join(row[0] for row in cursor.fetchall())
    # The newest entries (the window) hold no match; then each actor's entries through its index,
    # at most a page of each, instead of the rest of the log.
    assert "activity_org_actor_time" in text
    assert "Seq Scan on audit_activityentry" not in text
    read = [
        int(n)
        for n in re.findall(
            r"Index Scan Backward using activity_org_actor_time .*rows=(\d+) loops", text
        )
    ]
    assert read and max(read) <= PAGE_SIZE + 1


def test_email_matching_more_than_max_actors_reads_the_log_newest_first(big_log, org, monkeypatch):
    monkeypatch.setattr("audit.filters.MAX_RESOLVED_EMAILS", 2)
    monkeypatch.setattr("audit.filters.MAX_ACTORS_READ", 5)  # person0@ … person19@ match
    ids, sql = page_query(org, {"email": "person"})
    assert "unnest" not in sql and "LIKE" in sql
    assert ids == substring_page(org, {"email": "person"})
