"""Signals write one entry per change of every tracked model (SPEC §5)."""

import json

import pytest
from django.core import serializers
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from audit import recording
from audit.context import Actor, acting_as
from audit.models import ActivityEntry
from orgs import services
from orgs.models import Organization, SSOConfiguration, TeamMembership
from orgs.roles import FLAGS
from tests import factories as f
from workspaces.models import Flow, Workspace

pytestmark = pytest.mark.django_db


def ws_of(org):
    return f.WorkspaceFactory(org=org, name="Marketing", slug="marketing")


# entity type → (make an instance in org, field to change, new value, expected entity id)
MODELS = {
    "org": (lambda org: org, "name", "Initech Global", lambda o: o.pk),
    "org_member": (
        lambda org: f.OrgMembershipFactory(org=org),
        "role",
        "admin",
        lambda o: o.user_id,
    ),
    "invitation": (lambda org: f.InvitationFactory(org=org), "status", "revoked", lambda o: o.pk),
    "team": (lambda org: f.TeamFactory(org=org), "name", "Renamed team", lambda o: o.pk),
    "team_member": (
        lambda org: f.TeamMembershipFactory(team=f.TeamFactory(org=org)),
        "added_at",
        "2024-01-02T03:04:05+00:00",
        lambda o: o.user_id,
    ),
    "workspace": (ws_of, "name", "Brand", lambda o: o.pk),
    "workspace_member": (
        lambda org: f.WorkspaceMembershipFactory(workspace=ws_of(org)),
        "role",
        "editor",
        lambda o: o.user_id,
    ),
    "team_access": (
        lambda org: f.TeamAccessFactory(team=f.TeamFactory(org=org), workspace=ws_of(org)),
        "role",
        "admin",
        lambda o: o.team_id,
    ),
    "domain": (lambda org: f.DomainFactory(org=org), "status", "verified", lambda o: o.pk),
    "integration": (
        lambda org: f.IntegrationInstallationFactory(org=org),
        "enabled",
        False,
        lambda o: o.pk,
    ),
    "sso": (lambda org: f.SSOConfigurationFactory(org=org), "enforced", True, lambda o: o.pk),
    "flow": (lambda org: f.FlowFactory(workspace=ws_of(org)), "name", "Spring", lambda o: o.pk),
    "flow_template": (
        lambda org: f.FlowTemplateFactory(workspace=ws_of(org)),
        "name",
        "Poster",
        lambda o: o.pk,
    ),
    "asset": (lambda org: f.AssetFactory(workspace=ws_of(org)), "name", "logo.pdf", lambda o: o.pk),
    "brand_kit": (
        lambda org: f.BrandKitFactory(workspace=ws_of(org)),
        "primary_color",
        "#123456",
        lambda o: o.pk,
    ),
}


def reload(obj):
    return type(obj)._base_manager.get(pk=obj.pk)


@pytest.mark.parametrize("entity_type", MODELS)
def test_creating_writes_a_created_entry(org, log, entity_type):
    make, _field, _value, entity_id = MODELS[entity_type]
    obj = make(org)
    [entry] = log(org, entity_type=entity_type, action="created")
    assert entry.entity_id == str(entity_id(obj))


@pytest.mark.parametrize("entity_type", MODELS)
def test_updating_writes_the_changed_field(org, log, entity_type):
    make, field, value, _ = MODELS[entity_type]
    obj = reload(make(org))
    setattr(obj, field, value)
    obj.save()
    [entry] = log(org, entity_type=entity_type, action="updated")
    # A grant's new role brings its default flags (SPEC §3.2), logged in the same entry.
    assert set(entry.changes) - {field} <= set(FLAGS)
    assert entry.changes[field][1] == value


@pytest.mark.parametrize("entity_type", [t for t in MODELS if t != "org"])
def test_deleting_writes_a_deleted_entry(org, log, entity_type):
    make, _field, _value, entity_id = MODELS[entity_type]
    obj = reload(make(org))
    expected_id = str(entity_id(obj))
    obj.delete()
    [entry] = log(org, entity_type=entity_type, action="deleted")
    assert entry.entity_id == expected_id


def test_deleting_the_org_writes_its_entry_and_keeps_the_log(org, log):
    f.FlowFactory(workspace=ws_of(org))
    org_id = org.pk
    Organization.objects.get(pk=org_id).delete()
    entries = log(org_id)
    assert entries[-1].entity_type == "org"
    assert entries[-1].action == "deleted"
    assert entries[-1].entity_label == "Initech"
    assert {"flow", "workspace"} <= {e.entity_type for e in log(org_id, action="deleted")}


