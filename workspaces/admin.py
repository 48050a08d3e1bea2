"""/admin/ for workspaces: writes go through workspaces.services and orgs.services with the
operator as actor (orgs.admin_services); content the services write from uploads and forms
(templates, assets, brand kits, audience, scans) is browsed here and edited in the console."""

from django.contrib import admin
from django.db import models
from django.urls import reverse

from orgs import services as org_services
from orgs.admin_services import ReadOnlyAdmin, ServiceAdmin, ServiceInline, ServiceWrites
from orgs.roles import FLAGS

from . import services
from .models import (
    Asset,
    AudienceContact,
    BrandKit,
    Flow,
    FlowTemplate,
    Scan,
    TeamAccess,
    Workspace,
    WorkspaceMembership,
)

GRANT_FIELDS = ["role", *FLAGS]


def _submitted(obj):
    """(role, flags) as the operator left them on the form, and what the form showed."""
    shown = getattr(obj, "_stored_grant", None)
    return obj.role, obj.flags, shown


class WorkspaceMembershipWrites(ServiceWrites):
    """Direct members: add and change → workspace_member_set (org members only; a new or
    changed role starts from its default flags, then the flags the operator changed),
    delete → workspace_member_remove."""

    def create(self, request, obj, form):
        role, flags, shown = _submitted(obj)
        return services.workspace_member_set(
            actor=request.user,
            workspace=obj.workspace,
            user=obj.user,
            role=role,
            flags=services.flags_as_submitted(shown, role, flags),
        )

    def update(self, request, obj, form):
        if {"workspace", "user"} & set(getattr(obj, "_admin_changed", ())):
            raise org_services.ServiceError(
                "To give someone else access, delete the row and add the new member."
            )
        self.create(request, obj, form)

    def remove(self, request, obj):
        services.workspace_member_remove(actor=request.user, workspace=obj.workspace, user=obj.user)


class WorkspaceMembershipInline(WorkspaceMembershipWrites, ServiceInline, admin.TabularInline):
    model = WorkspaceMembership
    extra = 0
    autocomplete_fields = ["user"]
    fields = ["user", *GRANT_FIELDS]


@admin.register(Workspace)
class WorkspaceAdmin(ServiceAdmin):
    """Create → workspace_create, change → workspace_update, delete → workspace_delete (its
    domains through domain_remove, its files). The whitelabel domain and avatar are set in
    the console."""

    list_display = ["name", "slug", "org", "created_at"]
    list_filter = ["org"]
    search_fields = ["name", "slug", "org__name"]
    list_select_related = ["org"]
    autocomplete_fields = ["org"]
    fields = ["org", "name", "slug", "description"]
    inlines = [WorkspaceMembershipInline]

    def get_readonly_fields(self, request, obj=None):
        return ["org"] if obj else []

    def create(self, request, obj, form):
        return services.workspace_create(
            actor=request.user,
            org=obj.org,
            name=obj.name,
            slug=obj.slug or None,
            description=obj.description,
        )

    def update(self, request, obj, form):
        services.workspace_update(
            actor=request.user,
            workspace=Workspace.objects.get(pk=obj.pk),
            name=obj.name,
            slug=obj.slug,
            description=obj.description,
        )

    def remove(self, request, obj):
        services.workspace_delete(actor=request.user, workspace=obj)


@admin.register(WorkspaceMembership)
class WorkspaceMembershipAdmin(WorkspaceMembershipWrites, ServiceAdmin):
    list_display = ["user", "workspace", *GRANT_FIELDS]
    list_filter = [*GRANT_FIELDS, "workspace__org"]
    search_fields = ["user__email", "workspace__name"]
    list_select_related = ["user", "workspace"]
    autocomplete_fields = ["user", "workspace"]
    fields = ["workspace", "user", *GRANT_FIELDS]

    def get_readonly_fields(self, request, obj=None):
        return ["workspace", "user"] if obj else []


