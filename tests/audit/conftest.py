import datetime
from contextlib import contextmanager

import pytest
from django.db import connection
from django.utils import timezone

from audit.models import ActivityEntry
from audit.recording import Draft, bulk_record, forget_held_heads
from tests.factories import OrganizationFactory, OrgMembershipFactory, UserFactory


@pytest.fixture
def log():
    """log(org, **filters) → the org's entries in chain order (oldest first)."""

    def entries(org, **filters):
        org_id = org if isinstance(org, int) else org.pk
        return list(ActivityEntry.objects.filter(org_id=org_id, **filters).order_by("seq"))

    return entries


@pytest.fixture
def org(db):
    return OrganizationFactory(name="Initech", slug="initech")


@pytest.fixture
def org_admin(org):
    return OrgMembershipFactory(
        org=org, admin=True, user=UserFactory(email="boss@initech.test")
    ).user


@pytest.fixture
def admin_client(client, org_admin):
    client.force_login(org_admin)
    return client


@pytest.fixture
def make_entries():
    """make_entries(org, n, **draft fields) bulk-writes n entries through the bulk helper,
    one minute apart ending now (newest last)."""

    def make(org, n, **fields):
        now = timezone.now()
        fields.setdefault("action", "updated")
        fields.setdefault("entity_type", "flow")
        drafts = (
            Draft(
                org_id=org.pk,
                entity_id=str(i),
                entity_label=f"Flow {i}",
                created_at=now - datetime.timedelta(minutes=n - i),
                changes={"name": [f"Flow {i - 1}", f"Flow {i}"]},
                **fields,
            )
            for i in range(1, n + 1)
        )
        return bulk_record(drafts)

    return make


@pytest.fixture
def tampering():
    """A raw cursor for editing the log behind the app's back, as a database superuser could:
    on PostgreSQL the log's triggers (append-only entries, chain head guard, TRUNCATE guard)
    are disabled meanwhile (inside the test's transaction, so they come back anyway)."""
    tables = ("audit_activityentry", "audit_activitychain")

    @contextmanager
    def open_cursor():
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                for table in tables:
                    cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER USER")
            try:
                yield cursor
            finally:
                if connection.vendor == "postgresql":
                    for table in tables:
                        cursor.execute(f"ALTER TABLE {table} ENABLE TRIGGER USER")
                # Real tampering happens in another transaction: the app's next write reads the
                # chain head again instead of continuing from the one this test's transaction
                # still remembers holding (audit.recording._held_head).
                forget_held_heads()

    return open_cursor
