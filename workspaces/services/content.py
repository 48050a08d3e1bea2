"""Writes to a workspace's content other than flows: flow templates, assets, brand kits and
audience contacts (atomic; actor keyword-only). Audience exports go through here too, so that
the one place an export happens is the place it is recorded: small ones stream from the
request, large ones are background jobs of kind "audience" (registered below with
audit.exports)."""

import re
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import urlencode

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.http import QueryDict
from django.utils import timezone

from audit.context import service
from audit.exports import Exporter, export_queue, register
from audit.models import ExportJob, ExportKind
from audit.recording import record
from flowadmin.downloads import csv_stream
from orgs.errors import GoneError, ServiceError
from orgs.locking import lock_org, lock_row

from .. import uploads
from ..models import Asset, AudienceContact, BrandKit, FlowTemplate
from ..selectors.content import AudienceFilters, audience_contacts

# --- flow templates ------------------------------------------------------------------------


def _lock_existing(instance) -> None:
    """The lock order of orgs.locking for a change to `instance` (a row of a workspace): the
    org, then the row, re-read so the change is compared and logged against the committed
    values; GoneError when someone else deleted it a moment ago."""
    lock_org(instance.workspace.org_id)
    if lock_row(type(instance).objects.filter(pk=instance.pk)) is None:
        raise GoneError(f"{instance._meta.verbose_name.capitalize()} {instance}")
    instance.refresh_from_db()


def _clean(instance) -> None:
    """Model validation as a ServiceError, so views and commands show one clear message."""
    try:
        instance.full_clean(exclude=["workspace"])
    except ValidationError as error:
        raise ServiceError(
            [
                message if name == NON_FIELD_ERRORS else f"{_label(instance, name)}: {message}"
                for name, field_messages in error.message_dict.items()
                for message in field_messages
            ]
        ) from None


def _label(instance, field_name: str) -> str:
    return str(instance._meta.get_field(field_name).verbose_name).capitalize()


@service
def flow_template_create(
    *, actor, workspace, name: str, default_destination: str = "", description: str = ""
) -> FlowTemplate:
    lock_org(workspace.org_id)
    template = FlowTemplate(
        workspace=workspace,
        name=name.strip(),
        default_destination=default_destination.strip(),
        description=description.strip(),
    )
    _clean(template)
    template.save()
    return template


@service
def flow_template_update(
    *, actor, template: FlowTemplate, name: str, default_destination: str, description: str
) -> FlowTemplate:
    _lock_existing(template)
    template.name = name.strip()
    template.default_destination = default_destination.strip()
    template.description = description.strip()
    _clean(template)
    template.save(update_fields=["name", "default_destination", "description"])
    return template


@service
def flow_template_delete(*, actor, template: FlowTemplate) -> None:
    _lock_existing(template)
    template.delete()


# --- assets --------------------------------------------------------------------------------


def _delete_file_on_commit(field_file) -> None:
    """Remove a stored file once the row that pointed at it is gone for good."""
    if field_file:
        storage, name = field_file.storage, field_file.name
        transaction.on_commit(lambda: storage.delete(name))


@service
def asset_create(*, actor, workspace, upload, name: str = "") -> Asset:
    """Store an uploaded image or PDF. Its type and size come from its content (see
    workspaces.uploads); an invalid file raises ValidationError and nothing is stored."""
    inspected = uploads.inspect_asset(upload)
    lock_org(workspace.org_id)
    name = (name or upload.name or "").strip()[:200] or f"Untitled {inspected.extension.upper()}"
    asset = Asset(
        workspace=workspace,
        name=name,
        content_type=inspected.content_type,
        size=inspected.size,
        uploaded_by=actor,
    )
    upload.seek(0)
    asset.file.save(uploads.random_name(inspected.extension), upload, save=False)
    try:
        asset.save()
    except Exception:
        asset.file.storage.delete(asset.file.name)  # no row, no file
        raise
    return asset


@service
def asset_delete(*, actor, asset: Asset) -> None:
    _lock_existing(asset)
    _delete_file_on_commit(asset.file)
    asset.delete()


# --- brand kits ----------------------------------------------------------------------------

FONT_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 \-]*$")


@dataclass(frozen=True)
class BrandKitData:
    name: str
    primary_color: str
    secondary_color: str
    accent_color: str
    font: str = ""


def _apply_brand_kit(kit: BrandKit, data: BrandKitData) -> None:
    kit.name = data.name.strip()
    kit.primary_color = data.primary_color.strip().lower()
    kit.secondary_color = data.secondary_color.strip().lower()
    kit.accent_color = data.accent_color.strip().lower()
    kit.font = " ".join(data.font.split())
    if kit.font and not FONT_RE.match(kit.font):
        raise ServiceError("Font: use letters, digits, spaces and hyphens only.")
    _clean(kit)


@service
def brand_kit_create(*, actor, workspace, data: BrandKitData, logo=None) -> BrandKit:
    """`logo` is an uploaded image (or the result of uploads.process_logo): it is validated and
    stored re-encoded as a PNG."""
    lock_org(workspace.org_id)
    kit = BrandKit(workspace=workspace)
    _apply_brand_kit(kit, data)
    if logo is not None:
        logo = uploads.process_logo(logo)
        kit.logo.save(logo.name, logo, save=False)
    kit.save()
    return kit


