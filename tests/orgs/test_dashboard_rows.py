"""The dashboard's rows formatted in Python (orgs.dashboard_rows) are the markup the template
gave: the same elements, attributes, text and escaping, for workspaces with and without an
avatar or teams and for entries with and without a workspace."""

import datetime
import re

import pytest
from django.template import engines
from django.test import RequestFactory
from django.utils import timezone

from audit.models import ActivityEntry
from orgs.avatars import process_avatar, replace_avatar
from orgs.dashboard_rows import entry_rows, workspace_rows
from tests.factories import WorkspaceFactory
from tests.orgs.console import image_file
from workspaces import selectors
from workspaces.selectors.stats import workspaces_with_counts

pytestmark = pytest.mark.django_db

# The loops templates/orgs/dashboard.html had before the rows were formatted in Python.
TEMPLATE_WORKSPACES = """{% for ws in page %}
      <tr>
        <td><a class="with-avatar" href="{% url 'workspaces:home' request.org.slug ws.slug %}">{% include "components/avatar.html" with obj=ws %} {{ ws.name }}</a></td>
        <td class="num">{{ ws.member_count }}{% if ws.team_count %} <span class="muted small">+ {{ ws.team_count }} team{{ ws.team_count|pluralize }}</span>{% endif %}</td>
        <td class="num">{{ ws.flow_count }}</td>
        <td class="num">{{ ws.scan_count }}</td>
        <td class="num">{{ ws.audience_count }}</td>
      </tr>
      {% endfor %}"""  # noqa: E501
TEMPLATE_ENTRIES = """{% load activity %}{% for entry in recent_activity %}
      <tr>
        <td class="nowrap"><time datetime="{{ entry.created_at|date:'c' }}">{{ entry.created_at|date:"Y-m-d H:i" }}</time></td>
        <td><a href="{% activity_url request.org email=entry.actor_email %}">{{ entry.actor_email }}</a></td>
        <td><span class="badge action-{{ entry.action }}">{{ entry.get_action_display }}</span>
          <a href="{% activity_url request.org entity=entry.entity_type id=entry.entity_id %}">{{ entry.entity_type_label }} {{ entry.entity_label }}</a></td>
        <td>{{ entry.workspace_name|default:"—" }}</td>
      </tr>
    {% endfor %}"""  # noqa: E501


def same_markup(html: str) -> str:
    """Line breaks and indentation between tags removed (not part of the page's content)."""
    return re.sub(r">\s+<", "><", re.sub(r"\s*\n\s*", " ", html.strip()))


def render(source, org, **context):
    request = RequestFactory().get("/")
    request.org = org
    return engines["django"].from_string(source).render({"request": request, **context})


def test_workspace_rows_are_the_templates_markup(acme, demo):
    odd = WorkspaceFactory(org=acme, name='R&D <Lab> "O\'Brien"')
    replace_avatar(odd, process_avatar(image_file()))
    odd.save()
    rows = list(workspaces_with_counts(acme, selectors.Period.last(30)).order_by("name"))
    assert any(ws.team_count == 1 for ws in rows) or any(ws.team_count > 1 for ws in rows)
    expected = render(TEMPLATE_WORKSPACES, acme, page=rows)
    assert same_markup(workspace_rows(acme, rows)) == same_markup(expected)


def test_entry_rows_are_the_templates_markup(acme, demo):
    now = timezone.now()
    entries = [
        ActivityEntry(
            org=acme,
            created_at=now - datetime.timedelta(hours=n),
            actor_email=email,
            action=action,
            entity_type=entity,
            entity_id=entity_id,
            entity_label=label,
            workspace_name=workspace,
        )
        for n, (email, action, entity, entity_id, label, workspace) in enumerate(
            [
                ("a&b@acme.test", "updated", "flow", "12", "Spring <sale>", "Sales & Ops"),
                ("admin@acme.test", "deleted", "team", "", "", ""),
                ("x@acme.test", "created", "some_new_kind", "7", 'say "hi"', "Main"),
            ]
        )
    ]
    with timezone.override("Europe/Paris"):
        expected = render(TEMPLATE_ENTRIES, acme, recent_activity=entries)
        assert same_markup(entry_rows(acme, entries)) == same_markup(expected)
