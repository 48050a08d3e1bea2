"""export.csv and export_activity: same filters as the page, streamed, and logged."""

import csv
import io
import json
import tracemalloc
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from audit import export as export_module
from audit import recording
from tests import factories as f

pytestmark = pytest.mark.django_db

EXPORT = "/orgs/initech/activity/export.csv"


@pytest.fixture
def changes(org, org_admin):
    ws = f.WorkspaceFactory(org=org, name="Marketing", slug="marketing")
    flow = f.FlowFactory(workspace=ws, name="Spring")
    flow.name = "Summer"
    flow.save()
    f.TeamFactory(org=org, name='=HYPERLINK("http://evil.test")')
    return ws


def csv_rows(response):
    text = b"".join(response.streaming_content).decode()
    return list(csv.DictReader(io.StringIO(text)))


def export(*args):
    out = StringIO()
    call_command("export_activity", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


# --- export.csv -----------------------------------------------------------------------------


def test_csv_export_streams_every_entry(admin_client, org, changes, log):
    response = admin_client.get(EXPORT)
    assert response.streaming
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="activity-initech-')
    rows = csv_rows(response)
    assert len(rows) == len(log(org))  # all earlier entries + the export itself


def test_csv_export_honours_filters(admin_client, changes):
    rows = csv_rows(admin_client.get(EXPORT + "?entity=flow&action=updated"))
    assert [(r["entity_label"], json.loads(r["changes"])) for r in rows] == [
        ("Summer", {"name": ["Spring", "Summer"]})
    ]


def test_csv_export_is_newest_first_with_its_chain_columns(admin_client, changes):
    rows = csv_rows(admin_client.get(EXPORT + "?entity=flow"))
    assert [r["action"] for r in rows] == ["updated", "created"]
    assert int(rows[0]["seq"]) > int(rows[1]["seq"])
    assert len(rows[0]["hash"]) == 64


def test_csv_export_is_logged_with_its_actor(admin_client, changes, org, log):
    admin_client.get(EXPORT + "?entity=flow")
    [entry] = log(org, action="exported")
    assert (entry.entity_type, entry.actor_email, entry.ip) == (
        "activity_export",
        "boss@initech.test",
        "127.0.0.1",
    )
    assert entry.changes["filters"] == [None, {"entity": "flow"}]


def test_csv_export_defuses_formulas(admin_client, changes):
    rows = csv_rows(admin_client.get(EXPORT + "?entity=team"))
    assert rows[0]["entity_label"] == '\'=HYPERLINK("http://evil.test")'


def test_csv_export_refuses_bad_filters(admin_client, changes, org, log):
    response = admin_client.get(EXPORT + "?since=soon")
    assert response.status_code == 400
    assert "Since: Enter a valid date." in response.content.decode()
    assert not log(org, action="exported")


def test_csv_export_is_for_org_admins_only(client, changes, org, log):
    client.force_login(f.OrgMembershipFactory(org=org).user)
    assert client.get(EXPORT).status_code == 403
    assert not log(org, action="exported")


def test_csv_export_memory_does_not_grow_with_the_log(admin_client, org, make_entries, monkeypatch):
    monkeypatch.setattr(export_module, "CHUNK_SIZE", 200)  # memory is bounded by one chunk

    def peak_while_streaming():
        response = admin_client.get(EXPORT)
        tracemalloc.start()
        for _ in response.streaming_content:
            pass
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        return peak

    make_entries(org, 500)
    small = peak_while_streaming()
    make_entries(org, 4_500)
    assert peak_while_streaming() < small * 1.5


# --- export_activity ------------------------------------------------------------------------


def test_command_exports_csv_with_filters(changes):
    rows = list(csv.DictReader(io.StringIO(export("initech", "--entity", "flow"))))
    assert [r["entity_label"] for r in rows] == ["Summer", "Spring"]


def test_command_exports_jsonl_with_filters(changes):
    lines = export("initech", "--format", "jsonl", "--workspace", "MARK", "--action", "updated")
    [row] = [json.loads(line) for line in lines.splitlines()]
    assert (row["entity_label"], row["workspace"]) == ("Summer", "Marketing")
    assert row["changes"] == {"name": ["Spring", "Summer"]}


def test_command_filters_by_date(changes):
    assert export("initech", "--format", "jsonl", "--until", "2000-01-01") == ""


def test_command_filters_by_email(changes, org, org_admin):
    recording.record(action="exported", org=org, entity_type="audience_export")
    out = export("initech", "--format", "jsonl", "--email", "system")
    assert all(json.loads(line)["actor_email"] == "system" for line in out.splitlines())


def test_command_export_is_logged_with_its_actor(changes, org, log):
    export("initech", "--format", "jsonl", "--actor", "boss@initech.test")
    [entry] = log(org, action="exported")
    assert (entry.actor_email, entry.entity_label) == ("boss@initech.test", "Activity log (JSONL)")


def test_command_refuses_an_unknown_org(db):
    with pytest.raises(CommandError, match="No organization with the slug 'nope'"):
        export("nope")


def test_command_refuses_a_bad_date(changes):
    with pytest.raises(CommandError, match="Invalid filter: Since: Enter a valid date."):
        export("initech", "--since", "tomorrow")


def test_command_refuses_an_unknown_entity(changes):
    with pytest.raises(CommandError, match="Invalid filter: Entity: Select a valid choice"):
        export("initech", "--entity", "spaceship")


def test_command_refuses_an_unknown_format(changes):
    with pytest.raises(CommandError, match="invalid choice: 'xml'"):
        export("initech", "--format", "xml")
