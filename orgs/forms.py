from django import forms

from .integrations import App


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
            widget = forms.PasswordInput(render_value=False) if setting.secret else None
            help_text = setting.help_text
            if stored:
                help_text = f"Stored ({masks[setting.name]}). Leave blank to keep it."
            self.fields[setting.name] = field_class(
                label=setting.label,
                required=setting.required and not stored,
                help_text=help_text,
                widget=widget,
                max_length=500,
            )
            if installation and not setting.secret:
                self.initial.setdefault(setting.name, installation.config.get(setting.name, ""))
