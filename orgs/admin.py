from django import forms
from django.contrib import admin
from django.contrib.admin.widgets import AdminSplitDateTime, AutocompleteSelect
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import AdminPasswordChangeForm
from django.core.exceptions import ValidationError
from django.urls import reverse

from workspaces.models import Workspace, WorkspaceMembership

from . import accounts, domains, invitations, removal, services
from .admin_services import (
    EntityServiceAdmin,
    ReadOnlyAdmin,
    ServiceAdmin,
    ServiceInline,
    ServiceWrites,
    refuse_changed_keys,
)
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
from .reviews import admin as reviews_admin  # noqa: F401 (registers the access reviews, read-only)
from .roles import OrgRole, WorkspaceRole


class OperatorPasswordForm(AdminPasswordChangeForm):
    """The admin's password page: saved through accounts.user_password_set with the operator
    as actor (`UserAdmin.get_object` hands the form's user the operator who opened it)."""

    def save(self, commit=True):
        usable = self.cleaned_data["set_usable_password"]
        password = self.cleaned_data["password1"] if usable else None
        self.user = accounts.user_password_set(
            actor=self.user.operator, user=self.user, password=password
        )
        return self.user


@admin.register(User)
class UserAdmin(ServiceAdmin, BaseUserAdmin):
    """Every write is a service of orgs.accounts with the operator as actor: add →
    user_create, change (email, name, active, staff flags, groups, permissions) → user_update,
    the password page → user_password_set, "Activate/Deactivate selected" →
    users_active_set; delete (alone or "Delete selected") → orgs.removal.users_delete (removed
    from every org by member_remove first). Deactivating or deleting the last active Org
    Admin of an org is refused, all or nothing."""

    ordering = ["email"]
    list_display = ["email", "full_name", "is_staff", "is_superuser", "is_active", "last_login"]
    list_filter = ["is_staff", "is_superuser", "is_active"]
    search_fields = ["email", "full_name"]
    change_password_form = OperatorPasswordForm
    actions = ["activate", "deactivate"]
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
        (
            None,
            {
                "classes": ["wide"],
                "fields": ["email", "full_name", "usable_password", "password1", "password2"],
            },
        ),
    ]
    readonly_fields = ["last_login", "date_joined"]

    def get_object(self, request, object_id, from_field=None):
        user = super().get_object(request, object_id, from_field)
        if user is not None:
            user.operator = request.user  # the actor of OperatorPasswordForm.save
        return user

    def user_change_password(self, request, id, form_url=""):
        return self._refusable(request, super().user_change_password, id, form_url)

    def create(self, request, obj, form):
        data = form.cleaned_data
        return accounts.user_create(
            actor=request.user,
            email=obj.email,
            full_name=obj.full_name,
            password=data.get("password1") if data.get("set_usable_password", True) else None,
        )

    def update(self, request, obj, form):
        data = form.cleaned_data
        accounts.user_update(
            actor=request.user,
            user=User.objects.get(pk=obj.pk),
            **{name: getattr(obj, name) for name in accounts.ACCOUNT_FIELDS},
            groups=data.get("groups"),
            user_permissions=data.get("user_permissions"),
        )

    def remove(self, request, obj):
        removal.users_delete(actor=request.user, users=[obj])

    def delete_queryset(self, request, queryset):
        removal.users_delete(actor=request.user, users=queryset.order_by("pk"))

    @admin.action(description="Activate the selected users")
    def activate(self, request, queryset):
        changed = accounts.users_active_set(actor=request.user, users=queryset, active=True)
        self.message_user(request, f"Activated {changed} user(s).")

    @admin.action(description="Deactivate the selected users (they can no longer sign in)")
    def deactivate(self, request, queryset):
        changed = accounts.users_active_set(actor=request.user, users=queryset, active=False)
        self.message_user(request, f"Deactivated {changed} user(s).")


class OrgMembershipWrites(ServiceWrites):
    """Org members: add → member_add, role and end (`until`) → org_role_set, delete →
    member_remove (which also removes their workspace and team memberships and revokes
    invitations they sent)."""

    def create(self, request, obj, form):
        return services.member_add(
            actor=request.user, org=obj.org, user=obj.user, role=obj.role, until=obj.until
        )

    def update(self, request, obj, form):
        services.org_role_set(
            actor=request.user, org=obj.org, user=obj.user, role=obj.role, until=obj.until
        )

    def remove(self, request, obj):
        services.member_remove(actor=request.user, org=obj.org, user=obj.user)


