"""What the activity log tracks and how it describes a change (SPEC §5).

A `Tracker` per model knows the entity type slug, where an instance belongs (org, workspace),
its id and readable label, and which fields to diff. Old values are snapshotted when an instance
is loaded (post_init), so diffing a save costs no SELECT; labels of related objects (a
workspace's name, a user's email) come from the instance's own relation cache or the
per-request lookup cache in `audit.context`.

Not tracked per row, by design: scans (one per QR scan, the hottest table) and audience contacts
(collected by the thousand from public pages). Exporting audience data is logged through
`audit.recording.record(action="exported", entity_type="audience_export", …)`.
"""

from __future__ import annotations

import datetime
import decimal
import json
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.core.files import File
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models

from orgs.models import (
    USER_COPIES,
    Domain,
    IntegrationInstallation,
    Invitation,
    Organization,
    OrgMembership,
    ScimToken,
    ScimUser,
    SSOConfiguration,
    Team,
    TeamMembership,
)
from workspaces.models import (
    Asset,
    BrandKit,
    Flow,
    FlowTemplate,
    TeamAccess,
    Workspace,
    WorkspaceMembership,
)

from . import context
from .models import ActivityStream

REDACTED = "[redacted]"
# Field names whose values never reach the log (any field whose name contains one of these).
SENSITIVE_NAMES = ("password", "token", "secret", "api_key", "private_key")
# Bookkeeping timestamps: not worth a line when something is created or deleted.
QUIET_ON_CREATE = {"created_at", "updated_at", "added_at", "joined_at"}


def is_sensitive(name: str) -> bool:
    lowered = name.lower()
    return any(part in lowered for part in SENSITIVE_NAMES)


def redact(value):
    return None if value in (None, "") else REDACTED


def scrub(changes: dict) -> dict:
    """Changes with the values of sensitive-looking fields redacted: a last line of defence
    for entries written through `audit.recording.record`."""
    clean = {}
    for name, value in changes.items():
        if not is_sensitive(name):
            clean[name] = value
        elif isinstance(value, list) and len(value) == 2:
            clean[name] = [redact(value[0]), redact(value[1])]
        else:
            clean[name] = redact(value)
    return clean


# --- values -----------------------------------------------------------------------------


def to_json_value(value):
    """A JSON-safe, comparable copy of a field value (the form stored in `changes`)."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, File):
        return value.name or ""
    if isinstance(value, datetime.datetime):
        if value.tzinfo is not None:
            value = value.astimezone(datetime.UTC)
        return value.isoformat()
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, float):
        # Stored as text: jsonb and JSON round trips may not keep a float's exact spelling,
        # and the entry's hash must survive them.
        return repr(value)
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, dict | list | tuple):
        return json.loads(json.dumps(value, cls=DjangoJSONEncoder), parse_float=str)
    return str(value)


def _empty(value) -> bool:
    return value is None or value == "" or value == [] or value == {}


# --- labels of related objects (no query when cached) ------------------------------------

# model label → the fields a lookup loads; the last one is the object's readable label.
LOOKUP_FIELDS = {
    "orgs.organization": ("name",),
    "orgs.user": ("email",),
    "orgs.team": ("org_id", "name"),
    "orgs.domain": ("org_id", "hostname"),
    "workspaces.workspace": ("org_id", "name"),
    "workspaces.flow": ("name",),
}


def _lookup_key(model, pk):
    return ("audit.lookup", model._meta.label_lower, pk)


def values_of(obj) -> dict | None:
    names = LOOKUP_FIELDS.get(obj._meta.label_lower)
    if names is None:
        return None
    return {name: getattr(obj, name) for name in names}


def remember(obj) -> None:
    """Keep the lookup cache in step with an object just saved (a rename shows at once)."""
    values = values_of(obj)
    if values is not None and obj.pk is not None:
        context.remember(_lookup_key(obj._meta.model, obj.pk), values)


def lookup(model, pk) -> dict | None:
    """The LOOKUP_FIELDS of model #pk (None if it no longer exists), cached per context."""
    names = LOOKUP_FIELDS[model._meta.label_lower]
    return context.cached(
        _lookup_key(model, pk),
        lambda: next(iter(model._base_manager.filter(pk=pk).values(*names)[:1]), None),
    )


def lookup_many(model, pks: Iterable) -> dict:
    """{pk: values} for many pks in at most one query."""
    names = LOOKUP_FIELDS[model._meta.label_lower]
    found, missing = {}, []
    for pk in pks:
        values = context.peek(_lookup_key(model, pk))
        if values is None:
            missing.append(pk)
        else:
            found[pk] = values
    if missing:
        for row in model._base_manager.filter(pk__in=missing).values("pk", *names):
            pk = row.pop("pk")
            context.remember(_lookup_key(model, pk), row)
            found[pk] = row
    return found


def related(instance, name: str) -> dict | None:
    """LOOKUP_FIELDS of the object a foreign key points to: from the instance's relation cache
    when loaded, else from the lookup cache, else one query."""
    fk = instance._meta.get_field(name)
    pk = getattr(instance, fk.attname)
    if pk is None:
        return None
    if fk.is_cached(instance):
        obj = fk.get_cached_value(instance)
        if obj is not None and obj.pk == pk:
            remember(obj)
            return values_of(obj)
    return lookup(fk.related_model, pk)


