"""A member profile's workspace rows as HTML, formatted once in Python.

Each row (a workspace where the member has access, or one found to give access in) is the
grant editor of their direct access beside their effective access with its sources, its flags
and what it allows. Through the template engine a row cost ~1,200 Python calls (~400 variable
lookups, loops, filters and a {% url %}: two thirds of a search's page at 20 found
workspaces); here it is a few formats of its own strings, every value escaped as the engine's
autoescaping does (`html.escape`, through flowadmin.escaping.escape).
tests/orgs/test_profile_rows.py compares the markup with the template this replaced. The grant
editor is drawn by the caller (workspaces.forms.grants.grant_editor: the orgs core does not
import workspaces' forms)."""

from __future__ import annotations

from django.utils.safestring import SafeString, mark_safe
from django.utils.text import capfirst

from flowadmin.escaping import escape

from . import expiry, permissions
from .roles import FLAG_LABELS, FLAGS

ROW = """  <div class="ws-access card" id="ws-row-{ids}">
    <div class="ws-access-edit">
      <h3 id="ws-name-{ids}">{name}</h3>
      <h4>Direct access</h4>
      <form method="post" action="{url}" class="grant-form" aria-labelledby="ws-name-{ids}" data-save-row
            hx-post="{url}" hx-target="#ws-row-{ids}" hx-swap="outerHTML">
        {editor}
      </form>
{saved}    </div>
    <div class="ws-access-effective" aria-label="Effective access to {name}">
      <h4>Effective access</h4>
{effective}    </div>
  </div>
"""  # noqa: E501 — the markup's lines as the template had them
SAVED = '      <p class="small saved" role="status">Saved {who}\'s access to {name}.</p>\n'
RESTORED = (
    '      <p class="small saved" role="status">Undone: {who}\'s access to {name} is as it'
    " was.</p>\n"
)
NO_ACCESS = '        <p class="muted">No access: {who} can\'t see {name}.</p>\n'
EFFECTIVE = """        <p class="effective-role">
          <span class="badge{admin}">{role}{until}</span>
          <span class="small">from {sources}</span>
        </p>
        <ul class="flag-states">
{flags}        </ul>
        <details>
          <summary class="small">What this allows</summary>
          <ul class="small capabilities">
{capabilities}          </ul>
        </details>
"""
FLAG_ON = (
    '            <li>{label}: <strong class="on">on</strong> <span class="small muted">from'
    " {sources}</span></li>\n"
)
FLAG_OFF = '            <li>{label}: <span class="muted">off</span></li>\n'
ALLOWED = (
    '              <li><span aria-hidden="true">✓</span> {description} <span class="muted">'
    "({sources})</span></li>\n"
)
REFUSED = (
    '              <li><span class="muted"><span aria-hidden="true">✗</span> <span'
    ' class="visually-hidden">Not allowed:</span> {description}</span></li>\n'
)

# Fixed for the process: the flags' labels and the workspace capabilities' descriptions
# (capitalised as the template's |capfirst did), escaped once.
_FLAGS = [(flag, escape(FLAG_LABELS[flag])) for flag in FLAGS]
_CAPABILITIES = [
    (name, escape(capfirst(capability.description)))
    for name, capability in permissions.CAPABILITIES.items()
    if capability.level == permissions.WORKSPACE
]


def _labels(sources) -> str:
    return escape(", ".join(source.label for source in sources))


def _effective(access: permissions.WorkspaceAccess) -> str:
    """The effective access: role (with its end) and the sources giving it, each flag on (with
    its sources) or off, and each workspace capability allowed (by which sources) or not."""
    flags = access.flags
    return EFFECTIVE.format(
        admin=" admin" if access.can("ws.manage") else "",
        role=escape(access.role_label),
        until=escape(expiry.until_text(access.until)),
        sources=_labels(access.role_sources()),
        flags="".join(
            FLAG_ON.format(label=label, sources=_labels(access.flag_sources(flag)))
            if flags[flag]
            else FLAG_OFF.format(label=label)
            for flag, label in _FLAGS
        ),
        capabilities="".join(
            ALLOWED.format(description=description, sources=_labels(sources))
            if (sources := access.explain(name))
            else REFUSED.format(description=description)
            for name, description in _CAPABILITIES
        ),
    )


def workspace_row(
    row, editor: SafeString, *, member, url: str, saved: bool = False, restored: bool = False
) -> SafeString:
    """One workspace row of a member's profile (HTML, every value escaped): `row` an
    orgs.people.ProfileWorkspace, `editor` its grant editor's HTML (grant_editor, put in the
    row's form), `member` the OrgMembership (with its user) whose profile it is, `url` the
    row's save URL (orgs:user_workspace); `saved` adds the saved notice, `restored` words it
    as an undo's."""
    ids = f"{int(member.user_id)}-{int(row.workspace.pk)}"
    name = escape(row.workspace.name)
    who = escape(member.user.display_name)
    notice = ""
    if saved:
        notice = (RESTORED if restored else SAVED).format(who=who, name=name)
    html = ROW.format(
        ids=ids,
        name=name,
        url=escape(url),
        editor=editor,
        saved=notice,
        effective=_effective(row.access) if row.access else NO_ACCESS.format(who=who, name=name),
    )
    return mark_safe(html)  # noqa: S308 — every value above is escaped
