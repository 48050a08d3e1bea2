"""The one grant editor: a workspace role and the Fine-Grained Permissions of one grant — a
member's direct membership or a team's access — used by the team page, the Manage page (members
and teams) and the member profile. The writes are workspaces.services.workspace_member_set /
team_access_set with the form's `changes()`, or workspace_member_remove when the profile's
"No access" is chosen."""

from __future__ import annotations

from html import escape
from typing import TypedDict

from django import forms
from django.forms.renderers import Jinja2
from django.forms.utils import ErrorList
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe

from orgs import expiry, permissions
from orgs.forms import UntilField
from orgs.roles import FLAG_LABELS, FLAGS, NO_ACCESS, WORKSPACE_ROLE_OR_NO_ACCESS, WorkspaceRole

from ..services import flags_as_submitted

# Django's Jinja2 form renderer (its own widget templates, the same markup): a GrantForm is
# rendered once per row of pages listing dozens of grants (a member's profile and the
# workspaces found for it, Manage → Members and Teams, a team's page), and the Django template
# engine spent twice the Python calls drawing the same inputs (issue #14). One instance: its
# Jinja2 environment is built once.
ROW_RENDERER = Jinja2()


class FlagFieldsForm(forms.Form):
    """A checkbox per flag of FLAGS (orgs.roles), after the subclass's `role` field."""

    field_order = ["role", *FLAGS]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for flag in FLAGS:
            self.fields[flag] = forms.BooleanField(
                required=False,
                label=FLAG_LABELS[flag],
                widget=forms.CheckboxInput(attrs={"data-flag": ""}),  # static/js/app.js: undo
            )
        self.order_fields(self.field_order)

    @property
    def flag_fields(self):
        return [self[flag] for flag in FLAGS]


class GrantForm(FlagFieldsForm):
    """Role and flags of one grant, rendered once per row: pass an `auto_id` that keeps element
    ids unique while field names stay the same for every row.

    `grant`: what the row shows — a WorkspaceMembership, a TeamAccess or an access Source
    (anything with `role` and `flags`) — or None when the member has no direct grant yet.
    `removable`: the profile's editor, whose roles start with "No access" (remove the grant).
    Flags are shown but not editable while there is no grant or the grant is Admin (always
    on), except when an undo restores a lower role with its former flags."""

    default_renderer = ROW_RENDERER
    role = forms.ChoiceField(choices=WorkspaceRole.choices)
    # The row's label says what the day means (grant_editor below);
    # a help text would only be an aria-describedby pointing at nothing.
    until = UntilField(help_text="")
    # Undo (static/js/app.js): put back a role *and* its flags as they were, in one change.
    restore = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, grant, role_label=None, removable=False, **kwargs):
        if grant is not None and getattr(grant, "pk", None) is not None:
            kwargs.setdefault("auto_id", f"grant-{type(grant).__name__.lower()}-{grant.pk}-%s")
        self.shown = (grant.role, dict(grant.flags)) if grant is not None else None
        # The grant's own end (orgs.expiry; a Source's is its grant's too).
        self.shown_until = getattr(grant, "until", None)
        role, flags = self.shown or (NO_ACCESS, dict.fromkeys(FLAGS, False))
        initial = {"role": role, **flags, "until": expiry.last_day(self.shown_until)}
        super().__init__(*args, initial=initial, **kwargs)
        self.grant = grant
        self.locked = grant is None or permissions.flags_locked(grant.role)
        if removable:
            self.fields["role"].choices = WORKSPACE_ROLE_OR_NO_ACCESS
            self.fields["role"].required = False
        if role_label:
            self.fields["role"].label = role_label
        restoring = bool(self.data.get("restore"))
        for flag in FLAGS:
            self.fields[flag].disabled = self.locked and not restoring

    @property
    def shown_role(self) -> str:
        return self.shown[0] if self.shown else NO_ACCESS

    def fields_shown(self) -> GrantFields:
        """This form as the list rows' plain values (GrantFields): what was submitted, with
        its errors — the row a failed save shows again."""
        values = {name: self[name].value() for name in ("role", "until", *FLAGS)}
        until = values["until"]
        return _grant_fields(
            self.auto_id.removesuffix("%s") if isinstance(self.auto_id, str) else "",
            str(values["role"] or ""),
            [
                FlagInput(
                    name=flag,
                    label=FLAG_LABELS[flag],
                    id=self[flag].auto_id,
                    checked=forms.CheckboxInput().check_test(values[flag]),
                    disabled=self.fields[flag].disabled,
                )
                for flag in FLAGS
            ],
            until.isoformat() if hasattr(until, "isoformat") else str(until or ""),
            self.locked,
            errors=self.non_field_errors() or None,
            role_errors=self["role"].errors or None,
            until_errors=self["until"].errors or None,
        )

    def saved_notice(self, role_label: str) -> str:
        """The sentence a saved row shows (call after `changes()` was applied)."""
        if self.cleaned_data.get("restore"):
            return f"Undone: {role_label} with the permissions it had before."
        if self.cleaned_data["role"] != self.shown_role:
            return f"Role set to {role_label}: its default permissions apply."
        return "Permissions saved."

    def lowers_role(self) -> bool:
        """True when the submitted role ranks below the shown one (policy order; "No access"
        is below every role)."""
        rank = permissions.ROLE_RANK
        role = self.cleaned_data["role"]
        if self.shown is None:
            return False
        return not role or rank[role] < rank[self.shown_role]

    def lowers_grant(self) -> bool:
        """Whether saving lowers the grant itself: a lower role or "No access", or a flag on
        before and off after (a new role's defaults count: SPEC §3.2). Pure — no query; only
        such a change can lower anyone's effective access (the impact preview's question)."""
        if self.shown is None:
            return False
        changes = self.changes()
        if changes is None:
            return True
        role, flags = permissions.grant_after(self.shown, changes["role"], changes["flags"])
        shown_role, shown_flags = self.shown
        rank = permissions.ROLE_RANK
        return rank[role] < rank[shown_role] or any(
            shown_flags[flag] and not flags[flag] for flag in FLAGS
        )

    def changes(self) -> dict | None:
        """What to pass to workspace_member_set / team_access_set, or None for "No access";
        `until` is the end date as orgs.expiry.from_picked_day reads it (Undo keeps it).
        A new or changed role re-applies its flag defaults (SPEC §3.2) and keeps only the flags
        the person changed on the form; the same role sets the flags as toggled (none when
        they are locked); an undo puts back a role and its flags as they were."""
        role = self.cleaned_data["role"]
        if not role:
            return None
        flags = {flag: self.cleaned_data[flag] for flag in FLAGS}
        if self.cleaned_data.get("restore"):
            return {
                "role": role if role != self.shown_role else None,
                "flags": flags,
                "until": expiry.UNCHANGED,
            }
        until = expiry.from_picked_day(self.cleaned_data.get("until"), self.shown_until)
        if role != self.shown_role:
            flags = flags_as_submitted(self.shown, role, flags)
            return {"role": role, "flags": flags, "until": until}
        if self.locked:
            return {"role": None, "flags": None, "until": until}
        return {"role": None, "flags": flags, "until": until}