def label_of(model, pk, values: dict | None = None) -> str:
    if pk is None:
        return ""
    names = LOOKUP_FIELDS.get(model._meta.label_lower)
    if names is None:
        return f"#{pk}"
    values = values if values is not None else lookup(model, pk)
    return str(values[names[-1]]) if values else f"#{pk} (deleted)"


# --- what an entry is about ---------------------------------------------------------------


@dataclass
class Subject:
    org_id: int
    entity_id: str
    entity_label: str
    workspace_id: int | None = None
    workspace_name: str = ""


def _in_workspace(instance, entity_id, label) -> Subject:
    ws = related(instance, "workspace") or {}
    return Subject(
        org_id=ws.get("org_id"),
        entity_id=str(entity_id),
        entity_label=str(label)[:255],
        workspace_id=instance.workspace_id,
        workspace_name=ws.get("name", "")[:120],
    )


def _in_org(instance, entity_id, label, workspace_optional=False) -> Subject:
    subject = Subject(org_id=instance.org_id, entity_id=str(entity_id), entity_label=label[:255])
    if workspace_optional and instance.workspace_id is not None:
        ws = related(instance, "workspace") or {}
        subject.workspace_id = instance.workspace_id
        subject.workspace_name = ws.get("name", "")[:120]
    return subject


def _user_email(instance, name="user"):
    values = related(instance, name)
    return values["email"] if values else f"user #{getattr(instance, name + '_id')}"


def _describe_org(org: Organization) -> Subject:
    return Subject(org_id=org.pk, entity_id=str(org.pk), entity_label=org.name[:255])


def _describe_org_member(m: OrgMembership) -> Subject:
    return _in_org(m, m.user_id, _user_email(m))


def _describe_invitation(inv: Invitation) -> Subject:
    return _in_org(inv, inv.pk, inv.email)


def _describe_team(team: Team) -> Subject:
    return _in_org(team, team.pk, team.name)


def _describe_team_member(tm: TeamMembership) -> Subject:
    team = related(tm, "team") or {}
    return Subject(
        org_id=team.get("org_id"),
        entity_id=str(tm.user_id),
        entity_label=f"{_user_email(tm)} in {team.get('name', f'team #{tm.team_id}')}"[:255],
    )


def _describe_workspace(ws: Workspace) -> Subject:
    return Subject(
        org_id=ws.org_id,
        entity_id=str(ws.pk),
        entity_label=ws.name[:255],
        workspace_id=ws.pk,
        workspace_name=ws.name[:120],
    )


def _describe_workspace_member(m: WorkspaceMembership) -> Subject:
    return _in_workspace(m, m.user_id, _user_email(m))


def _describe_team_access(access: TeamAccess) -> Subject:
    return _in_workspace(
        access, access.team_id, label_of(Team, access.team_id, related(access, "team"))
    )


def _describe_domain(domain: Domain) -> Subject:
    return _in_org(domain, domain.pk, domain.hostname, workspace_optional=True)


def _describe_integration(inst: IntegrationInstallation) -> Subject:
    app = inst.catalog_app
    return _in_org(inst, inst.pk, app.name if app else inst.app, workspace_optional=True)


def _describe_sso(sso: SSOConfiguration) -> Subject:
    return _in_org(sso, sso.pk, f"SSO ({sso.get_protocol_display()})")


def _describe_stream(stream) -> Subject:
    return _in_org(stream, stream.pk, str(stream))


def _describe_scim_token(token: ScimToken) -> Subject:
    return _in_org(token, token.pk, f"SCIM token {token.name}")


def _describe_scim_user(scim_user: ScimUser) -> Subject:
    return _in_org(scim_user, scim_user.user_id, _user_email(scim_user))


def _describe_content(obj) -> Subject:
    return _in_workspace(obj, obj.pk, obj.name)


# --- diffs ------------------------------------------------------------------------------


def _integration_secret_changes(before: str | None, after: str | None) -> dict:
    """Which secret settings changed, by name only; values never leave this function."""
    if (before or "") == (after or ""):
        return {}
    from orgs import crypto

    try:
        old_secrets = crypto.decrypt_json(before or "")
        new_secrets = crypto.decrypt_json(after or "")
    except ValueError:
        return {"secrets": [redact(before), redact(after)]}
    return {
        f"secret {name}": [redact(old_secrets.get(name)), redact(new_secrets.get(name))]
        for name in sorted(set(old_secrets) | set(new_secrets))
        if old_secrets.get(name) != new_secrets.get(name)
    }


# Columns computed from another logged one (orgs.names.fold(name)): never logged on their own.
DERIVED = {"name_key"}


