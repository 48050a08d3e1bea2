"""Signal receivers that write the activity log: every save, delete and team-membership change
of a tracked model (audit.tracking.TRACKERS), whoever made it — a console view, the Django admin
site, a command or the shell. Connected in AuditConfig.ready().

- post_init snapshots the loaded values; post_save diffs against them (no SELECT), writes
  nothing when nothing changed, and takes a fresh snapshot.
- pre_delete describes the instance while its related rows still exist (cascades delete
  children first); post_delete writes the entry.
- Team members added with `team.members.add()` (bulk-created rows, no post_save) are recorded
  from m2m_changed; removals delete TeamMembership rows one by one, so post_delete records them.
- The SSO configuration's domains (an m2m) are recorded as an update of the SSO entity.

Receivers are connected per tracked model, so untracked models (scans, audience contacts) keep
Django's fast delete path.
"""

from __future__ import annotations

from django.db.models.signals import (
    m2m_changed,
    post_delete,
    post_init,
    post_save,
    pre_delete,
    pre_save,
)

from orgs.models import SSOConfiguration, Team, User

from . import recording, tracking
from .models import Action

UID = "audit."


def on_init(sender, instance, **kwargs):
    instance._audit_old = tracking.TRACKERS[sender].snapshot(instance)


def on_pre_save(sender, instance, raw=False, **kwargs):
    """An instance built with an explicit pk but never loaded (`Flow(pk=3, …).save()`) has no
    snapshot of the stored values: read them now, the only case that costs a SELECT."""
    if raw or not instance._state.adding or instance.pk is None:
        return
    stored = sender._base_manager.filter(pk=instance.pk).first()
    if stored is not None:
        instance._audit_old = stored._audit_old


def on_save(sender, instance, created, raw=False, update_fields=None, **kwargs):
    tracking.remember(instance)
    if raw:  # loaddata: fixtures are not changes made by anyone
        return
    tracker = tracking.TRACKERS[sender]
    old = getattr(instance, "_audit_old", None)
    if created or old is None:
        action, changes = Action.CREATED, tracker.values(instance, created=True)
    else:
        action, changes = Action.UPDATED, tracker.diff(instance, old, update_fields)
    if action == Action.UPDATED and not changes:
        return
    draft = recording.draft_for(tracker, instance, action, changes)
    recording.bulk_record([draft])
    if update_fields is None or old is None:
        instance._audit_old = tracker.snapshot(instance)
    else:
        names = [f.attname for f in tracker.fields if f.name in update_fields]
        instance._audit_old.update(tracker.snapshot(instance, names))


def on_pre_delete(sender, instance, **kwargs):
    tracker = tracking.TRACKERS[sender]
    changes = tracker.values(instance, created=False)
    instance._audit_deletion = recording.draft_for(tracker, instance, Action.DELETED, changes)


def on_delete(sender, instance, **kwargs):
    draft = instance.__dict__.pop("_audit_deletion", None)
    if draft is None:
        tracker = tracking.TRACKERS[sender]
        changes = tracker.values(instance, created=False)
        draft = recording.draft_for(tracker, instance, Action.DELETED, changes)
    recording.bulk_record([draft])


def on_user_saved(sender, instance, **kwargs):
    tracking.remember(instance)  # a new email shows in entries written later in this request


# --- many-to-many ---------------------------------------------------------------------------


def on_team_members_changed(sender, instance, action, reverse, model, pk_set, **kwargs):
    """`team.members.add(user…)` / `user.teams.add(team…)`: one team_member entry per pair.
    Removals and clears delete TeamMembership rows, recorded by their post_delete."""
    if action != "post_add" or not pk_set:
        return
    if reverse:  # instance is a user, pk_set are teams
        teams = tracking.lookup_many(Team, pk_set)
        pairs = [(team_id, instance.pk) for team_id in sorted(pk_set)]
        users = {instance.pk: {"email": instance.email}}
    else:
        teams = {instance.pk: tracking.values_of(instance)}
        pairs = [(instance.pk, user_id) for user_id in sorted(pk_set)]
        users = tracking.lookup_many(User, pk_set)
    drafts = []
    for team_id, user_id in pairs:
        team, user = teams.get(team_id), users.get(user_id)
        if team is None:
            continue  # not possible for a team just added to; never guess an org
        email = user["email"] if user else f"user #{user_id}"
        team_name = team["name"] if team else f"team #{team_id}"
        drafts.append(
            recording.Draft(
                org_id=team["org_id"],
                action=Action.CREATED,
                entity_type="team_member",
                entity_id=str(user_id),
                entity_label=f"{email} in {team_name}"[:255],
                changes={"team": [None, team_name], "user": [None, email]},
            )
        )
    recording.bulk_record(drafts)


