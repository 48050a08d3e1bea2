"""Forms of the People pages: member search, invitations, a member's org role and workspace
access, and the account form of the invitation accept page."""

import re

from django import forms
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError

from .forms import ExpiringField, UntilField, UntilFormMixin, picked_end
from .models import User
from .people import MEMBER_SORTS
from .roles import WORKSPACE_ROLE_OR_NO_ACCESS, OrgRole

MEMBER_SORT_CHOICES = [
    (f"{prefix}{key}", f"{label}{suffix}")
    for key, (label, _) in MEMBER_SORTS.items()
    for prefix, suffix in (("", ""), ("-", " (reversed)"))
]


class MemberFilterForm(forms.Form):
    q = forms.CharField(
        label="Search members",
        required=False,
        max_length=100,
        widget=forms.TextInput(
            attrs={"type": "search", "placeholder": "Name or email", "autocomplete": "off"}
        ),
    )
    sort = forms.ChoiceField(label="Sort by", required=False, choices=MEMBER_SORT_CHOICES)
    two_factor = forms.ChoiceField(
        label="Two-factor authentication",
        required=False,
        choices=[("", "Any"), ("on", "Enabled"), ("off", "Not enabled")],
    )

    expiring = ExpiringField()

    def expiring_days(self) -> int | None:
        """Days ahead for the "access ending soon" filter, or None (everyone)."""
        return self.cleaned_data["expiring"] if self.is_valid() else None

    def two_factor_filter(self) -> bool | None:
        """True: members with 2FA only; False: without; None: everyone."""
        if not self.is_valid() or not self.cleaned_data["two_factor"]:
            return None
        return self.cleaned_data["two_factor"] == "on"

    def values(self):
        """(search text, sort key) — defaults when the query string is invalid."""
        if not self.is_valid():
            return "", "name"
        return self.cleaned_data["q"].strip(), self.cleaned_data["sort"] or "name"


WORKSPACE_KEY = re.compile(r"ws_(\d+)(_until)?")
REFUSED_WORKSPACE = "Choose workspaces of this organization."