def test_deleting_a_workspace_keeps_its_name_on_the_entries(org, log):
    ws = ws_of(org)
    f.FlowFactory(workspace=ws, name="Spring")
    ws_id = ws.pk
    reload(ws).delete()
    [flow_deleted] = log(org, entity_type="flow", action="deleted")
    assert (flow_deleted.workspace_id, flow_deleted.workspace_name) == (ws_id, "Marketing")


def test_deleting_a_user_records_their_memberships_and_keeps_their_entries(org, log):
    user = f.UserFactory(email="leaver@initech.test")
    with acting_as(Actor(user, user.email)):
        f.TeamFactory(org=org, name="Ops")
    f.OrgMembershipFactory(org=org, user=user)
    user_id = user.pk
    user.delete()
    [removed] = log(org, entity_type="org_member", action="deleted")
    assert removed.entity_label == "leaver@initech.test"
    [team] = log(org, entity_type="team")
    assert (team.actor_id, team.actor_email) == (user_id, "leaver@initech.test")


# --- team members through the m2m ---------------------------------------------------------


def member(org, email=None):
    """A user who is a member of `org` (team members are org members, on PostgreSQL by a
    trigger too)."""
    user = f.UserFactory(email=email) if email else f.UserFactory()
    return f.OrgMembershipFactory(org=org, user=user).user


def test_team_members_add_writes_one_entry_per_member(org, log):
    team = f.TeamFactory(org=org, name="Ops")
    users = [member(org, "a@x.test"), member(org, "b@x.test")]
    team.members.add(*users)
    entries = log(org, entity_type="team_member")
    assert [e.entity_label for e in entries] == ["a@x.test in Ops", "b@x.test in Ops"]


def test_reverse_team_add_is_recorded(org, log):
    team = f.TeamFactory(org=org, name="Ops")
    user = member(org, "c@x.test")
    user.teams.add(team)
    [entry] = log(org, entity_type="team_member")
    assert (entry.action, entry.entity_id) == ("created", str(user.pk))


def test_team_members_remove_writes_exactly_one_entry(org, log):
    team = f.TeamFactory(org=org, name="Ops")
    user = member(org, "d@x.test")
    team.members.add(user)
    team.members.remove(user)
    [entry] = log(org, entity_type="team_member", action="deleted")
    assert entry.entity_label == "d@x.test in Ops"


def test_team_members_clear_writes_one_entry_per_member(org, log):
    team = f.TeamFactory(org=org)
    team.members.add(member(org), member(org))
    team.members.clear()
    assert len(log(org, entity_type="team_member", action="deleted")) == 2


def test_team_member_service_records_the_actor(org, log, org_admin):
    team = f.TeamFactory(org=org, name="Ops")
    member = f.OrgMembershipFactory(org=org).user
    with acting_as(Actor(org_admin, org_admin.email, "10.0.0.7")):
        services.team_member_add(actor=org_admin, team=team, user=member)
    [entry] = log(org, entity_type="team_member")
    assert (entry.actor_email, entry.ip) == ("boss@initech.test", "10.0.0.7")


def test_direct_team_membership_save_is_not_recorded_twice(org, log):
    team = f.TeamFactory(org=org)
    user = f.OrgMembershipFactory(org=org).user  # team members are org members
    TeamMembership.objects.create(team=team, user=user)
    assert len(log(org, entity_type="team_member")) == 1


def test_sso_domains_change_is_an_sso_update(org, log):
    sso = f.SSOConfigurationFactory(org=org)
    domain = f.DomainFactory(org=org, hostname="login.initech.test")
    sso.domains.add(domain)
    [entry] = log(org, entity_type="sso", action="updated")
    assert entry.changes == {"domains": [[], ["login.initech.test"]]}


def test_sso_domains_clear_is_recorded(org, log):
    sso = f.SSOConfigurationFactory(org=org)
    sso.domains.add(f.DomainFactory(org=org, hostname="a.initech.test"))
    SSOConfiguration.objects.get(pk=sso.pk).domains.clear()
    entries = log(org, entity_type="sso", action="updated")
    assert entries[-1].changes == {"domains": [["a.initech.test"], []]}


# --- what is (not) written ----------------------------------------------------------------


