"""Reads of a workspace's content shared by views and services: the lists of its templates,
assets and brand kits, and the audience filters used by the list and by the CSV export, so both
always show the same contacts."""

import json
from dataclasses import dataclass

from django.db import connection
from django.db.models import Q, QuerySet

from ..models import Asset, AudienceContact, BrandKit, FlowTemplate


def flow_templates(workspace) -> QuerySet:
    """The workspace's flow templates, in their model's order (a queryset, to paginate)."""
    return FlowTemplate.objects.filter(workspace=workspace)


def assets(workspace) -> QuerySet:
    """The workspace's assets, each with who uploaded it (a queryset, to paginate)."""
    return Asset.objects.filter(workspace=workspace).select_related("uploaded_by")


def brand_kits(workspace) -> QuerySet:
    """The workspace's brand kits, in their model's order (a queryset, to paginate)."""
    return BrandKit.objects.filter(workspace=workspace)


@dataclass(frozen=True)
class AudienceFilters:
    q: str = ""  # substring of the email or the name
    tag: str = ""  # exact tag

    @classmethod
    def from_query(cls, params) -> "AudienceFilters":
        return cls(
            q=" ".join(params.get("q", "").split())[:200],
            tag=params.get("tag", "").strip().lower()[:40],
        )

    def as_dict(self) -> dict[str, str]:
        """The active filters (for links, the export and the activity log)."""
        return {key: value for key, value in (("q", self.q), ("tag", self.tag)) if value}

    def __bool__(self) -> bool:
        return bool(self.q or self.tag)


def has_tag(tag: str) -> Q:
    """Contacts whose `tags` list holds `tag`. PostgreSQL answers JSON containment; SQLite has
    no containment lookup, so it matches the quoted tag in the stored JSON text (tags never
    contain a quote, see workspaces.services.content.normalize_tag)."""
    if connection.features.supports_json_field_contains:
        return Q(tags__contains=[tag])
    return Q(tags__icontains=json.dumps(tag))


def audience_contacts(workspace, filters: AudienceFilters) -> QuerySet:
    contacts = AudienceContact.objects.filter(workspace=workspace)
    if filters.q:
        contacts = contacts.filter(Q(email__icontains=filters.q) | Q(name__icontains=filters.q))
    if filters.tag:
        contacts = contacts.filter(has_tag(filters.tag))
    return contacts
