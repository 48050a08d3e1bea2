"""Forms of the access review pages: start a review, add a reviewer, decide an item."""

from django import forms
from django.utils import timezone

from ..roles import FLAG_DEFINITIONS, OrgRole, WorkspaceRole
from .models import DeadlineAction, Decision

ALL, SOME = "all", "some"


class ReviewStartForm(forms.Form):
    name = forms.CharField(
        max_length=120,
        help_text="What the review is for, e.g. “Q1 2027 access review”.",
        error_messages={"required": "Give the review a name."},
    )
    deadline = forms.DateTimeField(
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d"],
        help_text="Reviewers decide until then (time in UTC).",
        error_messages={
            "required": "Choose a deadline.",
            "invalid": "Enter the deadline as a date and time, e.g. 2027-01-31 17:00.",
        },
    )
    scope = forms.ChoiceField(
        label="Workspaces",
        choices=[(ALL, "All workspaces"), (SOME, "Only the workspaces I choose")],
        widget=forms.RadioSelect,
        initial=ALL,
    )
    # Rendered by the template's picker (find by name, tick; people.workspace_pick), never
    # as one checkbox per workspace of the org.
    workspaces = forms.ModelMultipleChoiceField(
        queryset=None,
        required=False,
        widget=forms.MultipleHiddenInput,
        label="Chosen workspaces",
        error_messages={
            "invalid_choice": "Choose workspaces of this organization.",
            "invalid_pk_value": "Choose workspaces of this organization.",
        },
    )
    include_org_roles = forms.BooleanField(
        required=False,
        initial=True,
        label="Also review the org roles (Org Admins review them)",
    )
    on_deadline = forms.ChoiceField(
        label="At the deadline",
        choices=DeadlineAction.choices,
        widget=forms.RadioSelect,
        initial=DeadlineAction.REPORT,
        help_text="“Remove” takes away unreviewed access through the usual services: a "
        "workspace's direct membership and teams, or an unreviewed org member's membership.",
    )

    def __init__(self, *args, workspaces, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["workspaces"].queryset = workspaces

    @classmethod
    def refilled(cls, data, *, workspaces):
        """An unbound form showing what `data` (a search's POST) holds, without judging it:
        the name, deadline and choices typed so far stay while the reviewer searches."""
        bound = cls(data, workspaces=workspaces)
        names = [name for name in bound.fields if name != "workspaces"]
        return cls(workspaces=workspaces, initial={name: bound[name].data for name in names})

    def clean_deadline(self):
        deadline = self.cleaned_data["deadline"]
        if deadline <= timezone.now():
            raise forms.ValidationError("The deadline must be in the future.")
        return deadline

    def clean(self):
        data = super().clean()
        if data.get("scope") == SOME and not data.get("workspaces"):
            self.add_error("workspaces", "Choose at least one workspace, or “All workspaces”.")
        return data

    def chosen_workspaces(self):
        """The workspaces to review (None: all of them)."""
        if self.cleaned_data["scope"] == ALL:
            return None
        return list(self.cleaned_data["workspaces"])


class ReviewerAddForm(forms.Form):
    email = forms.EmailField(
        label="Add a reviewer (email of a member)",
        error_messages={"required": "Enter the email of a member of this organization."},
    )


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=Decision.choices, widget=forms.RadioSelect)
    role = forms.ChoiceField(required=False, label="New role")
    note = forms.CharField(required=False, max_length=500, label="Note for the evidence (optional)")

    def __init__(self, *args, org_role: bool, **kwargs):
        super().__init__(*args, **kwargs)
        roles = OrgRole.choices if org_role else list(reversed(WorkspaceRole.choices))
        self.fields["role"].choices = [("", "Choose a role"), *roles]
        self.org_role = org_role
        if not org_role:
            for flag in FLAG_DEFINITIONS:
                self.fields[flag.name] = forms.BooleanField(required=False, label=flag.label)

    def clean(self):
        data = super().clean()
        if data.get("decision") == Decision.CHANGE and not data.get("role"):
            self.add_error("role", "Choose the role to change to.")
        return data

    def flags(self) -> dict:
        return {flag.name: self.cleaned_data.get(flag.name, False) for flag in FLAG_DEFINITIONS}