@dataclass
class Tracker:
    model: type[models.Model]
    entity_type: str
    describe: Callable[[models.Model], Subject]
    # Fields that place the entry (shown in its own columns): left out of created/deleted diffs.
    scope_fields: tuple[str, ...] = ("org",)
    # Fields diffed by a function (raw old value, raw new value) → changes, e.g. the encrypted
    # secrets of an integration.
    custom: dict[str, Callable[[object, object], dict]] = field(default_factory=dict)
    # Bookkeeping fields never logged (e.g. an activity stream's delivery state).
    ignore: tuple[str, ...] = ()

    def __post_init__(self):
        self.fields = [
            f
            for f in self.model._meta.concrete_fields
            if not f.primary_key
            and f.name not in self.ignore
            and f.name not in DERIVED
            and not getattr(f, "auto_now", False)
            and not getattr(f, "auto_now_add", False)
        ]
        self.by_attname = {f.attname: f for f in self.fields}

    # --- snapshot --------------------------------------------------------------------------
    def snapshot(self, instance, attnames: Iterable[str] | None = None) -> dict:
        """The instance's current values (those loaded: deferred fields are left out)."""
        data = instance.__dict__
        names = self.by_attname if attnames is None else attnames
        return {name: to_json_value(data[name]) for name in names if name in data}

    # --- changes ---------------------------------------------------------------------------
    def _display(self, f, value, instance=None):
        """A value as the log shows it: redacted if sensitive, a label for a relation."""
        if value is None:
            return None
        if is_sensitive(f.name):
            return redact(value)
        if f.is_relation:
            cached = None
            if instance is not None and getattr(instance, f.attname) == value:
                cached = related(instance, f.name)
            return label_of(f.related_model, value, cached)
        return value

    def diff(self, instance, old: dict, update_fields=None) -> dict:
        """{field: [old, new]} of the fields that differ from the snapshot `old`."""
        changes = {}
        for attname, f in self.by_attname.items():
            if update_fields is not None and f.name not in update_fields:
                continue
            if attname not in old:
                continue  # deferred when loaded: its old value is unknown
            raw = instance.__dict__.get(attname)
            if f.name in self.custom:
                changes.update(self.custom[f.name](old[attname], raw))
                continue
            new = to_json_value(raw)
            if new != old[attname]:
                changes[f.name] = [
                    self._display(f, old[attname]),
                    self._display(f, new, instance),
                ]
        return changes

    def values(self, instance, *, created: bool) -> dict:
        """The non-empty fields of an instance, as {field: [None, value]} when it was created
        or {field: [value, None]} when it is deleted."""
        changes = {}
        for attname, f in self.by_attname.items():
            if f.name in self.scope_fields or f.name in QUIET_ON_CREATE:
                continue
            if attname not in instance.__dict__:
                continue
            raw = instance.__dict__[attname]
            if f.name in self.custom:
                before, after = (None, raw) if created else (raw, None)
                changes.update(self.custom[f.name](before, after))
                continue
            value = to_json_value(raw)
            if _empty(value):
                continue
            shown = self._display(f, value, instance)
            changes[f.name] = [None, shown] if created else [shown, None]
        return changes


TRACKERS: dict[type[models.Model], Tracker] = {
    tracker.model: tracker
    for tracker in [
        Tracker(Organization, "org", _describe_org, scope_fields=()),
        Tracker(OrgMembership, "org_member", _describe_org_member, ignore=USER_COPIES),
        Tracker(Invitation, "invitation", _describe_invitation),
        Tracker(Team, "team", _describe_team),
        Tracker(TeamMembership, "team_member", _describe_team_member),
        Tracker(Workspace, "workspace", _describe_workspace),
        Tracker(
            WorkspaceMembership,
            "workspace_member",
            _describe_workspace_member,
            scope_fields=("workspace",),
        ),
        Tracker(TeamAccess, "team_access", _describe_team_access, scope_fields=("workspace",)),
        Tracker(Domain, "domain", _describe_domain, scope_fields=("org", "workspace")),
        Tracker(
            IntegrationInstallation,
            "integration",
            _describe_integration,
            scope_fields=("org", "workspace"),
            custom={"secrets_encrypted": _integration_secret_changes},
        ),
        Tracker(
            SSOConfiguration,
            "sso",
            _describe_sso,
            custom={"secrets_encrypted": _integration_secret_changes},
        ),
        Tracker(
            ActivityStream,
            "activity_stream",
            _describe_stream,
            custom={"secrets_encrypted": _integration_secret_changes},
            ignore=ActivityStream.DELIVERY_FIELDS,
        ),
        Tracker(ScimToken, "scim_token", _describe_scim_token),
        Tracker(ScimUser, "scim_user", _describe_scim_user),
        Tracker(Flow, "flow", _describe_content, scope_fields=("workspace",)),
        Tracker(FlowTemplate, "flow_template", _describe_content, scope_fields=("workspace",)),
        Tracker(Asset, "asset", _describe_content, scope_fields=("workspace",)),
        Tracker(BrandKit, "brand_kit", _describe_content, scope_fields=("workspace",)),
    ]
}


def tracker_for(instance_or_model) -> Tracker | None:
    model = instance_or_model if isinstance(instance_or_model, type) else type(instance_or_model)
    return TRACKERS.get(model)