def test_a_save_that_changes_nothing_writes_nothing(org, log):
    flow = reload(f.FlowFactory(workspace=ws_of(org)))
    before = len(log(org))
    flow.save()
    assert len(log(org)) == before


def test_saving_only_unchanged_fields_writes_nothing(org, log):
    flow = reload(f.FlowFactory(workspace=ws_of(org)))
    flow.name = "not saved"
    before = len(log(org))
    flow.save(update_fields=["status"])
    assert len(log(org)) == before


def test_update_fields_limits_the_diff(org, log):
    flow = reload(f.FlowFactory(workspace=ws_of(org), name="A"))
    flow.name, flow.status = "B", "paused"
    flow.save(update_fields=["status"])
    [entry] = log(org, action="updated")
    assert entry.changes == {"status": ["active", "paused"]}


def test_two_saves_diff_against_the_last_save(org, log):
    flow = reload(f.FlowFactory(workspace=ws_of(org), name="A"))
    flow.name = "B"
    flow.save()
    flow.name = "C"
    flow.save()
    assert [e.changes["name"] for e in log(org, action="updated")] == [["A", "B"], ["B", "C"]]


def test_a_rolled_back_change_leaves_no_entry(org, log):
    flow = reload(f.FlowFactory(workspace=ws_of(org), name="A"))
    before = len(log(org))
    with pytest.raises(RuntimeError), transaction.atomic():
        flow.name = "B"
        flow.save()
        raise RuntimeError("boom")
    assert len(log(org)) == before


def test_numbering_continues_without_a_gap_after_a_rollback(org, log):
    flow = reload(f.FlowFactory(workspace=ws_of(org), name="A"))
    with pytest.raises(RuntimeError), transaction.atomic():
        flow.name = "B"
        flow.save()
        raise RuntimeError("boom")
    f.FlowFactory(workspace=flow.workspace)
    seqs = [e.seq for e in log(org)]
    assert seqs == list(range(1, len(seqs) + 1))


def test_diffing_a_save_reads_no_old_values(org, log):
    ws = ws_of(org)
    flow = Flow.objects.select_related("workspace").get(pk=f.FlowFactory(workspace=ws).pk)
    flow.name = "Renamed"
    with acting_as(Actor()), CaptureQueriesContext(connection) as queries:
        flow.save()
    selects = [q["sql"] for q in queries if q["sql"].lstrip().upper().startswith("SELECT")]
    assert not [sql for sql in selects if "workspaces_flow" in sql]
    assert not [sql for sql in selects if "workspaces_workspace" in sql]


def test_refresh_from_db_moves_the_snapshot(org, log):
    flow = reload(f.FlowFactory(workspace=ws_of(org), name="A"))
    Flow.objects.filter(pk=flow.pk).update(name="B")  # behind the app's back
    flow.refresh_from_db()
    before = len(log(org))
    flow.save()
    assert len(log(org)) == before


def test_deferred_fields_are_diffed_when_loaded_later(org, log):
    f.FlowFactory(workspace=ws_of(org), name="A", destination_url="https://a.test/")
    flow = Flow.objects.only("id", "name", "workspace").get()
    assert flow.destination_url == "https://a.test/"  # loads the deferred field
    flow.name = "B"
    flow.destination_url = "https://b.test/"
    flow.save()
    [entry] = log(org, action="updated")
    assert entry.changes == {
        "name": ["A", "B"],
        "destination_url": ["https://a.test/", "https://b.test/"],
    }


def test_saving_an_unloaded_instance_with_a_pk_diffs_against_the_database(org, log):
    stored = f.FlowFactory(workspace=ws_of(org), name="A")
    flow = Flow(
        pk=stored.pk,
        workspace=stored.workspace,
        name="B",
        destination_url=stored.destination_url,
        short_code=stored.short_code,
        status=stored.status,
        created_at=stored.created_at,
    )
    flow.save()
    [entry] = log(org, action="updated")
    assert entry.changes == {"name": ["A", "B"]}


def test_fixture_loading_is_not_recorded(org, log):
    flow = f.FlowFactory(workspace=ws_of(org))
    data = serializers.serialize("json", [flow])
    before = len(log(org))
    for obj in serializers.deserialize("json", data):
        obj.save()
    assert len(log(org)) == before


# --- labels, redaction, actors ------------------------------------------------------------


