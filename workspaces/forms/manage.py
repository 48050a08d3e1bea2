"""Forms of the workspace Manage page (members, teams, domains, settings)."""

from django import forms
from django.core.exceptions import ValidationError
from django.urls import reverse

from flowadmin.forms import JINJA2_RENDERER, ReusedWidgetField
from orgs.avatars import process_avatar
from orgs.forms import ExpiringField

from ..models import Workspace


class MemberSearchForm(forms.Form):
    # Manage → Members draws the search forms' inputs on every request: through the Django
    # template engine they cost ~3,000 Python calls a page, ~1,000 with Jinja2, a recall once
    # rendered for the value
    default_renderer = JINJA2_RENDERER
    bound_field_class = ReusedWidgetField

    q = forms.CharField(
        label="Search",
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": "Name or email"}),
    )
    expiring = ExpiringField()


class WhitelabelForm(forms.Form):
    """Choose among the verified domains the workspace may use (blank: the default host)."""

    domain = forms.ChoiceField(label="Whitelabel domain", required=False)

    def __init__(self, *args, domains, default_host: str, current=None, **kwargs):
        kwargs.setdefault("initial", {"domain": str(current.pk) if current else ""})
        super().__init__(*args, **kwargs)
        self.domains = {str(d.pk): d for d in domains}
        self.fields["domain"].choices = [("", f"None: use the default host ({default_host})")] + [
            (pk, d.hostname) for pk, d in self.domains.items()
        ]

    def clean_domain(self):
        return self.domains.get(self.cleaned_data["domain"])


class WorkspaceSettingsForm(forms.Form):
    name = forms.CharField(max_length=120)
    slug = forms.SlugField(max_length=60)
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)
    avatar = forms.FileField(
        required=False,
        help_text="PNG, JPEG, GIF or WebP; it is cropped to a square.",
        widget=forms.FileInput(attrs={"accept": "image/png,image/jpeg,image/gif,image/webp"}),
    )
    remove_avatar = forms.BooleanField(required=False, label="Remove the current avatar")

    def __init__(self, *args, workspace: Workspace, **kwargs):
        kwargs.setdefault(
            "initial",
            {"name": workspace.name, "slug": workspace.slug, "description": workspace.description},
        )
        super().__init__(*args, **kwargs)
        self.workspace = workspace
        self.fields["slug"].help_text = (
            "Lowercase letters, digits, hyphens and underscores. It is part of this workspace's "
            f"addresses: {reverse('workspaces:home', args=[workspace.org.slug, workspace.slug])}"
        )
        if not workspace.avatar:
            del self.fields["remove_avatar"]

    def clean_slug(self):
        slug = self.cleaned_data["slug"].lower()
        taken = Workspace.objects.filter(org_id=self.workspace.org_id, slug=slug).exclude(
            pk=self.workspace.pk
        )
        if taken.exists():
            raise ValidationError("Another workspace of this organization uses this slug.")
        return slug

    def clean_avatar(self):
        upload = self.cleaned_data.get("avatar")
        return process_avatar(upload) if upload else None
