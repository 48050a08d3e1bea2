"""The activity log in the Django admin site: browsable, never editable, and no COUNT over the
whole table (the changelist counts at most CAPPED_COUNT rows)."""

from django.contrib import admin
from django.core.paginator import Paginator
from django.db.models import OuterRef, Subquery
from django.utils.functional import cached_property

from orgs.models import Organization

from .models import ENTITY_TYPES, ActivityEntry

CAPPED_COUNT = 10_000


class CappedCountPaginator(Paginator):
    """Counts at most CAPPED_COUNT + 1 rows (a LIMITed subquery), so a page of a huge log costs
    what a page of a small one does; `capped` tells the template to say "more than"."""

    @cached_property
    def count(self):
        counted = self.object_list.order_by()[: CAPPED_COUNT + 1].count()
        self.capped = counted > CAPPED_COUNT
        return min(counted, CAPPED_COUNT)

    capped = False


class EntityTypeFilter(admin.SimpleListFilter):
    title = "entity type"
    parameter_name = "entity_type"

    def lookups(self, request, model_admin):
        return list(ENTITY_TYPES.items())  # no query over the table for its distinct values

    def queryset(self, request, queryset):
        return queryset.filter(entity_type=self.value()) if self.value() else queryset


@admin.register(ActivityEntry)
class ActivityEntryAdmin(admin.ModelAdmin):
    list_display = [
        "created_at",
        "org_label",
        "seq",
        "actor_email",
        "workspace_name",
        "action",
        "entity_type",
        "entity_label",
    ]
    list_filter = ["action", EntityTypeFilter]
    search_fields = ["=actor_email", "entity_label"]
    ordering = ["-id"]
    paginator = CappedCountPaginator
    show_full_result_count = False
    show_facets = admin.ShowFacets.NEVER
    list_per_page = 50
    # Plain ids next to the copied labels: the org, workspace or user may be deleted.
    fields = [
        "created_at",
        "org_label",
        "org_id",
        "seq",
        "actor_email",
        "actor_id",
        "ip",
        "workspace_name",
        "workspace_id",
        "action",
        "entity_type",
        "entity_id",
        "entity_label",
        "changes",
        "prev_hash",
        "hash",
        "key_id",
    ]
    readonly_fields = fields

    def get_queryset(self, request):
        # The org's name by a subquery (not a join): entries of deleted orgs stay listed.
        org_name = Organization.objects.filter(pk=OuterRef("org_id")).values("name")[:1]
        return super().get_queryset(request).annotate(org_name=Subquery(org_name))

    @admin.display(description="org", ordering="org_id")
    def org_label(self, entry):
        return entry.org_name or f"deleted org #{entry.org_id}"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
