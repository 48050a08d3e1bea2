"""The Django admin site writes through the services (SPEC §3): a ServiceAdmin's
add, change and delete — the object form, its inlines and "Delete selected" — each call the
service every other door calls, with the operator (`request.user`) as the actor. So the
last-admin rule, the flag defaults, the cascades and the activity log are the console's.

A refused write (ServiceError) rolls back the whole submission — the object, its inlines, or the
whole batch of "Delete selected" — and shows the reason: on the add/change form as a form error
above the operator's input (kept as typed), elsewhere as an error message; nothing is
half-saved. Screens whose
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
        raise NotImplementedError(self._undefined("create(request, obj, form)", "add"))

    def update(self, request, obj, form):
        raise NotImplementedError(self._undefined("update(request, obj, form)", "change"))

    def remove(self, request, obj):
        raise NotImplementedError(self._undefined("remove(request, obj)", "delete"))

    def _undefined(self, method: str, write: str) -> str:
        return (
            f"{type(self).__name__} must define {method}: the service call /admin/ makes to "
            f"{write} a {self.model._meta.verbose_name} (or return False from "
            f"has_{write}_permission)."
        )


def refuse_changed_keys(obj, keys: set[str], instead: str) -> None:
    """ServiceError when an edited inline row changed one of `keys` (the fields that say whose
    row it is): `instead` tells the operator what to do (delete the row, add another)."""
    if keys & set(getattr(obj, "_admin_changed", ())):
        raise ServiceError(instead)


class ServiceInline(ServiceWrites):
    """An inline whose rows are written by its create/update/remove (see ServiceAdmin)."""

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        formset.service_writes = self
        return formset


def with_refusal(form_class, refusal: ServiceError):
    """`form_class` whose validation fails with `refusal` (a non-field error), so the admin's
    change form shows it above the operator's input, which stays as typed."""

    class Refused(form_class):
        def clean(self):
            cleaned = super().clean()
            self.add_error(None, refusal.messages)
            return cleaned

    Refused.__name__ = Refused.__qualname__ = form_class.__name__
    return Refused


class RefusalRollsBack:
    """A ServiceError raised by a write rolls the whole request back — the object, its inlines,
    the batch of a changelist action — so nothing is half-saved.

    On the add/change form it is shown as the standard ModelAdmin form error: the view runs a
    second time on the same POST with the refusal raised from the form's clean(), so the page
    re-renders with the error and the operator's input kept. The delete page and the changelist
    actions (no typed input) show it as an error message on the page they redirect back to."""

    def _refusable(self, request, view, *args, **kwargs):
        try:
            with transaction.atomic(using=router.db_for_write(self.model)):
                return view(request, *args, **kwargs)
        except ServiceError as error:
            self.message_user(request, f"Nothing was changed: {error.text}", messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())

    def changeform_view(self, request, *args, **kwargs):
        view = super().changeform_view
        if request.method != "POST":
            return view(request, *args, **kwargs)
        try:
            with transaction.atomic(using=router.db_for_write(self.model)):
                return view(request, *args, **kwargs)
        except ServiceError as error:
            request.admin_refusal = error  # read by get_form on the second pass
        return self._refusable(request, view, *args, **kwargs)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        refusal = getattr(request, "admin_refusal", None)
        return form if refusal is None else with_refusal(form, refusal)

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


class EntityServiceAdmin(ServiceAdmin):
    """An entity changed and deleted by one service each, which take the entity by the keyword
    `entity` ("org", "team", "workspace", "flow"): change → `update_service(actor=operator,
    <entity>=the stored row, **the `edited` fields as the form left them)`, delete →
    `delete_service(actor=operator, <entity>=obj)`. Subclasses still define create (each
    entity is created with its own parent and fields). Set the services with staticmethod()."""

    entity = ""
    edited: tuple[str, ...] = ()
    update_service = delete_service = None

    def update(self, request, obj, form):
        if self.update_service is None:
            return super().update(request, obj, form)  # says what is missing
        stored = type(obj)._default_manager.get(pk=obj.pk)
        values = {name: getattr(obj, name) for name in self.edited}
        self.update_service(actor=request.user, **{self.entity: stored}, **values)

    def remove(self, request, obj):
        if self.delete_service is None:
            return super().remove(request, obj)
        self.delete_service(actor=request.user, **{self.entity: obj})


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
        raise NotImplementedError(
            f"{type(self).__name__} must define console_url(obj): the console page where a "
            f"{self.model._meta.verbose_name} is edited."
        )

    @admin.display(description="Edit in the console")
    def console_link(self, obj):
        url = self.console_url(obj)
        return format_html('<a href="{}">{}</a>', url, url)

    def get_readonly_fields(self, request, obj=None):
        return ["console_link", *super().get_readonly_fields(request, obj)]