class OrgMembershipInline(OrgMembershipWrites, ServiceInline, admin.TabularInline):
    model = OrgMembership
    extra = 0
    autocomplete_fields = ["user"]
    fields = ["user", "role", "until", "joined_at"]
    readonly_fields = ["joined_at"]

    def update(self, request, obj, form):
        refuse_changed_keys(
            obj, {"user"}, "To replace a member, delete the row and add the new member."
        )
        super().update(request, obj, form)


class OrganizationAddForm(forms.ModelForm):
    admin = forms.ModelChoiceField(
        queryset=User.objects.all(), label="First Org Admin", help_text="Every org has an admin."
    )

    class Meta:
        model = Organization
        fields = ["name", "slug", "description"]


@admin.register(Organization)
class OrganizationAdmin(EntityServiceAdmin):
    """Create → org_create (with its first admin), change → org_update, delete → org_delete
    (workspaces, teams and their stored files too). Avatars are set in the console."""

    entity, edited = "org", ("name", "description")
    update_service = staticmethod(services.org_update)
    delete_service = staticmethod(removal.org_delete)

    list_display = ["name", "slug", "created_at"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [OrgMembershipInline]

    def get_form(self, request, obj=None, **kwargs):
        if obj is None:
            kwargs["form"] = OrganizationAddForm
        return super().get_form(request, obj, **kwargs)

    def get_fields(self, request, obj=None):
        return ["name", "slug", "description"] + ([] if obj else ["admin"])

    def get_readonly_fields(self, request, obj=None):
        return ["slug"] if obj else []

    def get_prepopulated_fields(self, request, obj=None):
        return {} if obj else self.prepopulated_fields

    def get_inlines(self, request, obj):
        return self.inlines if obj else []  # the first admin comes with the org

    def create(self, request, obj, form):
        org = services.org_create(
            actor=request.user, name=obj.name, slug=obj.slug, admin=form.cleaned_data["admin"]
        )
        if obj.description:
            services.org_update(actor=request.user, org=org, description=obj.description)
        return org


class OrgMembershipForm(forms.ModelForm):
    class Meta:
        model = OrgMembership
        fields = ["org", "user", "role", "until"]

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
class OrgMembershipAdmin(OrgMembershipWrites, ServiceAdmin):
    form = OrgMembershipForm
    list_display = ["user", "org", "role", "until", "joined_at"]
    list_filter = ["role", "org"]
    search_fields = ["user__email", "user__full_name", "org__name"]
    list_select_related = ["user", "org"]
    autocomplete_fields = ["user", "org"]

    def get_readonly_fields(self, request, obj=None):
        return ["org", "user", "joined_at"] if obj else ["joined_at"]

    def has_delete_permission(self, request, obj=None):
        if obj is not None and services.is_last_admin(obj.org, obj.user):
            return False  # the last admin: the delete button is not offered
        return super().has_delete_permission(request, obj)


class TeamMembershipInline(ServiceInline, admin.TabularInline):
    """Team members: add → team_member_add (org members only; with its end `until`), delete
    → team_member_remove. A row is not edited in place: delete it and add the other person
    (the console's team page changes a member's end)."""

    model = TeamMembership
    extra = 0
    autocomplete_fields = ["user"]
    fields = ["user", "until", "added_at"]
    readonly_fields = ["added_at"]

    def has_change_permission(self, request, obj=None):
        return False

    def create(self, request, obj, form):
        services.team_member_add(actor=request.user, team=obj.team, user=obj.user, until=obj.until)

    def remove(self, request, obj):
        services.team_member_remove(actor=request.user, team=obj.team, user=obj.user)

    def _editable(self, request, obj):
        return not (obj is not None and obj.managed_by_idp)

    def has_add_permission(self, request, obj=None):
        return self._editable(request, obj) and super().has_add_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self._editable(request, obj) and super().has_delete_permission(request, obj)


@admin.register(Team)
class TeamAdmin(EntityServiceAdmin):
    """Create → team_create, change → team_update, delete → team_delete; members through
    the inline (read-only for a team the identity provider manages). The avatar is set in the
    console."""

    entity, edited = "team", ("name", "description")
    update_service = staticmethod(services.team_update)
    delete_service = staticmethod(services.team_delete)

    list_display = ["name", "org", "managed_by_idp", "created_at"]
    list_filter = ["org", "managed_by_idp"]
    search_fields = ["name", "org__name"]
    list_select_related = ["org"]
    autocomplete_fields = ["org"]
    fields = ["org", "name", "description", "managed_by_idp"]
    inlines = [TeamMembershipInline]

    def get_readonly_fields(self, request, obj=None):
        return ["org", "managed_by_idp"] if obj else ["managed_by_idp"]

    def create(self, request, obj, form):
        return services.team_create(
            actor=request.user, org=obj.org, name=obj.name, description=obj.description
        )


class InvitationWorkspaceRoleForm(forms.Form):
    """One workspace role an invitation added in /admin/ offers, with its optional end (an
    instant, like the invitation's own "access until"). Whether the workspace is one of the
    invitation's org, the role known and the end to come is invitation_create's to say."""

    workspace = forms.ModelChoiceField(
        queryset=Workspace.objects.all(),
        required=False,  # a row left without one is skipped; its search box can be cleared
        # the workspace membership page's search (WorkspaceAdmin's search_fields): it scales
        widget=AutocompleteSelect(WorkspaceMembership._meta.get_field("workspace"), admin.site),
    )
    role = forms.ChoiceField(choices=WorkspaceRole.choices, initial=WorkspaceRole.VIEWER)
    until = forms.SplitDateTimeField(
        label="Access until",
        required=False,
        widget=AdminSplitDateTime,
        help_text=Invitation._meta.get_field("until").help_text,
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("workspace") is None and (
            cleaned.get("until") or "role" in self.changed_data
        ):
            self.add_error("workspace", "Choose the workspace of this role (or clear the row).")
        return cleaned


InvitationWorkspaceRoleFormSet = forms.formset_factory(InvitationWorkspaceRoleForm, extra=3)


class InvitationAddForm(forms.ModelForm):
    """The invitation's org, email, org role and end, and the rows of its workspace roles
    (`workspace_roles_formset`, prefix "workspace_roles"; rows left as they were are
    skipped). Saved only through InvitationAdmin.create (invitation_create)."""

    class Meta:
        model = Invitation
        fields = ["org", "email", "role", "until"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.workspace_roles_formset = InvitationWorkspaceRoleFormSet(
            self.data if self.is_bound else None, prefix="workspace_roles"
        )

    @property
    def media(self):
        return super().media + self.workspace_roles_formset.media

    def clean(self):
        cleaned = super().clean()
        if not self.workspace_roles_formset.is_valid():
            self.add_error(None, "Please correct the workspace roles below.")
        return cleaned

    def workspace_roles(self) -> list[tuple]:
        """[(workspace, role, until or None), ...] of the filled rows, in their order: the
        `workspace_roles` of invitation_create."""
        return [
            (row["workspace"], row["role"], row["until"])
            for row in self.workspace_roles_formset.cleaned_data
            if row.get("workspace") is not None
        ]


@admin.register(Invitation)
class InvitationAdmin(ServiceAdmin):
    """Add → invitation_create (emailed), with the org role, its end and the workspace roles
    with theirs (InvitationAddForm; the service refuses a workspace of another org, an end
    that has passed, a workspace listed twice); pending ones are resent or revoked with the
    actions (invitation_resend / invitation_revoke). Invitations are history: not edited or
    deleted."""

    list_display = ["email", "org", "role", "status", "sent_at", "expires_at"]
    list_filter = ["status", "role", "org"]
    search_fields = ["email", "org__name"]
    list_select_related = ["org"]
    autocomplete_fields = ["org"]
    actions = ["revoke", "resend"]
    readonly_fields = [
        "workspace_roles",
        "invited_by",
        "status",
        "created_at",
        "sent_at",
        "expires_at",
        "accepted_at",
        "accepted_by",
    ]

    def get_form(self, request, obj=None, **kwargs):
        if obj is None:
            kwargs["form"] = InvitationAddForm
        return super().get_form(request, obj, **kwargs)

    def get_fields(self, request, obj=None):
        return ["org", "email", "role", "until"] + (self.readonly_fields if obj else [])

    def has_change_permission(self, request, obj=None):
        return obj is None and super().has_change_permission(request)  # the actions need it

    def has_delete_permission(self, request, obj=None):
        return False

    def create(self, request, obj, form):
        issued = invitations.invitation_create(
            actor=request.user,
            org=obj.org,
            email=obj.email,
            role=obj.role,
            until=obj.until,
            workspace_roles=form.workspace_roles(),
            base_url=request.build_absolute_uri("/"),
        )
        return issued.invitation

    @admin.action(description="Revoke the selected pending invitations")
    def revoke(self, request, queryset):
        for invitation in queryset.order_by("pk"):
            invitations.invitation_revoke(actor=request.user, invitation=invitation)
        self.message_user(request, f"Revoked {queryset.count()} invitation(s).")

    @admin.action(description="Resend the selected invitations (new link, new expiry)")
    def resend(self, request, queryset):
        base_url = request.build_absolute_uri("/")
        for invitation in queryset.order_by("pk"):
            invitations.invitation_resend(
                actor=request.user, invitation=invitation, base_url=base_url
            )
        self.message_user(request, f"Resent {queryset.count()} invitation(s).")


class DomainAdminForm(forms.ModelForm):
    class Meta:
        model = Domain
        fields = ["org", "workspace", "hostname"]

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
class DomainAdmin(ServiceAdmin):
    """Add → domain_add, delete → domain_remove (workspaces using it and SSO let go of it,
    logged), "Verify" → domain_verify (the DNS TXT lookup). A domain is not edited in place."""

    form = DomainAdminForm
    list_display = ["hostname", "org", "workspace", "status", "verified_at"]
    list_filter = ["status", "org"]
    search_fields = ["hostname", "org__name"]
    list_select_related = ["org", "workspace"]
    autocomplete_fields = ["org"]
    raw_id_fields = ["workspace"]
    actions = ["verify"]

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["org", "workspace", "hostname"]
        return ["org", "workspace", "hostname", "status", "verified_at", *self.shown]

    shown = ["txt_record_name", "verification_token", "created_at"]

    def get_readonly_fields(self, request, obj=None):
        return self.shown

    def has_change_permission(self, request, obj=None):
        return obj is None and super().has_change_permission(request)  # the action needs it

    @admin.display(description="TXT record name")
    def txt_record_name(self, obj):
        return obj.txt_record_name if obj.pk else "—"

    def create(self, request, obj, form):
        return services.domain_add(
            actor=request.user, org=obj.org, hostname=obj.hostname, workspace=obj.workspace
        )

    def remove(self, request, obj):
        services.domain_remove(actor=request.user, domain=obj)

    @admin.action(description="Verify the selected domains (look up their TXT record)")
    def verify(self, request, queryset):
        for domain in queryset.order_by("pk"):
            services.domain_verify(actor=request.user, domain=domain)
        self.message_user(request, "Verified.")


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
class SSOConfigurationAdmin(ServiceAdmin):
    """Save → sso_configure (the `set_sso` command's service; it sets the covered domains
    too), delete → sso_remove."""

    form = SSOConfigurationAdminForm

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

    def create(self, request, obj, form):
        data = form.cleaned_data
        return services.sso_configure(
            actor=request.user,
            org=data["org"],
            protocol=data["protocol"],
            entity_id=data["entity_id"],
            metadata_url=data["metadata_url"],
            enforced=data["enforced"],
            hostnames=[domain.hostname for domain in data["domains"]],
            client_id=data["client_id"],
            client_secret=data["client_secret"],
            idp_certificate=data["idp_certificate"],
        )

    def update(self, request, obj, form):
        self.create(request, obj, form)

    def remove(self, request, obj):
        services.sso_remove(actor=request.user, org=obj.org)


@admin.register(IntegrationInstallation)
class IntegrationInstallationAdmin(ReadOnlyAdmin):
    """Installed and configured in the console (secrets go in there, encrypted); here only
    browsed, with secrets masked."""

    list_display = ["app", "org", "workspace", "enabled", "updated_at"]
    list_filter = ["app", "enabled", "org"]
    search_fields = ["app", "org__name", "workspace__name"]
    list_select_related = ["org", "workspace"]
    exclude = ["secrets_encrypted"]
    readonly_fields = ["stored_secrets", "created_at", "updated_at"]

    def console_url(self, obj):
        if obj.workspace_id:
            return reverse(
                "workspaces:manage_integrations", args=[obj.org.slug, obj.workspace.slug]
            )
        return reverse("orgs:integrations", args=[obj.org.slug])

    @admin.display(description="Secret settings")
    def stored_secrets(self, obj):
        try:
            masked = obj.masked_secrets()
        except ValueError as error:
            return str(error)
        return ", ".join(f"{name}: {value}" for name, value in sorted(masked.items())) or "—"
