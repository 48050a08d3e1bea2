from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.core.exceptions import ValidationError
from django.forms.models import BaseInlineFormSet

from . import domains, services
from .errors import LastAdminError, ServiceError
from .models import (
    Domain,
    DomainStatus,
    IntegrationInstallation,
    Invitation,
    Organization,
    OrgMembership,
    SSOConfiguration,
    Team,
    TeamMembership,
    User,
)
from .roles import OrgRole


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ["email"]
    list_display = ["email", "full_name", "is_staff", "is_superuser", "is_active", "last_login"]
    list_filter = ["is_staff", "is_superuser", "is_active"]
    search_fields = ["email", "full_name"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        ("Profile", {"fields": ["full_name"]}),
        (
            "Permissions",
            {"fields": ["is_active", "is_staff", "is_superuser", "groups", "user_permissions"]},
        ),
        ("Dates", {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (None, {"classes": ["wide"], "fields": ["email", "full_name", "password1", "password2"]}),
    ]


class OrgMembershipFormSet(BaseInlineFormSet):
    """The org must keep an admin when memberships are edited inline."""

    def clean(self):
        super().clean()
        if not self.instance.pk:
            return
        remaining = [
            form.cleaned_data
            for form in self.forms
            if form.cleaned_data and not form.cleaned_data.get("DELETE")
        ]
        if self.forms and not any(data.get("role") == OrgRole.ADMIN for data in remaining):
            raise ValidationError(
                f"{self.instance.name} must keep at least one Org Admin.", code="last_admin"
            )


class OrgMembershipInline(admin.TabularInline):
    model = OrgMembership
    formset = OrgMembershipFormSet
    extra = 0
    autocomplete_fields = ["user"]
    fields = ["user", "role", "joined_at"]


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "created_at"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [OrgMembershipInline]


class OrgMembershipForm(forms.ModelForm):
    class Meta:
        model = OrgMembership
        fields = ["org", "user", "role", "joined_at"]

    def clean_role(self):
        """Say so on the form when the last admin would be demoted (the service refuses
        anyway, also when two changes race)."""
        role = self.cleaned_data["role"]
        membership = self.instance
        if (
            membership.pk
            and role != OrgRole.ADMIN
            and services.is_last_admin(membership.org, membership.user)
        ):
            raise LastAdminError(membership.org)
        return role


@admin.register(OrgMembership)
class OrgMembershipAdmin(admin.ModelAdmin):
    """Role changes and removals go through orgs.services, so the last-admin rule holds here
    as everywhere."""

    form = OrgMembershipForm
    list_display = ["user", "org", "role", "joined_at"]
    list_filter = ["role", "org"]
    search_fields = ["user__email", "user__full_name", "org__name"]
    list_select_related = ["user", "org"]
    autocomplete_fields = ["user", "org"]

    def get_readonly_fields(self, request, obj=None):
        return ["org", "user"] if obj else []

    def has_delete_permission(self, request, obj=None):
        if obj is not None and services.is_last_admin(obj.org, obj.user):
            return False  # the last admin: the delete button is not offered
        return super().has_delete_permission(request, obj)

    def save_model(self, request, obj, form, change):
        if change and "role" in form.changed_data:
            try:
                services.org_role_set(actor=request.user, org=obj.org, user=obj.user, role=obj.role)
            except ServiceError as error:
                self.message_user(request, error.text, messages.ERROR)
        elif not change:
            super().save_model(request, obj, form, change)

    def delete_model(self, request, obj):
        services.member_remove(actor=request.user, org=obj.org, user=obj.user)

    def delete_queryset(self, request, queryset):
        for membership in queryset.select_related("org", "user"):
            try:
                services.member_remove(actor=request.user, org=membership.org, user=membership.user)
            except ServiceError as error:
                self.message_user(request, error.text, messages.ERROR)


class TeamMembershipInline(admin.TabularInline):
    """Members of a team; read-only for a team managed by the identity provider (SCIM)."""

    model = TeamMembership
    extra = 0
    autocomplete_fields = ["user"]

    def _editable(self, request, obj):
        return not (obj is not None and obj.managed_by_idp)

    def has_add_permission(self, request, obj=None):
        return self._editable(request, obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return self._editable(request, obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self._editable(request, obj) and super().has_delete_permission(request, obj)


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ["name", "org", "managed_by_idp", "created_at"]
    list_filter = ["org", "managed_by_idp"]
    readonly_fields = ["managed_by_idp"]
    search_fields = ["name", "org__name"]
    list_select_related = ["org"]
    inlines = [TeamMembershipInline]


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ["email", "org", "role", "status", "sent_at", "expires_at"]
    list_filter = ["status", "role", "org"]
    search_fields = ["email", "org__name"]
    list_select_related = ["org"]
    readonly_fields = ["token_hash", "created_at", "accepted_at", "accepted_by"]


class DomainAdminForm(forms.ModelForm):
    class Meta:
        model = Domain
        fields = ["org", "workspace", "hostname", "status", "verified_at"]

    def clean_hostname(self):
        try:
            return domains.validate_hostname(self.cleaned_data["hostname"])
        except ValidationError as error:
            raise forms.ValidationError(error.messages[0]) from None

    def clean(self):
        cleaned = super().clean()
        org, workspace = cleaned.get("org"), cleaned.get("workspace")
        if org and workspace and workspace.org_id != org.pk:
            self.add_error("workspace", "Choose a workspace of the same organization.")
        return cleaned


@admin.register(Domain)
class DomainAdmin(admin.ModelAdmin):
    form = DomainAdminForm
    list_display = ["hostname", "org", "workspace", "status", "verified_at"]
    list_filter = ["status", "org"]
    search_fields = ["hostname", "org__name"]
    list_select_related = ["org", "workspace"]
    autocomplete_fields = ["org"]
    raw_id_fields = ["workspace"]
    readonly_fields = ["txt_record_name", "verification_token", "created_at"]

    @admin.display(description="TXT record name")
    def txt_record_name(self, obj):
        return obj.txt_record_name if obj.pk else "—"


class SSOConfigurationAdminForm(forms.ModelForm):
    """The same rules as `manage.py set_sso` (orgs.services.sso_configure, which saves it): an
    https metadata URL, only verified domains of the org itself; the client secret and IdP
    certificate are write-only (stored encrypted, never shown back)."""

    metadata_url = forms.CharField(
        label=SSOConfiguration._meta.get_field("metadata_url").verbose_name,
        max_length=500,
        help_text="SAML metadata URL, or the OIDC discovery document URL. SAML with the IdP "
        "certificate below (an IdP without metadata URL): its single sign-on URL.",
    )
    client_secret = forms.CharField(
        label="OIDC client secret",
        required=False,
        strip=True,
        widget=forms.PasswordInput(render_value=False),
        help_text="Stored encrypted and never shown again; leave blank to keep the stored one.",
    )
    idp_certificate = forms.CharField(
        label="SAML IdP signing certificate (PEM)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Optional when the metadata URL serves it. Stored encrypted, never shown.",
    )

    class Meta:
        model = SSOConfiguration
        fields = [
            "org",
            "protocol",
            "entity_id",
            "metadata_url",
            "client_id",
            "enforced",
            "domains",
        ]

    def clean_metadata_url(self):
        try:
            return services.sso_url(self.cleaned_data["metadata_url"])
        except ServiceError as error:
            raise forms.ValidationError(error.text) from None

    def clean(self):
        cleaned = super().clean()
        org = cleaned.get("org")
        if org is not None and cleaned.get("domains") is not None:
            try:
                services.sso_domains(org, [d.hostname for d in cleaned["domains"]])
            except ServiceError as error:
                self.add_error("domains", error.text)
        return cleaned


@admin.register(SSOConfiguration)
class SSOConfigurationAdmin(admin.ModelAdmin):
    form = SSOConfigurationAdminForm

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        saved = services.sso_configure(
            actor=request.user,
            org=data["org"],
            protocol=data["protocol"],
            entity_id=data["entity_id"],
            metadata_url=data["metadata_url"],
            enforced=data["enforced"],
            hostnames=[d.hostname for d in data["domains"]],
            client_id=data["client_id"],
            client_secret=data["client_secret"],
            idp_certificate=data["idp_certificate"],
        )
        obj.pk = saved.pk

    def save_related(self, request, form, formsets, change):
        """The domains were set by sso_configure."""

    list_display = ["org", "protocol", "entity_id", "enforced", "updated_at"]
    list_filter = ["protocol", "enforced"]
    search_fields = ["org__name", "entity_id"]
    list_select_related = ["org"]
    autocomplete_fields = ["org"]
    filter_horizontal = ["domains"]
    readonly_fields = ["updated_at"]

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        domains_qs = Domain.objects.filter(status=DomainStatus.VERIFIED).select_related("org")
        if obj is not None:
            domains_qs = domains_qs.filter(org=obj.org)
        form.base_fields["domains"].queryset = domains_qs
        form.base_fields[
            "domains"
        ].help_text = "Verified domains of the organization that SSO covers."
        return form


@admin.register(IntegrationInstallation)
class IntegrationInstallationAdmin(admin.ModelAdmin):
    """Secrets are never shown: only masked, read-only. Org Admins and Workspace Admins set
    them in the console."""

    list_display = ["app", "org", "workspace", "enabled", "updated_at"]
    list_filter = ["app", "enabled", "org"]
    search_fields = ["app", "org__name", "workspace__name"]
    list_select_related = ["org", "workspace"]
    exclude = ["secrets_encrypted"]
    autocomplete_fields = ["org"]
    raw_id_fields = ["workspace", "installed_by"]
    readonly_fields = ["stored_secrets", "created_at", "updated_at"]

    @admin.display(description="Secret settings")
    def stored_secrets(self, obj):
        try:
            masked = obj.masked_secrets()
        except ValueError as error:
            return str(error)
        return ", ".join(f"{name}: {value}" for name, value in sorted(masked.items())) or "—"