@admin.register(TeamAccess)
class TeamAccessAdmin(ServiceAdmin):
    """Add and change → team_access_set (the team's own org only; flag defaults as for
    members), delete → team_access_remove."""

    list_display = ["team", "workspace", *GRANT_FIELDS]
    list_filter = ["role", "workspace__org"]
    search_fields = ["team__name", "workspace__name"]
    list_select_related = ["team", "workspace"]
    autocomplete_fields = ["workspace"]
    raw_id_fields = ["team"]
    fields = ["team", "workspace", *GRANT_FIELDS]

    def get_readonly_fields(self, request, obj=None):
        return ["team", "workspace"] if obj else []

    def create(self, request, obj, form):
        role, flags, shown = _submitted(obj)
        return services.team_access_set(
            actor=request.user,
            team=obj.team,
            workspace=obj.workspace,
            role=role,
            flags=services.flags_as_submitted(shown, role, flags),
        )

    def update(self, request, obj, form):
        self.create(request, obj, form)

    def remove(self, request, obj):
        services.team_access_remove(actor=request.user, team=obj.team, workspace=obj.workspace)


@admin.register(Flow)
class FlowAdmin(ServiceAdmin):
    """Create → flow_create (a fresh short code), change → flow_update, delete →
    flow_delete."""

    list_display = ["name", "short_code", "workspace", "status", "created_at"]
    list_filter = ["status", "workspace__org"]
    search_fields = ["name", "short_code", "destination_url"]
    list_select_related = ["workspace"]
    raw_id_fields = ["workspace"]
    fields = ["workspace", "name", "destination_url", "status", "short_code", "created_by"]
    readonly_fields = ["short_code", "created_by"]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    def get_readonly_fields(self, request, obj=None):
        return [*self.readonly_fields, "workspace"] if obj else self.readonly_fields

    def create(self, request, obj, form):
        return services.flow_create(
            actor=request.user,
            workspace=obj.workspace,
            name=obj.name,
            destination_url=obj.destination_url,
            status=obj.status,
        )

    def update(self, request, obj, form):
        services.flow_update(
            actor=request.user,
            flow=Flow.objects.get(pk=obj.pk),
            name=obj.name,
            destination_url=obj.destination_url,
            status=obj.status,
        )

    def remove(self, request, obj):
        services.flow_delete(actor=request.user, flow=obj)


class WorkspaceContentAdmin(ReadOnlyAdmin):
    list_select_related = ["workspace__org"]
    console_view = ""

    def console_url(self, obj):
        return reverse(self.console_view, args=[obj.workspace.org.slug, obj.workspace.slug])


@admin.register(FlowTemplate)
class FlowTemplateAdmin(WorkspaceContentAdmin):
    list_display = ["name", "workspace", "created_at"]
    search_fields = ["name"]
    console_view = "workspaces:template_list"


@admin.register(Asset)
class AssetAdmin(WorkspaceContentAdmin):
    list_display = ["name", "workspace", "content_type", "size", "created_at"]
    search_fields = ["name"]
    console_view = "workspaces:asset_list"


@admin.register(BrandKit)
class BrandKitAdmin(WorkspaceContentAdmin):
    list_display = ["name", "workspace", "primary_color", "font"]
    search_fields = ["name"]
    console_view = "workspaces:brand_kit_list"


@admin.register(AudienceContact)
class AudienceContactAdmin(WorkspaceContentAdmin):
    list_display = ["email", "name", "workspace", "consent", "collected_at"]
    list_filter = ["consent"]
    search_fields = ["email", "name"]
    console_view = "workspaces:audience"


@admin.register(Scan)
class ScanAdmin(WorkspaceContentAdmin):
    list_display = ["flow", "workspace", "scanned_at", "country", "device"]
    list_filter = ["device"]
    list_select_related = ["flow", "workspace__org"]
    show_full_result_count = False
    console_view = "workspaces:analytics"
