from django.contrib import admin
from django.db import models

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


class WorkspaceMembershipInline(admin.TabularInline):
    model = WorkspaceMembership
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Workspace)
class WorkspaceAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "org", "created_at"]
    list_filter = ["org"]
    search_fields = ["name", "slug", "org__name"]
    list_select_related = ["org"]
    inlines = [WorkspaceMembershipInline]


@admin.register(WorkspaceMembership)
class WorkspaceMembershipAdmin(admin.ModelAdmin):
    list_display = [
        "user",
        "workspace",
        "role",
        *FLAGS,
    ]
    list_filter = [
        "role",
        *FLAGS,
        "workspace__org",
    ]
    search_fields = ["user__email", "workspace__name"]
    list_select_related = ["user", "workspace"]
    autocomplete_fields = ["user", "workspace"]


@admin.register(TeamAccess)
class TeamAccessAdmin(admin.ModelAdmin):
    list_display = [
        "team",
        "workspace",
        "role",
        *FLAGS,
    ]
    list_filter = ["role", "workspace__org"]
    search_fields = ["team__name", "workspace__name"]
    list_select_related = ["team", "workspace"]


@admin.register(Flow)
class FlowAdmin(admin.ModelAdmin):
    list_display = ["name", "short_code", "workspace", "status", "created_at"]
    list_filter = ["status", "workspace__org"]
    search_fields = ["name", "short_code", "destination_url"]
    list_select_related = ["workspace"]
    raw_id_fields = ["workspace", "created_by"]
    readonly_fields = ["short_code"]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    def save_model(self, request, obj, form, change):
        if not change:  # a new flow gets its short code like everywhere else
            obj.short_code = services.new_short_code()
            obj.created_by = obj.created_by or request.user
        super().save_model(request, obj, form, change)


@admin.register(FlowTemplate)
class FlowTemplateAdmin(admin.ModelAdmin):
    list_display = ["name", "workspace", "created_at"]
    search_fields = ["name"]
    list_select_related = ["workspace"]


@admin.register(Asset)
class AssetAdmin(admin.ModelAdmin):
    list_display = ["name", "workspace", "content_type", "size", "created_at"]
    search_fields = ["name"]
    list_select_related = ["workspace"]


@admin.register(BrandKit)
class BrandKitAdmin(admin.ModelAdmin):
    list_display = ["name", "workspace", "primary_color", "font"]
    search_fields = ["name"]
    list_select_related = ["workspace"]


@admin.register(AudienceContact)
class AudienceContactAdmin(admin.ModelAdmin):
    list_display = ["email", "name", "workspace", "consent", "collected_at"]
    list_filter = ["consent"]
    search_fields = ["email", "name"]
    list_select_related = ["workspace"]
    raw_id_fields = ["workspace", "source_flow"]


@admin.register(Scan)
class ScanAdmin(admin.ModelAdmin):
    list_display = ["flow", "workspace", "scanned_at", "country", "device"]
    list_filter = ["device"]
    list_select_related = ["flow", "workspace"]
    raw_id_fields = ["flow", "workspace"]
    show_full_result_count = False
