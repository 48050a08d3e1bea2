"""Manage → Members' table rows as HTML, formatted once in Python.

Through the template engine each row cost ~700 Python calls (its variable lookups, ifs and
loops: half the page's per-row work at bench size); here a row is a few formats of its own
strings, every value escaped as the engine's autoescaping does (`html.escape`, through
flowadmin.escaping.escape), and its grant editor is the one every list row shows
(workspaces.forms.grants.grant_editor). The rows are the dicts workspaces.views.manage.members
builds (WorkspaceMemberRow.shown() with `links`, and on a direct membership `editor`, `self`
and `notes`); tests/workspaces/test_access_table.py compares the markup with the template this
replaced."""

from __future__ import annotations

from django.utils.safestring import SafeString, mark_safe

from flowadmin.escaping import escape

from .forms.grants import grant_editor

ROW = """      <tr id="member-{user_id}">
        <td>
          <div class="person">
            <span class="avatar" aria-hidden="true">{initials}</span>
            <div><strong>{name_shown}</strong><br><span class="small muted">{email}</span></div>
          </div>
        </td>
        <td{access_label}>
{access}{notice}        </td>
        <td data-label="Access through">
          <ul class="source-list">
{sources}          </ul>
        </td>
      </tr>
"""
PROFILE_LINK = '<a href="{}">{}</a>'
EDITOR_FORM = (
    '            <form method="post" action="{update}" class="grant-form" data-save-row{htmx}>\n'
    "              {editor}\n"
    "            </form>\n"
)
HTMX = '\n                  hx-post="{}" hx-target="closest tr" hx-swap="outerHTML"'
ELEVATED = (
    '            <p class="small muted">Effective role: <strong>{}</strong> through {}.</p>\n'
)
NOTE = '              <p class="small muted">{}</p>\n'
SHOWN = """            <span class="badge{admin}">{role}{until}</span>
            <ul class="flag-list" aria-label="Permissions of {name}">
{flags}            </ul>
            <p class="small"><a href="{add}">Add directly<span class="visually-hidden">: \
{name}</span></a></p>
"""
FLAG_ON = '                <li class="on"><span aria-hidden="true">✓</span> {}</li>\n'
FLAG_OFF = (
    '                <li class="off"><span aria-hidden="true">–</span>'
    '<span class="visually-hidden">no</span> {}</li>\n'
)
NOTICE = '          <p class="small status-ok" role="status">{}</p>\n'
SOURCE = (
    "            <li>\n"
    "              {label}\n"
    '              <span class="badge">{role}{until}</span>\n'
    "            </li>\n"
)
SOURCE_KINDS = {"org_admin": "Org Admin", "direct": "Direct"}


def _access(row: dict, name: str, csrf_token: str) -> str:
    """The role-and-permissions cell: a direct member's editor with its Remove link (and the
    effective role and the flags other sources turn on), or the access shown read-only with a
    link to add the person directly."""
    if not row["direct"]:
        flags = "".join(
            (FLAG_ON if flag["effective"] else FLAG_OFF).format(escape(flag["label"]))
            for flag in row["flags"]
        )
        return SHOWN.format(
            admin=" admin" if row["manages"] else " ",
            role=escape(row["role_label"]),
            until=escape(row["until"]),
            name=name,
            flags=flags,
            add=escape(row["links"]["add"]),
        )
    update = escape(row["links"]["update"])
    parts = [
        EDITOR_FORM.format(
            update=update,
            htmx="" if row["self"] else HTMX.format(update),
            editor=grant_editor(
                row["editor"], row["name"], csrf_token, remove_url=row["links"]["remove"]
            ),
        )
    ]
    if row["elevated"]:
        parts.append(ELEVATED.format(escape(row["role_label"]), escape(row["role_through"])))
    parts.extend(NOTE.format(escape(note)) for note in row["notes"])
    return "".join(parts)


def _source(source: dict) -> str:
    if source["kind"] == "team":
        label = escape(source["label"])
        if source["url"]:
            label = PROFILE_LINK.format(escape(source["url"]), label)
    else:
        label = SOURCE_KINDS.get(source["kind"], "Direct")
    return SOURCE.format(
        label=label, role=escape(source["role_label"]), until=escape(source["until"])
    )


def access_table_row(row: dict, notice: str = "", csrf_token: str = "") -> SafeString:
    """One person's table row (HTML, every value escaped); `notice`: the sentence a saved row
    shows; `csrf_token`: the page's, for the row's grant editor."""
    name = escape(row["name"])
    links = row["links"]
    profile = links.get("profile")
    html = ROW.format(
        user_id=int(row["user_id"]),
        initials=escape(row["initials"]),
        name_shown=PROFILE_LINK.format(escape(profile), name) if profile else name,
        email=escape(row["email"]),
        # A read-only cell says what it shows where the stacked phone layout hides the
        # column's header; an editor labels its own role, permissions and end.
        access_label="" if row["direct"] else ' data-label="Role and permissions"',
        access=_access(row, name, csrf_token),
        notice=NOTICE.format(escape(notice)) if notice else "",
        sources="".join(_source(source) for source in row["sources"]),
    )
    return mark_safe(html)  # noqa: S308 — every value above is escaped
