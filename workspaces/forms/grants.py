"""The one grant editor: a workspace role, the Fine-Grained Permissions (FLAGS) and the end of
one grant — a member's direct membership or a team's access — drawn by `grant_editor` on the
member profile, the team page and Manage → Members and Teams (the same markup, labels, ids and
aria attributes on each), and read back by `GrantForm` on every save. The writes are
workspaces.services.workspace_member_set / workspace_membership_update / team_access_set with
the form's `changes()`, or workspace_member_remove when the profile's "No access" is chosen.

The pages' add forms (the team page's and Manage → Teams' "give access", Manage → Members'
"add") are the same editor with what the new grant is for in front (`grant_add`), read back by
a GrantAddForm and written by workspace_member_add / team_access_set with its `grant()`."""

from __future__ import annotations

import functools
from typing import TypedDict

from django import forms
from django.forms.utils import ErrorList
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe

from flowadmin import params
from flowadmin.escaping import escape
from orgs import expiry, permissions
from orgs.forms import UntilField, picked_end
from orgs.roles import FLAG_LABELS, FLAGS, NO_ACCESS, WORKSPACE_ROLE_OR_NO_ACCESS, WorkspaceRole

from ..models import Workspace
from ..services import flags_as_submitted


class GrantFieldsForm(forms.Form):
    """The grant editor's fields — the role, a checkbox per flag of FLAGS (orgs.roles), the end
    day — and `fields_shown()`, what grant_editor draws of them. Subclasses: GrantForm (an
    existing grant, or none yet) and GrantAddForm (a new one)."""

    role = forms.ChoiceField(choices=WorkspaceRole.choices)
    # The row's label says what the day means (grant_editor below);
    # a help text would only be an aria-describedby pointing at nothing.
    until = UntilField(help_text="")
    field_order = ["role", *FLAGS, "until"]

    grant = None
    granted = True  # False: no grant to set permissions on yet (a note instead of checkboxes)
    locked = False
    removable = False

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for flag in FLAGS:
            self.fields[flag] = forms.BooleanField(
                required=False,
                label=FLAG_LABELS[flag],
                widget=forms.CheckboxInput(attrs={"data-flag": ""}),  # static/js/app.js: undo
            )
        self.order_fields(self.field_order)

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
            granted=self.granted,
            removable=self.removable,
            errors=self.non_field_errors() or None,
            role_errors=self["role"].errors or None,
            until_errors=self["until"].errors or None,
        )


class GrantForm(GrantFieldsForm):
    """Role and flags of one grant, rendered once per row: pass an `auto_id` that keeps element
    ids unique while field names stay the same for every row.

    `grant`: what the row shows — a WorkspaceMembership, a TeamAccess or an access Source
    (anything with `role` and `flags`) — or None when the member has no direct grant yet.
    Element ids are grant_prefix()'s for a saved WorkspaceMembership or TeamAccess; pass
    `auto_id` for the others. `removable`: the profile's editor, whose roles start with
    "No access" (remove the grant). Flags are not editable while there is no grant or the
    grant is Admin (always on), except when an undo restores a lower role with its former
    flags."""

    # Undo (static/js/app.js): put back a role *and* its flags as they were, in one change.
    restore = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, grant, removable=False, **kwargs):
        if getattr(grant, "workspace_id", None) is not None:
            kwargs.setdefault("auto_id", f"{grant_prefix_of(grant)}%s")
        self.shown = (grant.role, dict(grant.flags)) if grant is not None else None
        # The grant's own end (orgs.expiry; a Source's is its grant's too).
        self.shown_until = getattr(grant, "until", None)
        role, flags = self.shown or (NO_ACCESS, dict.fromkeys(FLAGS, False))
        initial = {"role": role, **flags, "until": expiry.last_day(self.shown_until)}
        super().__init__(*args, initial=initial, **kwargs)
        self.grant = grant
        self.granted = grant is not None
        self.removable = removable
        self.locked = grant is None or permissions.flags_locked(grant.role)
        if removable:
            self.fields["role"].choices = WORKSPACE_ROLE_OR_NO_ACCESS
            self.fields["role"].required = False
        restoring = bool(self.data.get("restore"))
        for flag in FLAGS:
            self.fields[flag].disabled = self.locked and not restoring

    @property
    def shown_role(self) -> str:
        return self.shown[0] if self.shown else NO_ACCESS

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


