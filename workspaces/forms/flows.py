"""Forms of the flow pages and the analytics period picker."""

from django import forms

from ..models import Flow, FlowStatus
from ..selectors import DEFAULT_PERIOD, PERIOD_CHOICES
from ..services import http_url


class HttpURLField(forms.URLField):
    """A URL whose scheme is http or https (no javascript:, data:, ftp: …)."""

    default_validators = [http_url]
    default_error_messages = {"invalid": http_url.message}


class FlowForm(forms.Form):
    name = forms.CharField(max_length=Flow._meta.get_field("name").max_length)
    destination_url = HttpURLField(
        label="Destination URL",
        max_length=Flow._meta.get_field("destination_url").max_length,
        assume_scheme="https",
        help_text="Where a scan of the QR code sends people: an http:// or https:// address.",
        widget=forms.URLInput(attrs={"placeholder": "https://example.com/spring-menu"}),
    )
    status = forms.ChoiceField(
        choices=FlowStatus.choices,
        initial=FlowStatus.ACTIVE,
        help_text="A paused flow's short link answers 404 until it is active again.",
    )


class FlowEditForm(FlowForm):
    """The edit form also carries the version of the flow it shows (optimistic concurrency:
    workspaces.services.flow_update refuses a save over a newer version)."""

    # The page always sends it; a post without one (a script) is not checked.
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1, required=False)

    @classmethod
    def for_flow(cls, flow, data=None):
        return cls(
            data,
            initial={
                "name": flow.name,
                "destination_url": flow.destination_url,
                "status": flow.status,
                "version": flow.version,
            },
        )

    def show_current_version(self, flow) -> None:
        """After a StaleError: keep what the person typed, but let their next save replace the
        version they have now been told about."""
        self.data = self.data.copy()
        self.data["version"] = flow.version


class FlowFilterForm(forms.Form):
    """Search and status filter of the flow list (GET); bad values are ignored."""

    q = forms.CharField(
        label="Search",
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": "Name, code or URL"}),
    )
    status = forms.ChoiceField(choices=[("", "Any status"), *FlowStatus.choices], required=False)

    def filters(self) -> dict:
        if not self.is_valid():
            return {"search": "", "status": ""}
        return {"search": self.cleaned_data["q"], "status": self.cleaned_data["status"]}


class PeriodForm(forms.Form):
    """The analytics period: 7, 30 or 90 days (GET `days`)."""

    days = forms.TypedChoiceField(
        label="Period",
        choices=[(days, f"Last {days} days") for days in PERIOD_CHOICES],
        coerce=int,
        required=False,
        empty_value=DEFAULT_PERIOD,
    )

    def __init__(self, data=None, **kwargs):
        super().__init__(data if data and "days" in data else None, **kwargs)

    @property
    def chosen_days(self) -> int:
        if self.is_bound and self.is_valid():
            return self.cleaned_data["days"]
        return DEFAULT_PERIOD
