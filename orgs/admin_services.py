"""The Django admin site writes through the services (SPEC §3): a ServiceAdmin's
add, change and delete — the object form, its inlines and "Delete selected" — each call the
service every other door calls, with the operator (`request.user`) as the actor. So the
last-admin rule, the flag defaults, the cascades and the activity log are the console's.

A refused write (ServiceError) rolls back the whole submission — the object, its inlines, or the
whole batch of "Delete selected" — and shows the reason; nothing is half-saved. Screens whose
writes no service covers are read-only (`ReadOnlyAdmin`) with a link to the console page."""

from __future__ import annotations

from django.contrib import admin, messages
from django.db import router, transaction
from django.http import HttpResponseRedirect
from django.utils.html import format_html

from .errors import ServiceError


class ServiceWrites:
    """Subclasses say how an object is written: `create(request, obj, form)` returns the saved
    object, `update(request, obj, form)` and `remove(request, obj)` change it — each one
    service call with `actor=request.user`. `form` is None for inline rows of a formset, whose
    changed field names are then in `obj._admin_changed`."""

    def create(self, request, obj, form):
        raise NotImplementedError

    def update(self, request, obj, form):
        raise NotImplementedError

    def remove(self, request, obj):
        raise NotImplementedError


class ServiceInline(ServiceWrites):
    """An inline whose rows are written by its create/update/remove (see ServiceAdmin)."""

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        formset.service_writes = self
        return formset


class RefusalRollsBack:
    """A ServiceError raised by a write of the change form, the delete page or a changelist
    action rolls the whole request back and is shown as the reason nothing changed."""

    def _refusable(self, request, view, *args, **kwargs):
        try:
            with transaction.atomic(using=router.db_for_write(self.model)):
                return view(request, *args, **kwargs)
        except ServiceError as error:
            self.message_user(request, f"Nothing was changed: {error.text}", messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())

    def changeform_view(self, request, *args, **kwargs):
        return self._refusable(request, super().changeform_view, *args, **kwargs)

    def delete_view(self, request, *args, **kwargs):
        return self._refusable(request, super().delete_view, *args, **kwargs)

    def changelist_view(self, request, *args, **kwargs):
        return self._refusable(request, super().changelist_view, *args, **kwargs)


class ServiceAdmin(ServiceWrites, RefusalRollsBack, admin.ModelAdmin):
    def save_model(self, request, obj, form, change):
        if change:
            self.update(request, obj, form)
            return
        saved = self.create(request, obj, form)
        obj.pk = saved.pk
        obj._state.adding = False

    def delete_model(self, request, obj):
        self.remove(request, obj)

    def delete_queryset(self, request, queryset):
        """ "Delete selected": all or nothing (a refusal raises, the batch rolls back)."""
        for obj in queryset.order_by("pk"):
            self.remove(request, obj)

    def get_deleted_objects(self, objs, request):
        """The service decides what goes with the object (its cascades are the console's), so
        related rows shown read-only here don't block the deletion; this model's own delete
        permission still does (e.g. the last Org Admin)."""
        deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        own = {str(self.model._meta.verbose_name)}
        return deleted, counts, perms_needed & own, protected

    def save_related(self, request, form, formsets, change):
        """Inline rows go through their inline's service calls; many-to-many fields of the
        form itself are the subclass's (its create/update) — never saved around it."""
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)

    def save_formset(self, request, form, formset, change):
        writes = formset.service_writes
        formset.save(commit=False)
        for obj in formset.new_objects:
            writes.create(request, obj, None)
        for obj, changed in formset.changed_objects:
            obj._admin_changed = changed
            writes.update(request, obj, None)
        for obj in formset.deleted_objects:
            writes.remove(request, obj)


class ReadOnlyAdmin(admin.ModelAdmin):
    """Browse only: this model is written from the console (`console_url(obj)`), where its
    rules live; no add, change or delete here."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def console_url(self, obj) -> str:
        raise NotImplementedError

    @admin.display(description="Edit in the console")
    def console_link(self, obj):
        url = self.console_url(obj)
        return format_html('<a href="{}">{}</a>', url, url)

    def get_readonly_fields(self, request, obj=None):
        return ["console_link", *super().get_readonly_fields(request, obj)]