class GrantAddForm(GrantFieldsForm):
    """A new grant: what it is for — the subclass's `target` field (a workspace, a team, a
    person), drawn in front — then the editor's role, permissions and end (a day that has
    passed is refused on its field: UntilField(new_grant=True)). Element ids are
    grant_prefix()'s with NEW for the part still to be chosen; `grant()` is what to pass to
    the service that adds it."""

    target: str  # the name of the field that says what the grant is for
    role = forms.ChoiceField(choices=WorkspaceRole.choices, initial=WorkspaceRole.VIEWER)
    until = UntilField(new_grant=True, help_text="")

    def __init__(self, *args, prefix: str, **kwargs):
        kwargs.setdefault("auto_id", f"{prefix}%s")
        super().__init__(*args, **kwargs)
        self.order_fields([self.target, *self.field_order])

    @property
    def target_field(self):
        """The BoundField of `target`."""
        return self[self.target]

    def grant(self) -> dict:
        """{"role", "flags", "until"} for workspace_member_add / team_access_set: the role with
        its default permissions (SPEC §3.2) and the ones ticked on top, the end as
        orgs.expiry reads it (None: no end)."""
        role = self.cleaned_data["role"]
        flags = {flag: self.cleaned_data[flag] for flag in FLAGS}
        return {
            "role": role,
            "flags": flags_as_submitted(None, role, flags),
            "until": picked_end(self.cleaned_data.get("until")),
        }


class TeamAccessAddForm(GrantAddForm):
    """The team page's "give access": one of the org's workspaces where `team` has no access
    yet."""

    target = "workspace"
    workspace = forms.ModelChoiceField(
        queryset=None, label="Workspace", empty_label="Choose a workspace…"
    )

    def __init__(self, *args, team, **kwargs):
        super().__init__(*args, prefix=grant_prefix(NEW, team_id=team.pk), **kwargs)
        self.fields["workspace"].queryset = (
            Workspace.objects.filter(org_id=team.org_id)
            .exclude(team_access__team=team)
            .order_by("name")
        )


class TeamAddForm(GrantAddForm):
    """Manage → Teams' "give access": one of `teams` (the org's, without access yet) in
    `workspace`."""

    target = "team"
    team = forms.ModelChoiceField(queryset=None, label="Team", empty_label=None)

    def __init__(self, *args, workspace, teams, **kwargs):
        super().__init__(*args, prefix=grant_prefix(workspace.pk, team_id=NEW), **kwargs)
        self.fields["team"].queryset = teams


class MemberAddForm(GrantAddForm):
    """Manage → Members' "add": one org member (`user`, by id: the view looks them up inside
    the org) in `workspace`, a form per person found. `user_id`: the person the form is drawn
    for (ids: their grant_prefix(), the ids of their row once added); a bound form reads it
    from its data."""

    target = "user"
    user = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, data=None, *, workspace, user_id=None, **kwargs):
        if user_id is None and data is not None:
            user_id = params.integer(data, "user")
        if data is None:
            kwargs.setdefault("initial", {"user": user_id})
        prefix = grant_prefix(workspace.pk, user_id=user_id if user_id is not None else NEW)
        super().__init__(data, prefix=prefix, **kwargs)


# --- the grant editor, without a form per row -----------------------------------------------
# Every page that shows grants lists them: a member's profile (their workspaces and those found
# for them), a team's page, Manage → Members and Teams. Rendering a GrantForm per row
# (BoundFields, a widget template per field and per option) was most of those pages' time
# (50 forms, ~80 %). An editor is rendered from these plain values instead, with the
# markup GrantForm's widgets give (tests/workspaces/test_grant_fields.py compares them); the
# form stays the one that reads and validates every save.


NEW = "new"  # grant_prefix()'s part for what an add form's person is still to choose


