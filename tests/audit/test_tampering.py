"""The tampering table, one test per row, on SQLite and PostgreSQL: someone with
write access to the database (on PostgreSQL, a superuser who can switch the triggers off) edits
the log; `verify_activity` must exit non-zero with a clear message. The bold rows of the issue
(rewound head, re-chained log, truncated tables, a deleted org's log) passed on `main` before
keyed hashes and signed checkpoints."""

import base64
import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction

from audit.checks import activity_keys_check
from audit.keys import LEGACY_KEY_ID
from audit.models import HASHED_FIELDS, ActivityChain, ActivityEntry, compute_hash
from tests import factories as f

pytestmark = pytest.mark.django_db


def verify(*args):
    out, err = StringIO(), StringIO()
    call_command("verify_activity", *args, stdout=out, stderr=err)
    return out.getvalue() + err.getvalue()


def checkpoint(*args):
    out = StringIO()
    call_command("checkpoint_activity", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


@pytest.fixture
def chain(org, make_entries, log):
    """Initech's log: 6 entries, checkpointed at #6 (outside the database)."""
    make_entries(org, 5)
    checkpoint()
    return log(org)


def rechain(cursor, org_id, *, key_id, keys=None):
    """What an attacker without the chain key can do after editing: recompute every hash and
    link of the org's log in order (with the unkeyed legacy hash, or a key they guessed) and
    move the head to the result."""
    prev = ""
    rows = ActivityEntry.objects.filter(org_id=org_id).order_by("seq")
    for row in rows.values("id", *HASHED_FIELDS):
        row.update(prev_hash=prev, key_id=key_id)
        prev = compute_hash(row, keys)
        cursor.execute(
            "UPDATE audit_activityentry SET prev_hash = %s, hash = %s, key_id = %s WHERE id = %s",
            [row["prev_hash"], prev, key_id, row["id"]],
        )
    last = rows.order_by("-seq").values_list("seq", flat=True).first() or 0
    cursor.execute(
        "UPDATE audit_activitychain SET seq = %s, head_hash = %s WHERE org_id = %s",
        [last, prev, org_id],
    )


def cut_tail(cursor, keep):
    """Delete the entries after #keep and rewind the head to #keep (one org in the database)."""
    cursor.execute("DELETE FROM audit_activityentry WHERE seq > %s", [keep])
    cursor.execute(
        "UPDATE audit_activitychain SET seq = %s, head_hash = %s",
        [keep, ActivityEntry.objects.get(seq=keep).hash],
    )


ATTACKERS_HASHES = {
    "unkeyed legacy SHA-256": {"key_id": LEGACY_KEY_ID},
    "a guessed key": {"key_id": "dev", "keys": {"dev": b"guessed-" * 4}},
}


# --- row 1: edit, delete a middle row, swap, change a timestamp, forge one hash --------------


@pytest.mark.parametrize(
    ("sql", "message"),
    [
        ("UPDATE audit_activityentry SET entity_label = 'x' WHERE seq = 3", "#3 .*does not match"),
        ("DELETE FROM audit_activityentry WHERE seq = 3", "#4 .*entries #3 before it are missing"),
        ("UPDATE audit_activityentry SET seq = seq + 100 WHERE seq = 2", "#3 .*#2 before it"),
        (
            "UPDATE audit_activityentry SET created_at = '2001-01-01' WHERE seq = 4",
            "#4 .*does not match its hash",
        ),
        ("UPDATE audit_activityentry SET hash = %s WHERE seq = 5", "#5 .*does not match its hash"),
    ],
    ids=["edit", "delete-middle", "move", "timestamp", "forge-one-hash"],
)
def test_row1_single_edits_are_detected(chain, tampering, sql, message):
    with tampering() as cursor:
        cursor.execute(sql, ["0" * 64] if "%s" in sql else None)
    with pytest.raises(CommandError, match=f"initech was tampered with: first bad entry {message}"):
        verify()


# --- row 2: delete the newest entries and rewind the head --------------------------------------


def test_row2_deleting_the_tail_and_rewinding_the_head_is_detected(chain, tampering):
    with tampering() as cursor:
        cut_tail(cursor, 4)
    with pytest.raises(CommandError) as raised:
        verify()
    assert "the log ends at #4 but the checkpoint of" in str(raised.value)
    assert "signed #6: entries #5–#6 were removed" in str(raised.value)
    assert "no checkpoint still holds" in str(raised.value)


def test_row2_names_the_last_checkpoint_that_still_holds(chain, org, make_entries, tampering):
    first = checkpoint()  # unchanged: nothing new to sign
    assert "unchanged since the newest checkpoint" in first
    make_entries(org, 3)
    checkpoint()
    with tampering() as cursor:
        cut_tail(cursor, 7)
    with pytest.raises(CommandError, match=r"the last checkpoint that still holds is .* at #6"):
        verify()


def test_row2_a_head_left_behind_its_entries_is_detected(chain, tampering):
    with tampering() as cursor:
        cursor.execute("UPDATE audit_activitychain SET seq = 4, head_hash = %s", [chain[3].hash])
    with pytest.raises(CommandError, match="the head was rewound|entries #5–#6 were removed"):
        verify()


# --- rows 3 and 4: edit or delete, then recompute every later hash ----------------------------


@pytest.mark.parametrize("attacker", ATTACKERS_HASHES.values(), ids=ATTACKERS_HASHES.keys())
def test_row3_editing_and_recomputing_later_hashes_is_detected(
    org, make_entries, tampering, attacker
):
    make_entries(org, 5)  # no checkpoint: the chain key alone must catch it
    with tampering() as cursor:
        cursor.execute("UPDATE audit_activityentry SET entity_label = 'x' WHERE seq = 3")
        rechain(cursor, org.pk, **attacker)
    with pytest.raises(CommandError, match="initech was tampered with: first bad entry #1"):
        verify()


@pytest.mark.parametrize("attacker", ATTACKERS_HASHES.values(), ids=ATTACKERS_HASHES.keys())
def test_row4_deleting_renumbering_and_rechaining_is_detected(
    org, make_entries, tampering, attacker
):
    make_entries(org, 5)
    with tampering() as cursor:
        cursor.execute("DELETE FROM audit_activityentry WHERE seq = 3")
        cursor.execute("UPDATE audit_activityentry SET seq = seq - 1 WHERE seq > 3")
        rechain(cursor, org.pk, **attacker)
    with pytest.raises(CommandError) as raised:
        verify()
    assert "first bad entry #1" in str(raised.value)
    assert "legacy hash where no" in str(raised.value) or "does not match" in str(raised.value)


def test_row4_a_rechained_log_also_fails_its_checkpoint(chain, org, tampering):
    """Even an attacker holding the chain key cannot get past a signed checkpoint."""
    with tampering() as cursor:
        cursor.execute("DELETE FROM audit_activityentry WHERE seq = 3")
        cursor.execute("UPDATE audit_activityentry SET seq = seq - 1 WHERE seq > 3")
        rechain(cursor, org.pk, key_id="dev")
    with pytest.raises(CommandError, match=r"log ends at #5 but the checkpoint .* signed #6"):
        verify()


# --- row 5: TRUNCATE both tables ---------------------------------------------------------------


def test_row5_truncated_tables_are_detected(chain, tampering):
    with tampering() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("TRUNCATE audit_activityentry, audit_activitychain")
        else:  # SQLite has no TRUNCATE: its DELETE without WHERE is the same truncate
            cursor.execute("DELETE FROM audit_activityentry")
            cursor.execute("DELETE FROM audit_activitychain")
    with pytest.raises(CommandError) as raised:
        verify()
    assert "initech was tampered with" in str(raised.value)
    assert "the log ends at #0 but the checkpoint of" in str(raised.value)
    assert "entries #1–#6 were removed" in str(raised.value)


# --- row 6: delete one org's entries and its head -----------------------------------------------


def test_row6_a_deleted_orgs_log_is_detected(chain, org, tampering, make_entries):
    other = f.OrganizationFactory(slug="zeta")
    make_entries(other, 2)
    with tampering() as cursor:
        cursor.execute("DELETE FROM audit_activityentry WHERE org_id = %s", [org.pk])
        cursor.execute("DELETE FROM audit_activitychain WHERE org_id = %s", [org.pk])
    out = StringIO()
    with pytest.raises(CommandError, match="initech was tampered with: .*entries #1–#6 were"):
        call_command("verify_activity", stdout=out, stderr=StringIO())
    assert "zeta: 3 entries, chain intact" in out.getvalue()


def test_row6_also_when_the_org_itself_is_deleted(chain, org, tampering):
    org_id = org.pk
    with tampering() as cursor:
        cursor.execute("DELETE FROM audit_activityentry WHERE org_id = %s", [org_id])
        cursor.execute("DELETE FROM audit_activitychain WHERE org_id = %s", [org_id])
    org.delete()
    with pytest.raises(CommandError, match=f"deleted org #{org_id} was tampered with"):
        verify()


# --- the checkpoints themselves ---------------------------------------------------------------


def test_a_clean_log_verifies_against_its_checkpoint(chain):
    out = verify()
    assert "initech: 6 entries, chain intact, the checkpoint of" in out
    assert "at #6 holds." in out


def test_a_forged_checkpoint_file_is_reported(chain, settings):
    [path] = (settings.ACTIVITY_CHECKPOINT_DIR / f"org-{chain[0].org_id}").iterdir()
    values = json.loads(path.read_text())
    values["seq"] = 3
    path.write_text(json.dumps(values))
    with pytest.raises(CommandError, match="signature that does not verify"):
        verify()


def test_checkpoints_are_not_signed_over_a_broken_chain(chain, org, make_entries, tampering):
    make_entries(org, 2)
    with tampering() as cursor:
        cursor.execute("UPDATE audit_activityentry SET entity_label = 'x' WHERE seq = 7")
    with pytest.raises(CommandError, match="initech: not signed: entry #7"):
        call_command("checkpoint_activity", stdout=StringIO(), stderr=StringIO())


def test_verify_json_report(chain, tampering):
    with tampering() as cursor:
        cut_tail(cursor, 4)
    out = StringIO()
    with pytest.raises(CommandError):
        call_command("verify_activity", "--format", "json", stdout=out, stderr=StringIO())
    report = json.loads(out.getvalue())
    assert report["ok"] is False
    [org] = report["orgs"]
    assert (org["org"], org["entries"], org["ok"]) == ("initech", 4, False)
    assert org["checkpoint"]["seq"] == 6
    assert "entries #5–#6 were removed" in org["problem"]


# --- keys ---------------------------------------------------------------------------------------


def test_rotated_keys_keep_old_entries_verifiable(db, make_entries, settings, log):
    old, new = (f"{name}:{base64.b64encode(name.encode() * 32).decode()}" for name in ("o", "n"))
    settings.ACTIVITY_CHAIN_KEYS = old
    org = f.OrganizationFactory(slug="initech")
    make_entries(org, 2)
    settings.ACTIVITY_CHAIN_KEYS = f"{new},{old}"
    make_entries(org, 2)
    assert [e.key_id for e in log(org)] == ["o", "o", "o", "n", "n"]
    assert "initech: 5 entries, chain intact" in verify()
    settings.ACTIVITY_CHAIN_KEYS = new
    with pytest.raises(CommandError, match="#1 .*chain key 'o', which is not configured"):
        verify()


@pytest.fixture
def legacy_log(org, make_entries, tampering):
    """Initech's 3 entries as migration 0002 leaves a log written before keys."""
    make_entries(org, 2)
    with tampering() as cursor:
        rechain(cursor, org.pk, key_id=LEGACY_KEY_ID)


def test_legacy_entries_verify_once_the_first_checkpoint_covers_them(org, legacy_log, make_entries):
    checkpoint()  # trust on first use: run once right after upgrading
    make_entries(org, 2)
    assert "initech: 5 entries, chain intact" in verify()


def test_legacy_entries_no_checkpoint_covers_are_reported(legacy_log):
    with pytest.raises(CommandError, match="#1 .*legacy hash where no signed checkpoint"):
        verify()


# --- what PostgreSQL refuses without a superuser -------------------------------------------------


def _refused(sql, params=None):
    with (
        pytest.raises(DatabaseError, match="append-only|chain head|head must be"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(sql, params)


@pytest.mark.postgres
def test_postgres_refuses_truncating_the_entries(chain):
    _refused("TRUNCATE audit_activityentry CASCADE")


@pytest.mark.postgres
def test_postgres_refuses_truncating_the_heads(chain):
    _refused("TRUNCATE audit_activitychain")


@pytest.mark.postgres
def test_postgres_refuses_rewinding_a_head(chain):
    _refused("UPDATE audit_activitychain SET seq = 4, head_hash = %s", [chain[3].hash])


@pytest.mark.postgres
def test_postgres_refuses_a_head_that_is_no_entry(chain):
    _refused("UPDATE audit_activitychain SET seq = 7, head_hash = %s", ["0" * 64])


@pytest.mark.postgres
def test_postgres_refuses_deleting_a_head(chain):
    _refused("DELETE FROM audit_activitychain")


@pytest.mark.postgres
def test_postgres_heads_still_move_forward_with_new_entries(chain, org, make_entries):
    make_entries(org, 2)
    assert ActivityChain.objects.get(pk=org.pk).seq == 8


def test_activity_keys_prints_a_usable_set(settings):
    out = StringIO()
    call_command("activity_keys", stdout=out)
    values = dict(line.split("=", 1) for line in out.getvalue().split())
    assert set(values) == {"ACTIVITY_CHAIN_KEYS", "ACTIVITY_SIGNING_KEY", "ACTIVITY_VERIFY_KEY"}
    settings.ACTIVITY_CHAIN_KEYS = values["ACTIVITY_CHAIN_KEYS"]
    settings.ACTIVITY_SIGNING_KEY = values["ACTIVITY_SIGNING_KEY"]
    assert activity_keys_check(None) == []
    assert values["ACTIVITY_CHAIN_KEYS"].startswith("k1:")


def test_a_bad_key_fails_the_system_check(settings):
    settings.ACTIVITY_CHAIN_KEYS = "k1:c2hvcnQ="
    [error] = activity_keys_check(None)
    assert (error.id, error.msg) == (
        "audit.E001",
        "ACTIVITY_CHAIN_KEYS key 'k1' is under 32 bytes.",
    )