# --- the grant editor in a list, without a form per row -------------------------------------
# Manage → Members and Manage → Teams show a grant editor on every row. Rendering a GrantForm
# per row (BoundFields, a widget template per field and per option) was most of those pages'
# time (issue #14: 50 forms, ~80 %). A row's editor is rendered from these plain values instead,
# with the markup GrantForm's widgets give (tests/workspaces/test_grant_fields.py compares
# them); the form stays the one that reads and validates every save.


class FlagInput(TypedDict):
    """One Fine-Grained Permission's checkbox: `id` the element id, `disabled` when locked."""

    name: str
    label: str
    id: str
    checked: bool
    disabled: bool


class GrantFields(TypedDict):
    """What a grant editor shows, as plain values that grant_editor below formats into its
    markup. Element ids are `prefix` + field name, as GrantForm's auto_id makes them
    (`role_id`, `until_id`); `options` the role <option>s with `role` selected; `until` the
    end day as YYYY-MM-DD ("" for no end, or the text a failed save typed); errors as the
    form's ErrorLists (None: no error)."""

    prefix: str
    role_id: str
    until_id: str
    role: str
    options: SafeString
    flags: list[FlagInput]
    until: str
    locked: bool
    errors: ErrorList | None
    role_errors: ErrorList | None
    until_errors: ErrorList | None


def _grant_fields(prefix, role, flags, until, locked, **errors) -> GrantFields:
    return GrantFields(
        prefix=prefix,
        role_id=f"{prefix}role",
        until_id=f"{prefix}until",
        role=role,
        options=role_options(role),
        flags=flags,
        until=until,
        locked=locked,
        errors=errors.get("errors"),
        role_errors=errors.get("role_errors"),
        until_errors=errors.get("until_errors"),
    )


_ROLE_OPTIONS: dict[str, SafeString] = {}


