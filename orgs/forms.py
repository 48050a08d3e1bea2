from django import forms
from django.conf import settings

from . import expiry
from .avatars import process_avatar
from .domains import validate_hostname
from .errors import ServiceError
from .integrations import App
from .services import require_future


class IntegrationSettingsForm(forms.Form):
    """The settings form of one catalog app. Secret fields are never filled with the stored
    value: blank keeps what is stored."""

    def __init__(self, app: App, *args, installation=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.app = app
        masks = installation.masked_secrets() if installation else {}
        for setting in app.fields:
            field_class = {"url": forms.URLField, "email": forms.EmailField}.get(
                setting.kind, forms.CharField
            )
            stored = setting.name in masks
            widget = (
                forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"})
                if setting.secret
                else None
            )
            help_text = setting.help_text
            if stored:
                help_text = f"Stored ({masks[setting.name]}). Leave blank to keep it."
            extra = {"assume_scheme": "https"} if field_class is forms.URLField else {}
            self.fields[setting.name] = field_class(
                label=setting.label,
                required=setting.required and not stored,
                help_text=help_text,
                widget=widget,
                max_length=500,
                **extra,
            )
            if installation and not setting.secret:
                self.initial.setdefault(setting.name, installation.config.get(setting.name, ""))


# --- the Org Admin console -------------------------------------------------------

AVATAR_ACCEPT = "image/png,image/jpeg,image/gif,image/webp"


class AvatarField(forms.FileField):
    """An optional image upload, cleaned into the square PNG that orgs.avatars stores (type,
    size and decompression bombs checked there)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("label", "Avatar")
        kwargs.setdefault("widget", forms.FileInput(attrs={"accept": AVATAR_ACCEPT}))
        kwargs.setdefault(
            "help_text",
            f"PNG, JPEG, GIF or WebP, at most {settings.AVATAR_MAX_BYTES // (1024 * 1024)} MB; "
            "cropped to a square.",
        )
        super().__init__(**kwargs)

    def clean(self, data, initial=None):
        upload = super().clean(data, initial)
        return process_avatar(upload) if upload else None


class AvatarFormMixin:
    """Adds `avatar` and, when one is set, `remove_avatar` (call `_add_avatar_fields` from
    __init__); `avatar_changes()` gives the keyword arguments of org_update / team_update."""

    def _add_avatar_fields(self, has_avatar):
        self.fields["avatar"] = AvatarField()
        if has_avatar:
            self.fields["remove_avatar"] = forms.BooleanField(
                required=False, label="Remove the current avatar (show initials instead)"
            )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("avatar") and cleaned.get("remove_avatar"):
            self.add_error(
                "remove_avatar", "Either upload a new avatar or remove the current one, not both."
            )
        return cleaned

    def avatar_changes(self) -> dict:
        return {
            "avatar": self.cleaned_data.get("avatar"),
            "remove_avatar": bool(self.cleaned_data.get("remove_avatar")),
        }


class OrgSettingsForm(AvatarFormMixin, forms.Form):
    description = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=2000,
        help_text="Shown to the org's members.",
    )

    require_two_factor = forms.BooleanField(
        label="Require two-factor authentication",
        required=False,
        help_text="Members without it must enrol at their next visit before they reach the "
        "org. Members who sign in through the org's SSO count as covered by the identity "
        "provider.",
    )

    def __init__(self, *args, org, **kwargs):
        kwargs.setdefault(
            "initial",
            {"description": org.description, "require_two_factor": org.require_two_factor},
        )
        super().__init__(*args, **kwargs)
        self._add_avatar_fields(bool(org.avatar))


class UntilField(forms.DateField):
    """An optional end date (orgs.expiry): the last day the access counts, in TIME_ZONE; empty
    means it does not end. Forms turn it into the grant's `until` with
    orgs.expiry.from_picked_day (`picked_end` for a new grant).

    `new_grant`: the field of a form that creates a grant (an invitation, the "add" forms of
    the team and Manage pages), where a day that has passed is always wrong: it is refused on
    the field itself, by the services' rule (orgs.services.require_future). The editors of an
    existing grant leave that to the service, which also says when the grant's own end has
    passed (orgs.errors.ExpiredGrantError) — and a grant shown with such a day can still be
    removed."""

    def __init__(self, *, new_grant: bool = False, **kwargs):
        kwargs.setdefault("label", "Until")
        kwargs.setdefault("required", False)
        kwargs.setdefault("widget", forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
        kwargs.setdefault("help_text", "Optional: the last day of access (empty: no end).")
        super().__init__(**kwargs)
        self.new_grant = new_grant

    def validate(self, value):
        super().validate(value)
        if value is None or not self.new_grant:
            return
        try:
            require_future(expiry.end_of_day(value), "this access")
        except ServiceError:
            raise forms.ValidationError(
                f"{value:%Y-%m-%d} has passed: choose today or a later day, or leave it empty "
                "for access that does not end.",
                code="until_past",
            ) from None


def picked_end(day):
    """The `until` of a new grant whose form's UntilField says `day` (None: no end)."""
    return expiry.from_picked_day(day, None)


class UntilFormMixin:
    """A form editing an existing grant's end through its `until` field (an UntilField)."""

    def until_for(self, current):
        """The end to give the grant now ending at `current` (orgs.expiry.from_picked_day)."""
        return expiry.from_picked_day(self.cleaned_data.get("until"), current)


class TeamForm(forms.Form):
    name = forms.CharField(max_length=120)
    description = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}), required=False, max_length=2000
    )