def test_foreign_keys_read_as_labels(org, log):
    user = f.UserFactory(email="maker@initech.test")
    f.FlowFactory(workspace=ws_of(org), created_by=user)
    [entry] = log(org, entity_type="flow")
    assert entry.changes["created_by"] == [None, "maker@initech.test"]


def test_workspace_scoped_entries_copy_the_workspace(org, log):
    f.FlowFactory(workspace=ws_of(org))
    [entry] = log(org, entity_type="flow")
    assert entry.workspace_name == "Marketing"


def test_rename_shows_in_later_entries_of_the_same_request(org, log):
    ws = ws_of(org)
    with acting_as(Actor()):
        f.FlowFactory(workspace=ws)
        ws.name = "Brand"
        ws.save()
        f.FlowFactory(workspace=ws)
    assert [e.workspace_name for e in log(org, entity_type="flow")] == ["Marketing", "Brand"]


SECRET = "sk-live-very-secret-value-123"


def test_integration_secrets_never_reach_the_log(org, log):
    inst = services.integration_install(
        actor=None,
        org=org,
        app_key="hubspot",
        values={"portal_id": "42", "access_token": SECRET},
    )
    services.integration_update(
        actor=None, installation=inst, values={"portal_id": "43", "access_token": SECRET + "2"}
    )
    inst.delete()
    dump = json.dumps([[e.changes, e.entity_label] for e in log(org)])
    assert SECRET not in dump
    assert inst.secrets_encrypted not in dump


def test_a_changed_secret_is_named_but_redacted(org, log):
    inst = services.integration_install(
        actor=None, org=org, app_key="hubspot", values={"portal_id": "42", "access_token": SECRET}
    )
    services.integration_update(
        actor=None, installation=inst, values={"portal_id": "42", "access_token": "new-token-9"}
    )
    [entry] = log(org, entity_type="integration", action="updated")
    assert entry.changes == {"secret access_token": ["[redacted]", "[redacted]"]}


def test_resaving_the_same_secret_writes_nothing(org, log):
    inst = services.integration_install(
        actor=None, org=org, app_key="hubspot", values={"portal_id": "42", "access_token": SECRET}
    )
    services.integration_update(actor=None, installation=inst, values={"portal_id": "42"})
    assert not log(org, entity_type="integration", action="updated")


def test_invitation_token_hash_is_redacted(org, log):
    inv = f.InvitationFactory(org=org)
    [entry] = log(org, entity_type="invitation")
    assert entry.changes["token_hash"] == [None, "[redacted]"]
    assert inv.token_hash not in json.dumps(entry.changes)


def test_domain_verification_token_is_redacted(org, log):
    domain = f.DomainFactory(org=org)
    [entry] = log(org, entity_type="domain")
    assert domain.verification_token not in json.dumps(entry.changes)


def test_without_an_actor_the_system_acts(org, log):
    [entry] = log(org, entity_type="org")
    assert (entry.actor_id, entry.actor_email, entry.ip) == (None, "system", "")


def test_the_actor_email_is_copied_when_written(org, log):
    user = f.UserFactory(email="old@initech.test")
    with acting_as(Actor(user, user.email, "192.0.2.1")):
        f.TeamFactory(org=org)
    user.email = "new@initech.test"
    user.save()
    [entry] = log(org, entity_type="team")
    assert (entry.actor_id, entry.actor_email, entry.ip) == (
        user.pk,
        "old@initech.test",
        "192.0.2.1",
    )


# --- the explicit API ----------------------------------------------------------------------


def test_a_drafts_actor_email_is_stored_in_lower_case(org, log):
    draft = recording.Draft(
        org_id=org.pk, action="updated", entity_type="flow", actor=(None, " Eve@Initech.TEST", "")
    )
    recording.bulk_record([draft])
    [entry] = log(org, entity_type="flow")
    assert entry.actor_email == "eve@initech.test"


def test_record_writes_an_export_entry(org, log):
    ws = ws_of(org)
    recording.record(
        action="exported",
        org=org,
        workspace=ws,
        entity_type="audience_export",
        entity_label="Audience of Marketing",
        changes={"rows": [None, 120]},
    )
    [entry] = log(org, action="exported")
    assert (entry.workspace_name, entry.entity_type, entry.changes) == (
        "Marketing",
        "audience_export",
        {"rows": [None, 120]},
    )


def test_record_refuses_an_unknown_action(org):
    with pytest.raises(ValueError, match="Unknown activity action"):
        recording.record(action="viewed", org=org, entity_type="flow")


