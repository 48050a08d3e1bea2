"""The activity log in /admin/: browsable, read-only, never a full COUNT."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from audit import admin as audit_admin
from audit.models import ActivityEntry
from orgs.models import Organization
from tests import factories as f

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/audit/activityentry/"


@pytest.fixture
def operator_client(client, db):
    client.force_login(f.UserFactory(operator=True))
    return client


def test_changelist_lists_entries(operator_client, org, make_entries):
    make_entries(org, 3)
    html = operator_client.get(CHANGELIST).content.decode()
    assert "Flow 3" in html
    assert "Initech" in html


def test_changelist_never_counts_the_whole_table(operator_client, org, make_entries):
    make_entries(org, 60)
    with CaptureQueriesContext(connection) as queries:
        assert operator_client.get(CHANGELIST).status_code == 200
    counts = [q["sql"] for q in queries if "COUNT(" in q["sql"].upper()]
    assert counts
    assert all("LIMIT" in sql.upper() for sql in counts)


def test_changelist_says_more_than_past_the_cap(operator_client, org, make_entries, monkeypatch):
    monkeypatch.setattr(audit_admin, "CAPPED_COUNT", 20)
    make_entries(org, 30)
    assert "more than 20" in operator_client.get(CHANGELIST).content.decode()


def test_changelist_query_count_does_not_grow(operator_client, org, make_entries):
    make_entries(org, 100)
    with CaptureQueriesContext(connection) as small:
        operator_client.get(CHANGELIST)
    make_entries(org, 2_000)
    with CaptureQueriesContext(connection) as large:
        operator_client.get(CHANGELIST)
    assert len(large) == len(small)


def test_no_add(operator_client):
    assert operator_client.get(CHANGELIST + "add/").status_code == 403


def test_detail_is_read_only(operator_client, org):
    entry = ActivityEntry.objects.filter(org=org).first()
    html = operator_client.get(f"{CHANGELIST}{entry.pk}/change/").content.decode()
    assert 'name="entity_label"' not in html
    assert entry.hash in html


def test_detail_refuses_changes(operator_client, org):
    entry = ActivityEntry.objects.filter(org=org).first()
    response = operator_client.post(f"{CHANGELIST}{entry.pk}/change/", {"entity_label": "x"})
    assert response.status_code == 403
    assert ActivityEntry.objects.get(pk=entry.pk).entity_label == entry.entity_label


def test_no_delete(operator_client, org):
    entry = ActivityEntry.objects.filter(org=org).first()
    assert operator_client.post(f"{CHANGELIST}{entry.pk}/delete/").status_code == 403
    assert ActivityEntry.objects.filter(pk=entry.pk).exists()


def test_no_bulk_delete_action(operator_client, org):
    assert "delete_selected" not in operator_client.get(CHANGELIST).content.decode()


def test_entries_of_a_deleted_org_stay_listed(operator_client, org):
    org_id = org.pk
    Organization.objects.get(pk=org_id).delete()
    html = operator_client.get(CHANGELIST).content.decode()
    assert f"deleted org #{org_id}" in html
    entry = ActivityEntry.objects.filter(org_id=org_id).first()
    assert operator_client.get(f"{CHANGELIST}{entry.pk}/change/").status_code == 200


def test_filter_by_entity_type(operator_client, org, make_entries):
    make_entries(org, 2)
    html = operator_client.get(CHANGELIST + "?entity_type=org").content.decode()
    assert "Flow 1" not in html
