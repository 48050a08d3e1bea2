"""/admin/ for workspaces: writes go through workspaces.services and orgs.services with the
operator as actor (orgs.admin_services); content the services write from uploads and forms
(templates, assets, brand kits, audience, scans) is browsed here and edited in the console."""

from django.contrib import admin
from django.db import models
from django.urls import reverse

from orgs.admin_services import (
    EntityServiceAdmin,
    ReadOnlyAdmin,
    ServiceAdmin,
    ServiceInline,
    ServiceWrites,
    refuse_changed_keys,
)
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


class GrantWrites(ServiceWrites):
    """A workspace grant — a direct member (`holder` "user") or a team's access (`holder`
    "team") — written like the console: add and change → `set_service` (the holder must be in
    the workspace's org; a new or changed role starts from its default flags, then the flags
    the operator changed: workspaces.services.flags_as_submitted; the end `until` as given,
    orgs.expiry: a past one is refused), delete → `remove_service`.
    A row's workspace and holder are not edited in place."""

    holder = ""
    set_service = remove_service = None

    def _keys(self, obj) -> dict:
        return {"workspace": obj.workspace, self.holder: getattr(obj, self.holder)}

    def create(self, request, obj, form):
        shown = getattr(obj, "_stored_grant", None)  # what the form showed (a change)
        return self.set_service(
            actor=request.user,
            **self._keys(obj),
            role=obj.role,
            flags=services.flags_as_submitted(shown, obj.role, obj.flags),
            until=obj.until,
        )

    def update(self, request, obj, form):
        refuse_changed_keys(
            obj,
            {"workspace", self.holder},
            "To give someone else access, delete the row and add the new one.",
        )
        self.create(request, obj, form)

    def remove(self, request, obj):
        self.remove_service(actor=request.user, **self._keys(obj))


class WorkspaceMembershipWrites(GrantWrites):
    holder = "user"
    set_service = staticmethod(services.workspace_member_set)
    remove_service = staticmethod(services.workspace_member_remove)


class WorkspaceMembershipInline(WorkspaceMembershipWrites, ServiceInline, admin.TabularInline):
    model = WorkspaceMembership
    extra = 0
    autocomplete_fields = ["user"]
    fields = ["user", *GRANT_FIELDS, "until"]


@admin.register(Workspace)
class WorkspaceAdmin(EntityServiceAdmin):
    """Create → workspace_create, change → workspace_update, delete → workspace_delete (its
    domains through domain_remove, its files). The whitelabel domain and avatar are set in
    the console."""

    entity, edited = "workspace", ("name", "slug", "description")
    update_service = staticmethod(services.workspace_update)
    delete_service = staticmethod(services.workspace_delete)

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


@admin.register(WorkspaceMembership)
class WorkspaceMembershipAdmin(WorkspaceMembershipWrites, ServiceAdmin):
    list_display = ["user", "workspace", *GRANT_FIELDS]
    list_filter = [*GRANT_FIELDS, "workspace__org"]
    search_fields = ["user__email", "workspace__name"]
    list_select_related = ["user", "workspace"]
    autocomplete_fields = ["user", "workspace"]
    fields = ["workspace", "user", *GRANT_FIELDS, "until"]

    def get_readonly_fields(self, request, obj=None):
        return ["workspace", "user"] if obj else []


@admin.register(TeamAccess)
class TeamAccessAdmin(GrantWrites, ServiceAdmin):
    """Add and change → team_access_set (the team's own org only; flag defaults as for
    members), delete → team_access_remove."""

    holder = "team"
    set_service = staticmethod(services.team_access_set)
    remove_service = staticmethod(services.team_access_remove)

    list_display = ["team", "workspace", *GRANT_FIELDS]
    list_filter = ["role", "workspace__org"]
    search_fields = ["team__name", "workspace__name"]
    list_select_related = ["team", "workspace"]
    autocomplete_fields = ["workspace"]
    raw_id_fields = ["team"]
    fields = ["team", "workspace", *GRANT_FIELDS, "until"]

    def get_readonly_fields(self, request, obj=None):
        return ["team", "workspace"] if obj else []


@admin.register(Flow)
class FlowAdmin(EntityServiceAdmin):
    """Create → flow_create (a fresh short code), change → flow_update, delete →
    flow_delete."""

    entity, edited = "flow", ("name", "destination_url", "status")
    update_service = staticmethod(services.flow_update)
    delete_service = staticmethod(services.flow_delete)

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