def test_record_instances_logs_a_bulk_create(org, log):
    ws = ws_of(org)
    flows = Flow.objects.bulk_create(
        [
            Flow(workspace=ws, name=f"F{i}", destination_url="https://x.test", short_code=f"b{i}")
            for i in range(3)
        ]
    )
    assert recording.record_instances(flows) == 3
    assert [e.entity_label for e in log(org, entity_type="flow")] == ["F0", "F1", "F2"]


def test_record_instances_logs_a_bulk_update(org, log):
    ws = ws_of(org)
    f.FlowFactory.create_batch(2, workspace=ws)
    flows = list(Flow.objects.order_by("pk"))
    for flow in flows:
        flow.status = "paused"
    Flow.objects.bulk_update(flows, ["status"])
    recording.record_instances(flows, action="updated")
    entries = log(org, entity_type="flow", action="updated")
    assert [e.changes for e in entries] == [{"status": ["active", "paused"]}] * 2


def test_record_instances_refuses_untracked_models(org):
    scan = f.ScanFactory(flow=f.FlowFactory(workspace=ws_of(org)))
    with pytest.raises(TypeError, match="not tracked"):
        recording.record_instances([scan])


def test_scans_and_audience_contacts_are_not_tracked(org, log):
    flow = f.FlowFactory(workspace=ws_of(org))
    before = len(log(org))
    f.ScanFactory(flow=flow)
    f.AudienceContactFactory(workspace=flow.workspace)
    assert len(log(org)) == before


def test_bulk_record_keeps_each_orgs_order(org, log):
    other = f.OrganizationFactory()
    drafts = [
        recording.Draft(org_id=o.pk, action="updated", entity_type="flow", entity_label=str(i))
        for i, o in enumerate([org, other, org, other, org])
    ]
    assert recording.bulk_record(drafts, chunk_size=2) == 5
    assert [e.entity_label for e in log(org, entity_type="flow")] == ["0", "2", "4"]


def test_entries_cannot_be_created_directly(org):
    with pytest.raises(TypeError, match="audit.recording"):
        ActivityEntry.objects.create(org=org, seq=99, action="created", entity_type="flow")


def test_record_redacts_sensitive_looking_changes(org, log):
    recording.record(
        action="updated",
        org=org,
        entity_type="integration",
        changes={"api_token": ["old-value", "new-value"], "portal": ["1", "2"]},
    )
    [entry] = log(org, action="updated")
    assert entry.changes == {"api_token": ["[redacted]", "[redacted]"], "portal": ["1", "2"]}


def test_record_refuses_a_workspace_of_another_org(org):
    with pytest.raises(ValueError, match="not in that org"):
        recording.record(
            action="exported", org=org, workspace=f.WorkspaceFactory(), entity_type="flow"
        )


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_actor_is_registered_again():
    from audit.models import ActivityActor

    org = f.OrganizationFactory()
    user = f.UserFactory(email="again@initech.test")
    with acting_as(Actor(user, user.email)):
        with pytest.raises(RuntimeError), transaction.atomic():
            f.TeamFactory(org=org)
            raise RuntimeError("boom")
        f.TeamFactory(org=org)
    assert ActivityActor.objects.filter(org_id=org.pk, email="again@initech.test").exists()


def test_each_actors_newest_entry_time_is_kept_as_entries_are_written(org):
    # The email filter reads the actors whose newest entries are newest (audit.filters).
    import datetime

    from django.utils import timezone

    from audit.models import ActivityActor

    now = timezone.now().replace(microsecond=123456)
    other = f.OrganizationFactory()

    def draft(email, minutes_ago, org_id=org.pk):
        return recording.Draft(
            org_id=org_id,
            action="updated",
            entity_type="flow",
            created_at=now - datetime.timedelta(minutes=minutes_ago),
            actor=(None, email, ""),
        )

    def newest(org_id=org.pk):
        actors = ActivityActor.objects.filter(org_id=org_id, email__endswith="@x.test")
        return dict(actors.values_list("email", "newest_at"))

    recording.bulk_record([draft("ada@x.test", 9), draft("bob@x.test", 5), draft("ada@x.test", 7)])
    minutes = datetime.timedelta(minutes=1)
    assert newest() == {"ada@x.test": now - 7 * minutes, "bob@x.test": now - 5 * minutes}
    recording.bulk_record([draft("ada@x.test", 2), draft("BOB@x.test", 30), draft("eve@x.test", 1)])
    assert newest() == {
        "ada@x.test": now - 2 * minutes,
        "bob@x.test": now - 5 * minutes,  # an older entry written later does not move it back
        "eve@x.test": now - minutes,
    }
    recording.bulk_record([draft("ada@x.test", 0, org_id=other.pk)])
    assert newest(other.pk) == {"ada@x.test": now}
    assert newest()["ada@x.test"] == now - 2 * minutes
    with acting_as(Actor(None, "Carol@X.test")):
        entry = record_one(org)
    assert newest()["carol@x.test"] == entry.created_at


