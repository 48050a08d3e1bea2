"""The dashboard's workspace table and recent activity rows as HTML, formatted once in Python.

Through the template engine each workspace row (an avatar include, a URL tag, five numbers) and
each recent entry (two activity links, two dates) cost dozens of lookups: a quarter of the
dashboard's time. Here each row is one format of its own values, escaped by `format_html` as
the engine's autoescaping does (the same markup, tests/orgs/test_console_dashboard.py)."""

from __future__ import annotations

from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from audit.filters import activity_url
from flowadmin.nav_urls import nav_url

from .templatetags.avatars import avatar_html

WORKSPACE_ROW = (
    '<tr><td><a class="with-avatar" href="{}">{} {}</a></td>'
    '<td class="num">{}{}</td>'
    '<td class="num">{}</td><td class="num">{}</td><td class="num">{}</td></tr>'
)
TEAMS = ' <span class="muted small">+ {} team{}</span>'

ENTRY_ROW = (
    '<tr><td class="nowrap"><time datetime="{}">{}</time></td>'
    '<td><a href="{}">{}</a></td>'
    '<td><span class="badge action-{}">{}</span>\n  <a href="{}">{} {}</a></td>'
    "<td>{}</td></tr>"
)


def _teams(count: int) -> str:
    return format_html(TEAMS, count, "" if count == 1 else "s") if count else ""


def workspace_rows(org, workspaces) -> SafeString:
    """A table row per workspace of `workspaces_with_counts(org, period)`: its avatar and name
    linking to its home, members (+ teams), flows, scans and audience contacts."""
    return format_html_join(
        "\n",
        WORKSPACE_ROW,
        (
            (
                nav_url("workspaces:home", org.slug, ws.slug),
                avatar_html(ws, org),
                ws.name,
                ws.member_count,
                _teams(ws.team_count),
                ws.flow_count,
                ws.scan_count,
                ws.audience_count,
            )
            for ws in workspaces
        ),
    )


def entry_rows(org, entries) -> SafeString:
    """A table row per activity entry (audit.selectors.recent_entries): its time (in the current
    time zone), its actor and entity linking to the log filtered by them, and its workspace."""
    zone = timezone.get_current_timezone()

    def cells(entry):
        local = timezone.localtime(entry.created_at, zone)
        return (
            local.isoformat(),
            local.strftime("%Y-%m-%d %H:%M"),
            activity_url(org, email=entry.actor_email),
            entry.actor_email,
            entry.action,
            entry.get_action_display(),
            activity_url(org, entity=entry.entity_type, id=entry.entity_id),
            entry.entity_type_label,
            entry.entity_label,
            entry.workspace_name or "—",
        )

    return format_html_join("\n", ENTRY_ROW, (cells(entry) for entry in entries))
