"""Forms for flow templates, assets, brand kits and audience tags. They validate input and show
errors in place; the writes happen in workspaces.services.content."""

from django import forms
from django.core.validators import URLValidator

from .. import uploads
from ..models import FlowTemplate
from ..models.content import hex_color
from ..services.content import FONT_RE, BrandKitData, normalize_tag

http_url = URLValidator(schemes=["http", "https"], message="Enter an http:// or https:// URL.")


class FlowTemplateForm(forms.Form):
    name = forms.CharField(max_length=200)
    default_destination = forms.URLField(
        max_length=2000,
        required=False,
        assume_scheme="https",
        validators=[http_url],
        help_text="Where flows made from this template send people (http or https).",
    )
    description = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 4}))

    @classmethod
    def for_template(cls, template: FlowTemplate, data=None):
        return cls(
            data,
            initial={
                "name": template.name,
                "default_destination": template.default_destination,
                "description": template.description,
            },
        )


class AssetUploadForm(forms.Form):
    file = forms.FileField(
        help_text="An image (PNG, JPEG, GIF, WebP) or a PDF document.",
        widget=forms.ClearableFileInput(
            attrs={"accept": "image/png,image/jpeg,image/gif,image/webp,application/pdf,.pdf"}
        ),
    )
    name = forms.CharField(
        max_length=200, required=False, help_text="Leave blank to use the file's name."
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        uploads.inspect_asset(upload)  # raises ValidationError, shown under the field
        return upload


class ColorInput(forms.TextInput):
    input_type = "color"


class BrandKitForm(forms.Form):
    name = forms.CharField(max_length=120)
    primary_color = forms.CharField(
        max_length=7, validators=[hex_color], widget=ColorInput, initial="#1f4fd1"
    )
    secondary_color = forms.CharField(
        max_length=7, validators=[hex_color], widget=ColorInput, initial="#0f172a"
    )
    accent_color = forms.CharField(
        max_length=7, validators=[hex_color], widget=ColorInput, initial="#f59e0b"
    )
    font = forms.CharField(
        max_length=80, required=False, help_text="A font family name, e.g. Inter or Source Sans 3."
    )
    logo = forms.FileField(
        required=False,
        help_text="PNG, JPEG, GIF or WebP; stored as a PNG of at most 512 × 512 pixels.",
        widget=forms.FileInput(attrs={"accept": "image/png,image/jpeg,image/gif,image/webp"}),
    )
    remove_logo = forms.BooleanField(required=False, label="Remove the current logo")

    def __init__(self, *args, brand_kit=None, **kwargs):
        if brand_kit is not None:
            kwargs.setdefault(
                "initial",
                {
                    "name": brand_kit.name,
                    "primary_color": brand_kit.primary_color,
                    "secondary_color": brand_kit.secondary_color,
                    "accent_color": brand_kit.accent_color,
                    "font": brand_kit.font,
                },
            )
        super().__init__(*args, **kwargs)
        if brand_kit is None or not brand_kit.logo:
            del self.fields["remove_logo"]

    def clean_font(self):
        font = " ".join(self.cleaned_data["font"].split())
        if font and not FONT_RE.match(font):
            raise forms.ValidationError("Use letters, digits, spaces and hyphens only.")
        return font

    def clean_logo(self):
        logo = self.cleaned_data["logo"]
        return uploads.process_logo(logo) if logo else None

    def brand_kit_data(self) -> BrandKitData:
        data = self.cleaned_data
        return BrandKitData(
            name=data["name"],
            primary_color=data["primary_color"],
            secondary_color=data["secondary_color"],
            accent_color=data["accent_color"],
            font=data["font"],
        )


class TagForm(forms.Form):
    tag = forms.CharField(max_length=60, label="Add a tag")

    def clean_tag(self):
        return normalize_tag(self.cleaned_data["tag"])
