"""On PostgreSQL, every filter of the activity page reads its page through an index made for
it, in time order, without sorting the org's log (EXPLAIN)."""

import datetime

import pytest
from django.db import connection
from django.utils import timezone

from audit.filters import ActivityFilterForm, encode_cursor, filter_entries
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
