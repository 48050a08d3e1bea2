"""Append-only entries, hash chains per org, verify_activity (SPEC §5)."""

import json
from functools import partial
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction

from audit import recording
from audit.context import Actor, acting_as
from audit.models import ActivityChain, ActivityEntry, AppendOnlyError
from orgs.models import Organization
from tests import factories as f
from tests.concurrency import run_at_once

pytestmark = pytest.mark.django_db


def verify(*args):
    out, err = StringIO(), StringIO()
    call_command("verify_activity", *args, stdout=out, stderr=err)
    return out.getvalue()


@pytest.fixture
def chain(org, make_entries, log):
    """Initech's log with 6 entries (#1 org created, #2–#6 bulk)."""
    make_entries(org, 5)
    return log(org)


def test_each_entry_links_to_the_previous_one(chain):
    assert [e.seq for e in chain] == [1, 2, 3, 4, 5, 6]
    assert chain[0].prev_hash == ""
    assert all(e.prev_hash == p.hash for p, e in zip(chain, chain[1:], strict=False))


def test_each_entry_hash_covers_its_content(chain):
    assert all(e.hash == e.compute_hash() for e in chain)


def test_the_chain_head_follows_the_last_entry(org, chain):
    head = ActivityChain.objects.get(pk=org.pk)
    assert (head.seq, head.head_hash) == (6, chain[-1].hash)


def test_orgs_have_separate_chains(org, log):
    other = f.OrganizationFactory()
    assert [e.seq for e in log(other)] == [1]
    assert [e.seq for e in log(org)] == [1]


# --- append-only ------------------------------------------------------------------------


def test_an_entry_refuses_to_be_saved_again(chain):
    entry = chain[0]
    entry.entity_label = "changed"
    with pytest.raises(AppendOnlyError):
        entry.save()


def test_an_entry_refuses_to_be_deleted(chain):
    with pytest.raises(AppendOnlyError):
        chain[0].delete()


def test_querysets_refuse_update(chain):
    with pytest.raises(AppendOnlyError):
        ActivityEntry.objects.filter(pk=chain[0].pk).update(entity_label="x")


def test_querysets_refuse_delete(chain):
    with pytest.raises(AppendOnlyError):
        ActivityEntry.objects.all().delete()


@pytest.mark.postgres
def test_postgres_trigger_refuses_update(chain):
    with pytest.raises(DatabaseError, match="append-only"), connection.cursor() as cursor:
        cursor.execute(
            "UPDATE audit_activityentry SET entity_label = 'x' WHERE id = %s", [chain[0].pk]
        )


@pytest.mark.postgres
def test_postgres_trigger_refuses_delete(chain):
    with pytest.raises(DatabaseError, match="append-only"), connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_activityentry WHERE id = %s", [chain[0].pk])


# --- verify_activity ----------------------------------------------------------------------


def test_verify_passes_on_a_clean_log(chain):
    out = verify()
    assert "initech: 6 entries, chain intact, no checkpoint yet." in out
    assert "All 1 chains intact." in out


def test_verify_passes_on_the_demo_log(demo):
    assert "All 2 chains intact." in verify()


def test_verify_one_org(chain):
    f.OrganizationFactory(slug="other")
    assert verify("other").splitlines()[0].startswith("other: 1 entries, chain intact")


def test_verify_unknown_org_is_one_line_error(db):
    with pytest.raises(CommandError, match="No organization with the slug 'nope'"):
        verify("nope")


def test_verify_detects_an_edited_entry(chain, tampering):
    with tampering() as cursor:
        cursor.execute(
            "UPDATE audit_activityentry SET actor_email = 'someone-else' WHERE id = %s",
            [chain[2].pk],
        )
    with pytest.raises(CommandError, match=r"initech .*#3 \(id \d+\).*does not match its hash"):
        verify()


def test_verify_detects_an_edited_change(chain, tampering):
    with tampering() as cursor:
        cursor.execute(
            "UPDATE audit_activityentry SET changes = %s WHERE id = %s",
            ['{"name": ["a", "b"]}', chain[3].pk],
        )
    with pytest.raises(CommandError, match="#4"):
        verify()


def test_verify_detects_a_deleted_entry(chain, tampering):
    with tampering() as cursor:
        cursor.execute("DELETE FROM audit_activityentry WHERE id = %s", [chain[2].pk])
    with pytest.raises(CommandError, match=r"#4 .*entries #3 before it are missing"):
        verify()


def test_verify_detects_the_newest_entry_deleted(chain, tampering):
    with tampering() as cursor:
        cursor.execute("DELETE FROM audit_activityentry WHERE id = %s", [chain[-1].pk])
    with pytest.raises(CommandError, match="ends at #6 but the log ends at #5"):
        verify()


def test_verify_detects_two_entries_swapped(chain, tampering):
    a, b = chain[1], chain[4]
    with tampering() as cursor:
        sql = "UPDATE audit_activityentry SET seq = %s WHERE id = %s"
        cursor.execute(sql, [1_000_000, a.pk])
        cursor.execute(sql, [a.seq, b.pk])
        cursor.execute(sql, [b.seq, a.pk])
    with pytest.raises(CommandError, match=rf"#2 \(id {b.pk}\)"):
        verify()


def test_verify_detects_swapped_contents(chain, tampering):
    a, b = chain[1], chain[2]
    columns = ["created_at", "entity_id", "entity_label", "changes", "hash", "prev_hash"]
    with tampering() as cursor:
        for src, dst in [(a, b), (b, a)]:
            values = [getattr(src, c) for c in columns[:-3]]
            values += [json.dumps(src.changes)]
            values += [src.hash, src.prev_hash]
            assignments = ", ".join(f"{c} = %s" for c in columns)
            cursor.execute(
                f"UPDATE audit_activityentry SET {assignments} WHERE id = %s", [*values, dst.pk]
            )
    with pytest.raises(CommandError, match="#2"):
        verify()


def test_verify_names_the_first_bad_entry_of_each_org(chain, tampering, make_entries):
    other = f.OrganizationFactory(slug="zeta")
    make_entries(other, 3)
    with tampering() as cursor:
        cursor.execute(
            "UPDATE audit_activityentry SET entity_label = 'x' WHERE org_id = %s AND seq >= 3",
            [other.pk],
        )
    err = StringIO()
    with pytest.raises(CommandError, match="zeta was tampered with: first bad entry #3"):
        call_command("verify_activity", stdout=StringIO(), stderr=err)
    assert "zeta: TAMPERED at entry #3" in err.getvalue()


def test_verify_checks_the_log_of_a_deleted_org(org, log):
    org_id = org.pk
    Organization.objects.get(pk=org_id).delete()
    assert f"deleted org #{org_id}: 2 entries, chain intact" in verify()


# --- concurrency --------------------------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_do_not_fork_the_chain():
    org = f.OrganizationFactory(slug="busy")

    def write(n):
        for i in range(10):
            with transaction.atomic(), acting_as(Actor(None, f"writer{n}@x.test")):
                recording.record(action="updated", org=org.pk, entity_type="flow", entity_id=i)

    run_at_once([partial(write, n) for n in range(4)], expected=())
    seqs = list(ActivityEntry.objects.filter(org=org).order_by("seq").values_list("seq", flat=True))
    assert seqs == list(range(1, 42))
    assert "busy: 41 entries, chain intact" in verify("busy")