def grant_prefix(
    workspace_id: int | str, *, user_id: int | str | None = None, team_id: int | str | None = None
) -> str:
    """The element id prefix of the grant editor of a member's (`user_id`) or a team's
    (`team_id`) grant in a workspace: "grant-<workspace>-user-<user>-" or
    "grant-<workspace>-team-<team>-". Unique on any page that shows several members' or teams'
    rows, and the same before the grant exists (a profile's found workspace, a Manage →
    Members add form) and after. An add form's editor has NEW for the part its person still
    chooses: "grant-new-team-<team>-" (the team page), "grant-<workspace>-team-new-" (Manage →
    Teams)."""
    if user_id is not None:
        return f"grant-{workspace_id}-user-{user_id}-"
    return f"grant-{workspace_id}-team-{team_id}-"


def grant_prefix_of(grant) -> str:
    """grant_prefix() of a WorkspaceMembership or a TeamAccess."""
    return grant_prefix(
        grant.workspace_id,
        user_id=getattr(grant, "user_id", None),
        team_id=getattr(grant, "team_id", None),
    )


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
    (`role_id`, `until_id`); `options` the role <option>s with `role` selected ("No access"
    first on a removable grant, e.g. a profile's); `until` the end day as YYYY-MM-DD ("" for
    no end, or the text a failed save typed); `granted` False while there is no grant to set
    permissions on (the profile's "No access" rows: a note instead of checkboxes, `flags`
    unused); errors as the form's ErrorLists (None: no
    error)."""

    prefix: str
    role_id: str
    until_id: str
    role: str
    options: SafeString
    flags: list[FlagInput]
    until: str
    locked: bool
    granted: bool
    errors: ErrorList | None
    role_errors: ErrorList | None
    until_errors: ErrorList | None


def _grant_fields(
    prefix, role, flags, until, locked, *, granted=True, removable=False, **errors
) -> GrantFields:
    return GrantFields(
        prefix=prefix,
        role_id=f"{prefix}role",
        until_id=f"{prefix}until",
        role=role,
        options=role_options(role, removable=removable),
        flags=flags,
        until=until,
        locked=locked,
        granted=granted,
        errors=errors.get("errors"),
        role_errors=errors.get("role_errors"),
        until_errors=errors.get("until_errors"),
    )


_ROLE_OPTIONS: dict[tuple[str | None, bool], SafeString] = {}


def role_options(selected: str, *, removable: bool = False) -> SafeString:
    """The role select's <option>s (WorkspaceRole, lowest first; "No access" first when
    `removable`) with `selected` chosen, formatted once per role for the process. A value that
    is none of them (a submitted one that failed validation) chooses none: the cache holds at
    most one entry per role and list plus that one, whatever is posted."""
    options = _ROLE_OPTIONS.get((selected, removable))
    if options is not None:
        return options
    choices = WORKSPACE_ROLE_OR_NO_ACCESS if removable else WorkspaceRole.choices
    if selected not in (value for value, _label in choices):
        selected = None
    options = _ROLE_OPTIONS.get((selected, removable))
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
                for value, label in choices
            )
        )
        _ROLE_OPTIONS[selected, removable] = options
    return options


def grant_fields(grant, *, prefix: str | None = None, removable: bool = False) -> GrantFields:
    """The unbound GrantForm(grant=grant, removable=removable) as GrantFields: `grant` a
    WorkspaceMembership or a TeamAccess (ids: grant_prefix_of(grant)), or, with `prefix`, an
    access Source or None (no direct grant yet: "No access", no permissions to set)."""
    if prefix is None:
        prefix = grant_prefix_of(grant)
    if grant is None:  # no checkboxes drawn: the editor's note says to give a role first
        return _grant_fields(prefix, NO_ACCESS, [], "", True, granted=False, removable=removable)
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
        removable=removable,
    )


# The editor's markup, formatted in Python: through the template engine each row's editor cost
# ~30 node renders and variable lookups (an {% include %} per row). Every value is escaped as
# the engine's autoescaping does (`html.escape`, through flowadmin.escaping.escape, which skips
# values with nothing to escape); tests/workspaces/test_grant_fields.py compares the result
# with GrantForm's widgets and with a template of the same markup.
CSRF = '<input type="hidden" name="csrfmiddlewaretoken" value="{}">\n'
ERRORS = '<div class="errorlist" role="alert" id="{}errors">{}</div>\n'
FIELD_ERRORS = '<div class="grant-errors" role="alert">{}{}</div>\n'
DESCRIBED = ' aria-invalid="true" aria-describedby="{}_error"'
FLAG = (
    '    <label class="check" for="{id}"><input type="checkbox" name="{name}" data-flag=""'
    '{disabled} id="{id}"{checked}> {label}</label>\n'
)
FLAGS_SET = (
    '  <fieldset class="flags"{described}>\n'
    '    <legend class="grant-label" data-label="Permissions"><span class="visually-hidden">'
    "Permissions for {who}</span></legend>\n"
    "{flags}"
    "  </fieldset>\n"
)
NOT_GRANTED = (
    '  <p class="small muted grant-note">Give a direct role to set permissions here.</p>\n'
)
# The role's and the permissions' labels name the control in full ("Role for Kim", visually
# hidden) and show their data-label ("Role": static/css/app.css draws it before the label, with
# no text for assistive technology, which has the full name).
EDITOR = (
    '<div class="grant-fields">\n'
    '  <div class="grant-role"><label for="{role_id}" class="grant-label" data-label="Role">'
    '<span class="visually-hidden">Role for {who}</span></label>'
    ' <select name="role"{role_described} id="{role_id}">{options}</select></div>\n'
    "{flags}"
    '  <label class="until-field" for="{until_id}"><span class="small">Until<span'
    ' class="visually-hidden"> (access for {who} ends after this day; empty: no end)</span>'
    '</span> <input type="date" name="until"{until_value}{until_described} id="{until_id}">'
    "</label>\n"
    '  <span class="grant-actions"><button type="submit" class="btn small"{save}'
    '{save_described}>{verb}<span class="visually-hidden"> access for {who}</span></button>'
    "{remove}</span>\n"
    "</div>\n"
)
REMOVE = (
    ' <a class="btn danger small" href="{url}">Remove<span class="visually-hidden">'
    " access for {who}</span></a>"
)
LOCKED = '<p class="small muted grant-note">Workspace Admins always have every permission.</p>\n'
DEFAULTS_NOTE = '<p class="small muted grant-note" id="{id}">{text}</p>\n'


@functools.cache
def defaults_note() -> str:
    """What a new grant gets besides the permissions ticked, from the roles' defaults
    (orgs.permissions.FLAG_DEFAULTS, SPEC §3.2), as the add forms say it under their
    checkboxes: "The role's own permissions come with it: Editor: Flows Manager, Brand Kits
    Manager; Admin: every permission, always. Tick more to add them." (escaped HTML)."""
    parts = []
    for role, label in WorkspaceRole.choices:
        on = [FLAG_LABELS[flag] for flag in FLAGS if permissions.FLAG_DEFAULTS[role][flag]]
        if permissions.flags_locked(role):
            parts.append(f"{label}: every permission, always")
        elif on:
            parts.append(f"{label}: {', '.join(on)}")
    return escape(
        f"The role's own permissions come with it: {'; '.join(parts)}. Tick more to add them."
    )