class TeamSettingsForm(AvatarFormMixin, TeamForm):
    def __init__(self, *args, team, **kwargs):
        kwargs.setdefault("initial", {"name": team.name, "description": team.description})
        super().__init__(*args, **kwargs)
        self._add_avatar_fields(bool(team.avatar))


class TeamMemberAddForm(forms.Form):
    email = forms.EmailField(
        label="Org member's email",
        max_length=254,
        widget=forms.EmailInput(attrs={"list": "member-options", "autocomplete": "off"}),
    )
    until = UntilField(
        label="Member until",
        new_grant=True,
        help_text="Optional: the last day of their membership of the team (empty: no end).",
    )

    def __init__(self, *args, team, **kwargs):
        super().__init__(*args, **kwargs)
        self.team = team

    def end(self):
        """The new team membership's `until` (orgs.expiry), or None."""
        return picked_end(self.cleaned_data.get("until"))

    def clean_email(self):
        from .models import OrgMembership

        email = self.cleaned_data["email"].strip().lower()
        membership = (
            OrgMembership.objects.select_related("user")
            .filter(org_id=self.team.org_id, user__email__iexact=email)
            .first()
        )
        if membership is None:
            raise forms.ValidationError(
                f"{email} is not a member of this organization: invite them first.",
                code="not_org_member",
            )
        if self.team.members.filter(pk=membership.user_id).exists():
            raise forms.ValidationError(f"{email} is already in {self.team.name}.", code="dup")
        self.user = membership.user
        return email


class TeamMemberUntilForm(UntilFormMixin, forms.Form):
    """When one member's membership of a team ends (orgs.services.team_member_until_set), a
    row of the team page's member list: ids name the member, the date shown is the last day."""

    # The row's visually hidden label says what the day means: a help text would only be an
    # aria-describedby pointing at nothing (the row draws no help text).
    until = UntilField(label="Member until", help_text="")

    def __init__(self, *args, membership, **kwargs):
        kwargs.setdefault("auto_id", f"member-{membership.user_id}-%s")
        kwargs.setdefault("initial", {"until": expiry.last_day(membership.until)})
        super().__init__(*args, **kwargs)


class DomainAddForm(forms.Form):
    """Add a domain: the org's (Settings → Domains) or a workspace's own (Manage → Domains)."""

    hostname = forms.CharField(
        max_length=253,
        help_text="A hostname you control, e.g. go.example.com (no http:// or path). You will "
        "add a DNS TXT record to prove it.",
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )

    def clean_hostname(self):
        """Well-formed; whether this org may claim it is orgs.services.domain_add's call."""
        return validate_hostname(self.cleaned_data["hostname"])


class ConfirmForm(forms.Form):
    """Type a word (a slug, a name) to confirm a destructive action."""

    confirm = forms.CharField(max_length=200)

    def __init__(self, *args, expected: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.expected = expected
        self.fields["confirm"].label = f"Type {expected} to confirm"
        self.fields["confirm"].widget.attrs.update({"autocomplete": "off", "spellcheck": "false"})

    def clean_confirm(self):
        value = self.cleaned_data["confirm"].strip()
        if value != self.expected:
            raise forms.ValidationError(
                f"Type {self.expected} exactly to confirm.", code="mismatch"
            )
        return value


class WorkspaceCreateForm(forms.Form):
    """The console's "New workspace" form."""

    name = forms.CharField(max_length=120)
    slug = forms.SlugField(
        max_length=60,
        required=False,
        help_text="Used in the workspace's address. Leave blank to derive it from the name.",
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    description = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}), required=False, max_length=2000
    )

    def __init__(self, *args, org, **kwargs):
        super().__init__(*args, **kwargs)
        self.org = org

    def suggest_slug(self, name: str) -> str:
        """The slug a blank slug field becomes for `name` (unique in the org); shown as the
        field's placeholder and help text."""
        from workspaces.models import Workspace

        from .services import unique_slug

        if not (name or "").strip():
            return ""
        slug = unique_slug(Workspace.objects.filter(org=self.org), name)
        self.fields["slug"].widget.attrs["placeholder"] = slug
        self.fields[
            "slug"
        ].help_text = f"Used in the workspace's address. Leave blank to use “{slug}”."
        return slug

    def clean_slug(self):
        from workspaces.models import Workspace

        slug = self.cleaned_data["slug"].lower()
        if slug and Workspace.objects.filter(org=self.org, slug=slug).exists():
            raise forms.ValidationError(
                f"{self.org.name} already has a workspace with the slug “{slug}”.",
                code="duplicate",
            )
        return slug


EXPIRING_DAYS = 30


class ExpiringField(forms.TypedChoiceField):
    """The "access ending in 30 days" filter of the Users and Manage → Members pages
    (orgs.expiry): a number of days, or None."""

    def __init__(self, **kwargs):
        super().__init__(
            label="Access ending",
            required=False,
            coerce=int,
            empty_value=None,
            choices=[("", "Any"), (str(EXPIRING_DAYS), "In 30 days")],
            **kwargs,
        )