def role_options(selected: str) -> SafeString:
    """The role select's <option>s (WorkspaceRole, lowest first) with `selected` chosen,
    formatted once per role for the process. A value that is no role (a submitted one that
    failed validation) chooses none, as "" does: the cache holds at most one entry per role
    plus that one, whatever is posted."""
    if selected not in WorkspaceRole.values:
        selected = ""
    options = _ROLE_OPTIONS.get(selected)
    if options is None:
        options = SafeString(
            "".join(
                format_html(
                    '<option value="{}" selected>{}</option>'
                    if value == selected
                    else '<option value="{}">{}</option>',
                    value,
                    label,
                )
                for value, label in WorkspaceRole.choices
            )
        )
        _ROLE_OPTIONS[selected] = options
    return options


def grant_fields(grant) -> GrantFields:
    """The unbound GrantForm(grant=grant) as GrantFields: `grant` a WorkspaceMembership or a
    TeamAccess (saved: its pk names the ids)."""
    prefix = f"grant-{type(grant).__name__.lower()}-{grant.pk}-"
    locked = permissions.flags_locked(grant.role)
    flags = grant.flags
    day = expiry.last_day(grant.until)
    return _grant_fields(
        prefix,
        grant.role,
        [
            FlagInput(
                name=flag,
                label=FLAG_LABELS[flag],
                id=f"{prefix}{flag}",
                checked=bool(flags[flag]),
                disabled=locked,
            )
            for flag in FLAGS
        ],
        day.isoformat() if day else "",
        locked,
    )


# The editor's markup, formatted in Python: through the template engine each row's editor cost
# ~30 node renders and variable lookups (an {% include %} per row). Every value is escaped with
# `html.escape`, as the engine's autoescaping does; tests/workspaces/test_grant_fields.py
# compares the result with GrantForm's widgets and with the template it replaced.
CSRF = '<input type="hidden" name="csrfmiddlewaretoken" value="{}">\n'
ERRORS = '<div class="errorlist" role="alert">{}</div>\n'
DESCRIBED = ' aria-invalid="true" aria-describedby="{}_error"'
FLAG = (
    '      <label class="check" for="{id}"><input type="checkbox" name="{name}" data-flag=""'
    '{disabled} id="{id}"{checked}> {label}</label>\n'
)
EDITOR = (
    '<div class="grant-fields">\n'
    '  <label for="{role_id}" class="visually-hidden">Role of {who}</label>\n'
    '  <select name="role"{role_described} id="{role_id}">{options}</select>\n'
    '  <fieldset class="flags">\n'
    '    <legend class="visually-hidden">Permissions of {who}</legend>\n'
    "{flags}"
    "  </fieldset>\n"
    '  <label class="until-field" for="{until_id}"><span class="small">Until<span'
    ' class="visually-hidden"> (access of {who} ends after this day; empty: no end)</span>'
    '</span> <input type="date" name="until"{until_value}{until_described} id="{until_id}">'
    "</label>\n"
    '  <button type="submit" class="btn small" data-save>Save<span class="visually-hidden">'
    " {who}</span></button>\n"
    "</div>\n"
)
LOCKED = '<p class="small muted locked-note">Admins always have every permission.</p>\n'


def grant_editor(fields: GrantFields, who: str, csrf_token: str = "") -> SafeString:
    """The grant editor of one list row (Manage → Members and Teams): role, the
    Fine-Grained Permissions and the end day with their labels, then its Save button, as
    HTML. Nothing saves until Save is pressed (keyboard-safe, WCAG 3.2.2); the enclosing
    <form data-save-row> posts with htmx when it has hx-post, and static/js/app.js enables Save
    only while the row differs from what was saved. `who`: the person or team, named in the
    labels; `csrf_token`: the page's (none: no hidden input)."""
    role_id, until_id = escape(fields["role_id"]), escape(fields["until_id"])
    who = escape(who)
    flags = "".join(
        FLAG.format(
            id=escape(flag["id"]),
            name=escape(flag["name"]),
            label=escape(flag["label"]),
            disabled=" disabled" if flag["disabled"] else "",
            checked=" checked" if flag["checked"] else "",
        )
        for flag in fields["flags"]
    )
    until = fields["until"]
    editor = EDITOR.format(
        who=who,
        role_id=role_id,
        role_described=DESCRIBED.format(role_id) if fields["role_errors"] else "",
        options=fields["options"],
        flags=flags,
        until_id=until_id,
        until_value=f' value="{escape(until)}"' if until else "",
        until_described=DESCRIBED.format(until_id) if fields["until_errors"] else "",
    )
    parts = [
        CSRF.format(escape(csrf_token)) if csrf_token else "",
        ERRORS.format(conditional_escape(fields["errors"])) if fields["errors"] else "",
        editor,
        conditional_escape(fields["role_errors"]) if fields["role_errors"] else "",
        conditional_escape(fields["until_errors"]) if fields["until_errors"] else "",
        LOCKED if fields["locked"] else "",
    ]
    return mark_safe("".join(parts))  # noqa: S308 — every value above is escaped