def _sso_domains(sso_ids) -> dict[int, list[str]]:
    through = SSOConfiguration.domains.through
    hostnames = {sso_id: [] for sso_id in sso_ids}
    rows = through.objects.filter(ssoconfiguration_id__in=sso_ids).values_list(
        "ssoconfiguration_id", "domain__hostname"
    )
    for sso_id, hostname in rows:
        hostnames[sso_id].append(hostname)
    return {sso_id: sorted(names) for sso_id, names in hostnames.items()}


def on_sso_domains_changed(sender, instance, action, reverse, model, pk_set, **kwargs):
    """The domains an SSO configuration covers: one `updated` entry per configuration with
    {"domains": [before, after]}."""
    if action.startswith("pre_"):
        if not reverse:
            sso_ids = [instance.pk]
        elif pk_set is not None:
            sso_ids = list(pk_set)
        else:
            sso_ids = list(instance.sso_configurations.values_list("pk", flat=True))
        instance._audit_sso_before = _sso_domains(sso_ids)
        return
    before = instance.__dict__.pop("_audit_sso_before", None)
    if not before:
        return
    after = _sso_domains(list(before))
    configs = SSOConfiguration.objects.filter(
        pk__in=[pk for pk in before if before[pk] != after[pk]]
    )
    drafts = []
    for sso in configs:
        subject = tracking.TRACKERS[SSOConfiguration].describe(sso)
        drafts.append(
            recording.Draft(
                org_id=subject.org_id,
                action=Action.UPDATED,
                entity_type="sso",
                entity_id=subject.entity_id,
                entity_label=subject.entity_label,
                changes={"domains": [before[sso.pk], after[sso.pk]]},
            )
        )
    recording.bulk_record(drafts)


# --- wiring -----------------------------------------------------------------------------------


def _snapshotting_refresh(original):
    """refresh_from_db() reloads values in place: the snapshot follows, so the next save is
    diffed against what the database holds (deferred fields included, loaded on access)."""

    def refresh_from_db(self, using=None, fields=None, from_queryset=None):
        original(self, using=using, fields=fields, from_queryset=from_queryset)
        tracker = tracking.tracker_for(self)
        if tracker is None:
            return
        names = None
        if fields is not None:
            wanted = set(fields)
            names = [f.attname for f in tracker.fields if f.name in wanted or f.attname in wanted]
        self._audit_old = {**getattr(self, "_audit_old", {}), **tracker.snapshot(self, names)}

    refresh_from_db.__wrapped__ = original
    return refresh_from_db


def connect() -> None:
    for model in tracking.TRACKERS:
        name = model._meta.label_lower
        post_init.connect(on_init, sender=model, dispatch_uid=UID + "init." + name)
        pre_save.connect(on_pre_save, sender=model, dispatch_uid=UID + "pre_save." + name)
        post_save.connect(on_save, sender=model, dispatch_uid=UID + "save." + name)
        pre_delete.connect(on_pre_delete, sender=model, dispatch_uid=UID + "pre_delete." + name)
        post_delete.connect(on_delete, sender=model, dispatch_uid=UID + "delete." + name)
        if "refresh_from_db" not in model.__dict__:
            model.refresh_from_db = _snapshotting_refresh(model.refresh_from_db)
    post_save.connect(on_user_saved, sender=User, dispatch_uid=UID + "user_saved")
    m2m_changed.connect(
        on_team_members_changed,
        sender=Team.members.through,
        dispatch_uid=UID + "team_members",
    )
    m2m_changed.connect(
        on_sso_domains_changed,
        sender=SSOConfiguration.domains.through,
        dispatch_uid=UID + "sso_domains",
    )