@service
def brand_kit_update(
    *, actor, brand_kit: BrandKit, data: BrandKitData, logo=None, remove_logo: bool = False
) -> BrandKit:
    """Change a brand kit; a new `logo` replaces the old one, `remove_logo` drops it."""
    _lock_existing(brand_kit)
    _apply_brand_kit(brand_kit, data)
    if logo is not None:
        logo = uploads.process_logo(logo)
    if logo is not None or remove_logo:
        _delete_file_on_commit(brand_kit.logo)
        brand_kit.logo = ""
    if logo is not None:
        brand_kit.logo.save(logo.name, logo, save=False)
    brand_kit.save()
    return brand_kit


@service
def brand_kit_delete(*, actor, brand_kit: BrandKit) -> None:
    _lock_existing(brand_kit)
    _delete_file_on_commit(brand_kit.logo)
    brand_kit.delete()


# --- audience ------------------------------------------------------------------------------

TAG_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,39}$")
MAX_TAGS = 20


def normalize_tag(tag: str) -> str:
    """Tags are short lowercase words: letters, digits, '-' and '_' (spaces become '-')."""
    tag = "-".join(tag.strip().lower().split())
    if not TAG_RE.match(tag):
        raise ServiceError(
            "A tag is 1 to 40 lowercase letters, digits, '-' or '_', starting with a letter or "
            "digit."
        )
    return tag


@service
def contact_delete(*, actor, contact: AudienceContact) -> None:
    _lock_existing(contact)
    contact.delete()


@service
def contact_tag_add(*, actor, contact: AudienceContact, tag: str) -> AudienceContact:
    tag = normalize_tag(tag)
    lock_org(contact.workspace.org_id)
    locked = lock_row(AudienceContact.objects.filter(pk=contact.pk))
    if locked is None:
        raise GoneError(f"Contact {contact.email}")
    if tag not in locked.tags:
        if len(locked.tags) >= MAX_TAGS:
            raise ServiceError(f"A contact can have at most {MAX_TAGS} tags.")
        locked.tags = sorted([*locked.tags, tag])
        locked.save(update_fields=["tags"])
    contact.tags = locked.tags
    return contact


@service
def contact_tag_remove(*, actor, contact: AudienceContact, tag: str) -> AudienceContact:
    lock_org(contact.workspace.org_id)
    locked = lock_row(AudienceContact.objects.filter(pk=contact.pk))
    if locked is None:
        raise GoneError(f"Contact {contact.email}")
    if tag in locked.tags:
        locked.tags = [t for t in locked.tags if t != tag]
        locked.save(update_fields=["tags"])
    contact.tags = locked.tags
    return contact


AUDIENCE_CSV_HEADER = ("email", "name", "source_flow", "collected_at", "consent", "tags")


def _audience_rows(workspace, filters: AudienceFilters) -> Iterator[tuple]:
    """The matching contacts as CSV cells, newest first, read with a database iterator (chunks
    of 2,000) so an export of any size runs in constant memory."""
    rows = (
        audience_contacts(workspace, filters)
        .order_by("-collected_at", "-id")
        .values_list("email", "name", "source_flow__name", "collected_at", "consent", "tags")
        .iterator(chunk_size=2000)
    )
    for email, name, flow, collected_at, consent, tags in rows:
        yield (
            email,
            name,
            flow,
            timezone.localtime(collected_at).isoformat(timespec="seconds"),
            "yes" if consent else "no",
            ";".join(tags or ()),
        )


def audience_csv(workspace, filters: AudienceFilters) -> Iterator[str]:
    """The CSV text lines (header first) of the matching contacts, through the shared writer
    (flowadmin.downloads.csv_stream: cells a spreadsheet would run as formulas are neutralised)."""
    return csv_stream(AUDIENCE_CSV_HEADER, _audience_rows(workspace, filters))


def audience_export_filename(workspace) -> str:
    return f"{workspace.slug}-audience-{timezone.localdate():%Y-%m-%d}.csv"


def _record_audience_export(workspace, filters: AudienceFilters, *, background=False) -> None:
    changes = {"filters": [None, filters.as_dict() or "none"]}
    if background:
        changes["delivery"] = [None, "background"]
    record(
        action="exported",
        org=workspace.org_id,
        workspace=workspace,
        entity_type="audience_export",
        entity_id=workspace.pk,
        entity_label=f"Audience of {workspace.name}",
        changes=changes,
    )


@service
def audience_export(*, actor, workspace, filters: AudienceFilters) -> Iterator[str]:
    """A small export, streamed by the request: logged (action `exported`, entity
    `audience_export`, with the filters), then the CSV lines (audience_csv). Every audience
    export, streamed or in the background, is logged by this module."""
    _record_audience_export(workspace, filters)
    return audience_csv(workspace, filters)


@service
def audience_export_start(*, actor, workspace, filters: AudienceFilters, rows: int) -> ExportJob:
    """A large export as a background job (audit.exports): logged with `delivery: background`,
    then queued; the worker writes audience_csv to storage. `rows`: how many contacts match
    now (the progress bar's total)."""
    _record_audience_export(workspace, filters, background=True)
    return export_queue(
        actor=actor,
        kind=ExportKind.AUDIENCE,
        org=workspace.org,
        workspace=workspace,
        query=urlencode(filters.as_dict()),
        rows=rows,
    )


def _audience_job_lines(job: ExportJob) -> Iterator[str]:
    return audience_csv(job.workspace, AudienceFilters.from_query(QueryDict(job.query)))


register(
    ExportKind.AUDIENCE,
    Exporter(_audience_job_lines, lambda job: audience_export_filename(job.workspace)),
)