def test_workspace_names_are_registered_as_entries_are_written(db):
    from audit.models import ActivityWorkspaceName

    ws = f.WorkspaceFactory(name="Launch")
    f.FlowFactory(workspace=ws)
    ws.name = "Relaunch"
    ws.save()
    names = ActivityWorkspaceName.objects.filter(org_id=ws.org_id, workspace_id=ws.pk)
    assert set(names.values_list("name", flat=True)) == {"Launch", "Relaunch"}


# --- the chain head a service already holds (audit.recording._held_head) --------------------


def record_one(org, label="x"):
    return recording.record(action="exported", org=org, entity_type="flow", entity_label=label)


def test_an_entry_after_lock_org_costs_its_insert_and_the_heads_update(org):
    from orgs.locking import lock_org

    record_one(org)  # the actor and the org's chain exist
    with transaction.atomic(), acting_as(Actor()):
        record_one(org)
        lock_org(org)
        with CaptureQueriesContext(connection) as queries:
            entry = record_one(org)
    statements = [q["sql"] for q in queries if not q["sql"].startswith(("SAVEPOINT", "RELEASE"))]
    assert [sql.split()[0] for sql in statements] == ["INSERT", "UPDATE"], statements
    head = recording.ActivityChain.objects.get(pk=org.pk)
    assert (head.seq, head.head_hash) == (entry.seq, entry.hash)


def test_a_rolled_back_savepoint_makes_the_next_entry_read_the_head_again(org, log):
    from orgs.locking import lock_org

    with transaction.atomic():
        lock_org(org)
        record_one(org, "kept")
        with pytest.raises(RuntimeError), transaction.atomic():
            record_one(org, "undone")
            raise RuntimeError("boom")
        with CaptureQueriesContext(connection) as queries:
            record_one(org, "after")
    assert any('FROM "audit_activitychain"' in q["sql"] for q in queries)  # read again
    entries = sorted(log(org), key=lambda e: e.seq)
    assert [e.entity_label for e in entries][-2:] == ["kept", "after"]
    assert [e.seq for e in entries] == list(range(1, len(entries) + 1))
    assert all(b.prev_hash == a.hash for a, b in zip(entries, entries[1:], strict=False))
    head = recording.ActivityChain.objects.get(pk=org.pk)
    assert (head.seq, head.head_hash) == (entries[-1].seq, entries[-1].hash)


def test_a_lock_taken_in_a_rolled_back_savepoint_is_taken_again(org, log):
    from orgs.locking import lock_org

    with transaction.atomic():
        with pytest.raises(RuntimeError), transaction.atomic():
            lock_org(org)
            raise RuntimeError("boom")
        with CaptureQueriesContext(connection) as queries:
            record_one(org)
    assert any('FROM "audit_activitychain"' in q["sql"] for q in queries)
    seqs = sorted(e.seq for e in log(org))
    assert seqs == list(range(1, len(seqs) + 1))


def test_a_new_workspace_name_is_registered_once(org):
    from audit.models import ActivityWorkspaceName

    ws = ws_of(org)
    Workspace.objects.filter(pk=ws.pk).update(name="Renamed")  # no entry: the name is new
    ws.name = "Renamed"
    with CaptureQueriesContext(connection) as first:
        recording.record(action="exported", org=org, workspace=ws, entity_type="flow")
    with CaptureQueriesContext(connection) as again:
        recording.record(action="exported", org=org, workspace=ws, entity_type="flow")
    inserts = [q["sql"] for q in again if q["sql"].startswith("INSERT")]
    assert [sql for sql in inserts if "audit_activity" in sql and "entry" not in sql] == []
    assert len(again) == len(first) - 1
    names = ActivityWorkspaceName.objects.filter(org_id=org.pk, workspace_id=ws.pk)
    assert sorted(names.values_list("name", flat=True)) == ["Marketing", "Renamed"]
