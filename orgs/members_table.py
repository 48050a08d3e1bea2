"""The Members page's table rows as HTML, formatted once in Python.

Through the template engine each row cost ~35 variable lookups, ifs and loops (a quarter of the
page's time at 25 rows); here each row is one format of its own strings, every value escaped with
`flowadmin.escaping.escape` as the engine's autoescaping does (the same markup, see
tests/orgs/test_members_table.py). The rows are the dicts the view builds (orgs.views.users._shown,
from MemberRow.shown())."""

from __future__ import annotations

from django.utils.safestring import SafeString, mark_safe

from flowadmin.escaping import escape

ROW = (
    "<tr>"
    '<td><a href="{profile}">{name}</a></td>'
    "<td>{email}</td>"
    '<td><span class="badge{admin}">{role}</span></td>'
    "<td>{login}</td>"
    "<td>{two_factor}</td>"
    "<td>{workspaces}"
    '<details class="inline-edit" hx-get="{profile}?part=workspaces" hx-trigger="toggle once"'
    ' hx-target="find .inline-edit-body" hx-swap="innerHTML">'
    '<summary class="small">Edit workspace access<span class="visually-hidden"> of {display}'
    "</span></summary>"
    '<div class="inline-edit-body"><p class="small"><a href="{profile}">Open {display}\'s'
    " profile</a> to set their workspace roles and permissions.</p></div>"
    "</details></td>"
    '<td class="actions">{remove}</td>'
    "</tr>\n"
)
LOGIN = '<time datetime="{}">{}</time>'
NEVER = '<span class="muted">never</span>'
TWO_FACTOR_ON = '<span class="badge ok">On</span>'
TWO_FACTOR_OFF = '<span class="badge">Off</span>'
ADMIN_EVERYWHERE = '<span class="small muted">Admin of every workspace (Org Admin)</span>'
CELL = '<li>{name} <span class="badge">{badge}</span>{extra}{teams}</li>'
EXTRA = ' <span class="small muted">+ {}</span>'
TEAMS = ' <span class="team-tag">via team {}</span>'
NO_WORKSPACES = '<li class="small muted">No workspaces</li>'
SOLE_ADMIN = (
    '<button type="button" class="btn small danger" disabled'
    ' aria-describedby="sole-admin-{id}">Remove</button>'
    '<span class="small muted why" id="sole-admin-{id}">The only Org Admin can\'t be removed.'
    "</span>"
)
REMOVE = '<a class="btn small secondary" href="{url}" aria-label="Remove {display}">Remove</a>'


def workspaces_html(row: dict) -> str:
    """The workspace access cell's list (or the Org Admin's sentence)."""
    if row["admin"]:
        return ADMIN_EVERYWHERE
    cells = [
        CELL.format(
            name=escape(cell["name"]),
            badge=escape(cell["badge"]),
            extra="".join(EXTRA.format(escape(label)) for label in cell["extra"]),
            teams=TEAMS.format(escape(cell["teams"])) if cell["teams"] else "",
        )
        for cell in row["workspaces"]
    ]
    return f'<ul class="access-list">{"".join(cells) or NO_WORKSPACES}</ul>'


def members_table_row(row: dict) -> str:
    """One member's table row (HTML, every value escaped). `row`: MemberRow.shown() plus the
    view's `links` {profile, remove}, `login_iso` and `login_shown` ("" for never)."""
    display = escape(row["display_name"])
    profile = escape(row["links"]["profile"])
    if row["sole_admin"]:
        remove = SOLE_ADMIN.format(id=int(row["user_id"]))
    else:
        remove = REMOVE.format(url=escape(row["links"]["remove"]), display=display)
    login = (
        LOGIN.format(escape(row["login_iso"]), escape(row["login_shown"]))
        if row["login_iso"]
        else NEVER
    )
    return ROW.format(
        profile=profile,
        name=escape(row["name"]),
        email=escape(row["email"]),
        admin=" admin" if row["admin"] else "",
        role=escape(f"{row['role_label']}{row['until']}"),
        login=login,
        two_factor=TWO_FACTOR_ON if row["two_factor"] else TWO_FACTOR_OFF,
        workspaces=workspaces_html(row),
        display=display,
        remove=remove,
    )


def rows_html(rows) -> SafeString:
    """The table body's rows for the page's row dicts."""
    return mark_safe("".join(members_table_row(row) for row in rows))


FILTER = (
    '<div><label for="{id}">{label}</label><select id="{id}" name="{name}" hx-get="{path}"'
    ' hx-trigger="change" hx-include="closest form" hx-target="#members" hx-swap="outerHTML"'
    ' hx-push-url="true">{options}</select></div>'
)
OPTION = '<option value="{}" {}>{}</option>'


def filter_html(path: str, id: str, name: str, label: str, choices, selected) -> SafeString:
    """One of the page's filters: a labelled <select> that reloads the member list with htmx
    when changed (`path`: the page's path). `choices`: (value, text) pairs; the option whose
    value equals `selected` is chosen. Every value escaped."""
    options = "".join(
        OPTION.format(
            escape(str(value)), "selected" if value == selected else "", escape(str(text))
        )
        for value, text in choices
    )
    return mark_safe(
        FILTER.format(
            id=escape(id),
            label=escape(str(label)),
            name=escape(name),
            path=escape(path),
            options=options,
        )
    )
