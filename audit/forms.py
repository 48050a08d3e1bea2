from django import forms

from .models import StreamDestination
from .services import MIN_SECRET_LENGTH


class ActivityStreamForm(forms.Form):
    """Settings of an org's activity stream (Settings → Integrations). The signing secret is
    never shown again: blank keeps the stored one."""

    destination = forms.ChoiceField(
        label="Send new entries to",
        choices=StreamDestination.choices,
        widget=forms.RadioSelect,
        initial=StreamDestination.WEBHOOK,
    )
    url = forms.URLField(
        label="Webhook URL",
        required=False,
        max_length=500,
        assume_scheme="https",
        help_text="HTTPS. Entries are POSTed as JSON lines, oldest first.",
    )
    secret = forms.CharField(
        label="Signing secret",
        required=False,
        min_length=MIN_SECRET_LENGTH,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text=(
            "Each request carries X-Flowadmin-Signature: sha256=HMAC-SHA256(body, secret). "
            f"At least {MIN_SECRET_LENGTH} characters."
        ),
    )
    enabled = forms.BooleanField(label="Stream enabled", required=False, initial=True)

    def __init__(self, *args, stream=None, **kwargs):
        super().__init__(*args, **kwargs)
        if stream is not None:
            self.initial.update(
                destination=stream.destination, url=stream.url, enabled=stream.enabled
            )
            if stream.secrets_encrypted:
                self.fields["secret"].help_text = "Stored. Leave blank to keep it."