# The flags' names and labels, escaped once (each editor shows every flag).
_FIXED = {text: escape(text) for text in (*FLAGS, *FLAG_LABELS.values())}


def grant_editor(
    fields: GrantFields,
    who: str,
    csrf_token: str = "",
    *,
    remove_url: str = "",
    add=False,
    flags_described: str = "",
) -> SafeString:
    """The one grant editor (profile, team page, Manage → Members and Teams), as HTML to put
    in a <form data-save-row>: its role select, the Fine-Grained Permissions (a fieldset of
    FLAGS' checkboxes, or a note while there is no grant), the end day and the Save button,
    with the form's errors. Nothing saves until Save is pressed (keyboard-safe, WCAG 3.2.2);
    the form posts with htmx when it has hx-post, and static/js/app.js enables Save only while
    the editor differs from what was saved. `who`: the person, team or workspace the grant is
    for, named in every label ("Role for Marketing"), each showing a word (Role, Permissions,
    Until; static/css/app.css hides Role and Permissions beside the column header of Manage's
    tables, and shows them again when the table stacks as cards); `csrf_token`: the page's
    (none: no hidden input); `remove_url`: a Remove link after Save (none: no link); `add`:
    the editor of a new grant (grant_add: its button is "Add", always enabled);
    `flags_described`: the id of a note the permissions' fieldset is described by
    (grant_add's defaults_note()). Field errors are tied to their control (aria-describedby
    "<id>_error", as Django's widgets do), the form's own to the Save button."""
    prefix, role_id, until_id = escape(fields["prefix"]), fields["role_id"], fields["until_id"]
    role_id, until_id, who = escape(role_id), escape(until_id), escape(who)
    if fields["granted"]:
        flags = FLAGS_SET.format(
            who=who,
            described=f' aria-describedby="{escape(flags_described)}"' if flags_described else "",
            flags="".join(
                FLAG.format(
                    id=escape(flag["id"]),
                    name=_FIXED.get(flag["name"]) or escape(flag["name"]),
                    label=_FIXED.get(flag["label"]) or escape(flag["label"]),
                    disabled=" disabled" if flag["disabled"] else "",
                    checked=" checked" if flag["checked"] else "",
                )
                for flag in fields["flags"]
            ),
        )
    else:
        flags = NOT_GRANTED
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
        save="" if add else " data-save",
        verb="Add" if add else "Save",
        save_described=f' aria-describedby="{prefix}errors"' if fields["errors"] else "",
        remove=REMOVE.format(url=escape(remove_url), who=who) if remove_url else "",
    )
    parts = [
        CSRF.format(escape(csrf_token)) if csrf_token else "",
        ERRORS.format(prefix, conditional_escape(fields["errors"])) if fields["errors"] else "",
        editor,
        FIELD_ERRORS.format(
            conditional_escape(fields["role_errors"] or ""),
            conditional_escape(fields["until_errors"] or ""),
        )
        if fields["role_errors"] or fields["until_errors"]
        else "",
        LOCKED if fields["locked"] and fields["granted"] else "",
    ]
    return mark_safe("".join(parts))  # noqa: S308 — every value above is escaped