class InviteForm(forms.Form):
    """An invitation: the email, the Primary Role and its optional end (`until`, the org
    membership made at acceptance), and per workspace an optional role with its own end
    (fields `ws_<id>` and `ws_<id>_until`). Ends are new grants' (UntilField(new_grant=True):
    a day that has passed is refused on its field).

    Only the workspaces of `pick` (people.workspace_pick: those given a role or an end so far,
    and at most FIND_LIMIT found by name) have fields, never one per workspace of the org. A
    posted `ws_…` field with a value that names no workspace of the org (another org's, a
    deleted one, or no id at all) is refused with a form error."""

    email = forms.EmailField(label="Email address", max_length=254)
    role = forms.ChoiceField(
        label="Primary Role",
        choices=OrgRole.choices,
        initial=OrgRole.USER,
        help_text="Org Admins manage the org and are Workspace Admins everywhere.",
    )
    until = UntilField(
        label="Member until",
        new_grant=True,
        help_text="Optional: the last day of their membership (empty: no end). Their "
        "workspace roles end with it.",
    )

    def __init__(self, *args, pick, **kwargs):
        super().__init__(*args, **kwargs)
        self.pick = pick
        self.workspaces = pick.rows
        for workspace in self.workspaces:
            self.fields[self.workspace_field(workspace)] = forms.ChoiceField(
                label=workspace.name, choices=WORKSPACE_ROLE_OR_NO_ACCESS, required=False
            )
            self.fields[self.until_field(workspace)] = UntilField(
                label=f"{workspace.name} until",
                new_grant=True,
                help_text=f"Optional: the last day of the role in {workspace.name}.",
            )

    @classmethod
    def refilled(cls, data, *, pick):
        """An unbound form showing what `data` (a search's POST) holds, without judging it:
        the email, roles and ends typed so far stay while the inviter searches."""
        bound = cls(data, pick=pick)
        return cls(pick=pick, initial={name: bound[name].data for name in bound.fields})

    @staticmethod
    def asked(params) -> tuple[list[int], bool]:
        """From a POST (QueryDict): the ids of the workspaces given a role or an end (`ws_<id>`
        or `ws_<id>_until` with a value), in order, and whether a `ws_…` field with a value
        names no id (malformed)."""
        ids, malformed = [], False
        for key, values in params.lists():
            if not key.startswith("ws_") or not any(value.strip() for value in values):
                continue
            match = WORKSPACE_KEY.fullmatch(key)
            if match is None:
                malformed = True
            elif int(match[1]) not in ids:
                ids.append(int(match[1]))
        return ids, malformed

    @staticmethod
    def workspace_field(workspace):
        return f"ws_{workspace.pk}"

    @classmethod
    def until_field(cls, workspace):
        return f"{cls.workspace_field(workspace)}_until"

    def _rows(self, workspaces):
        return [(self[self.workspace_field(ws)], self[self.until_field(ws)]) for ws in workspaces]

    def workspace_fields(self):
        """[(role field, end field), ...] per workspace shown, for the template."""
        return self._rows(self.workspaces)

    def chosen_fields(self):
        """[(role field, end field), ...] of the workspaces given a role or an end so far."""
        return self._rows(self.pick.chosen)

    def found_fields(self):
        """[(role field, end field), ...] of the other workspaces found by name."""
        return self._rows(self.pick.found)

    def clean_email(self):
        return User.objects.normalize_email(self.cleaned_data["email"])

    def clean(self):
        cleaned = super().clean()
        asked, malformed = self.asked(self.data)
        shown = {ws.pk for ws in self.pick.chosen}
        if malformed or not shown.issuperset(asked):
            self.add_error(None, ValidationError(REFUSED_WORKSPACE, code="invalid_workspace"))
        for ws in self.workspaces:
            if cleaned.get(self.until_field(ws)) and not cleaned.get(self.workspace_field(ws)):
                self.add_error(
                    self.until_field(ws),
                    f"Choose a role in {ws.name} too, or leave its end date empty.",
                )
        return cleaned

    def end(self):
        """The org membership's `until` (orgs.expiry), or None."""
        return picked_end(self.cleaned_data.get("until"))

    def workspace_roles(self):
        """[(workspace, role, until), ...] for the workspaces given a role (until: None for
        no end), as orgs.invitations.invitation_create takes them."""
        return [
            (
                ws,
                self.cleaned_data[self.workspace_field(ws)],
                picked_end(self.cleaned_data.get(self.until_field(ws))),
            )
            for ws in self.pick.chosen
            if self.cleaned_data.get(self.workspace_field(ws))
        ]


class OrgRoleForm(UntilFormMixin, forms.Form):
    role = forms.ChoiceField(label="Primary Role", choices=OrgRole.choices)
    until = UntilField(label="Member until")

    def lowers(self, current: str) -> bool:
        """True when the chosen role ranks below `current` (OrgRole lists the highest first)."""
        order = list(OrgRole.values)
        return order.index(self.cleaned_data["role"]) > order.index(current)


class AcceptInvitationForm(forms.Form):
    """The new account of someone accepting an invitation: name and password (checked by
    Django's password validators)."""

    full_name = forms.CharField(label="Your name", max_length=150)
    password1 = forms.CharField(
        label="Password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validation.password_validators_help_text_html(),
    )
    password2 = forms.CharField(
        label="Password again",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args, email, **kwargs):
        super().__init__(*args, **kwargs)
        self.email = email

    def clean(self):
        cleaned = super().clean()
        password1, password2 = cleaned.get("password1"), cleaned.get("password2")
        if password1 and password2 and password1 != password2:
            self.add_error("password2", "The two passwords don't match.")
        elif password1:
            candidate = User(email=self.email, full_name=cleaned.get("full_name", ""))
            try:
                password_validation.validate_password(password1, candidate)
            except ValidationError as error:
                self.add_error("password1", error)
        return cleaned