TARGET = '<div class="grant-target">\n  <label for="{id}">{label}</label>\n  {widget}\n</div>\n'
TARGET_ERRORS = '<div class="grant-errors" role="alert">{}</div>\n'


def grant_add(
    form: GrantAddForm, who: str, csrf_token: str = "", *, defaults_id: str = ""
) -> SafeString:
    """An add form's fields as HTML to put in its <form>: what the grant is for (its `target`
    with its label, or hidden), then the one grant editor (grant_editor) with an Add button,
    its permissions described by what the role brings besides them (defaults_note()): a note
    after the editor (id "<prefix>defaults"), or, with `defaults_id`, the page's one note of
    that id (a list of add forms: defaults_note_html()). `who`: the person, team or workspace
    the new grant is for, as the editor's labels name it ("Role for the chosen workspace").
    The target's errors follow it, tied to it by Django's widget (aria-invalid,
    aria-describedby "<id>_error")."""
    target = form.target_field
    if target.is_hidden:
        html = str(target)
    else:
        html = TARGET.format(
            id=escape(target.id_for_label), label=escape(str(target.label)), widget=target
        )
    if target.errors:
        html += TARGET_ERRORS.format(conditional_escape(target.errors))
    fields = form.fields_shown()
    note_id = defaults_id or f"{fields['prefix']}defaults"
    html += grant_editor(fields, who, csrf_token, add=True, flags_described=note_id)
    if not defaults_id:
        html += defaults_note_html(note_id)
    return mark_safe(html)  # noqa: S308 — the label is escaped, the rest rendered safe


def defaults_note_html(note_id: str) -> SafeString:
    """defaults_note() as the <p> with id `note_id` that add forms' permissions point at."""
    return mark_safe(DEFAULTS_NOTE.format(id=escape(note_id), text=defaults_note()))  # noqa: S308
