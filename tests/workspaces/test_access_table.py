"""Manage → Members' rows formatted in Python (workspaces.access_table) are the markup the
template gave: the same elements, attributes, text and escaping for every kind of row — a direct
member (editable, saved with or without htmx), one whose team gives more, a member through a
team, an Org Admin — with and without the links the viewer may open, and a saved row's notice."""

import pytest
from django.template import engines
from django.test.html import parse_html

from tests.factories import TeamAccessFactory, TeamMembershipFactory
from workspaces.access_table import access_table_row

pytestmark = pytest.mark.django_db

MEMBERS = "/orgs/acme/w/marketing/manage/members/"
# The row templates/workspaces/manage/members.html had before the rows were formatted in Python
# (its grant editor is the one tag every list row uses).
ORACLE = """{% load grants %}
      <tr id="member-{{ row.user_id }}">
        <td>
          <div class="person">
            <span class="avatar" aria-hidden="true">{{ row.initials }}</span>
            <div><strong>{% if row.links.profile %}<a href="{{ row.links.profile }}">{{ row.name }}</a>{% else %}{{ row.name }}{% endif %}</strong><br><span class="small muted">{{ row.email }}</span></div>
          </div>
        </td>
        <td{% if not row.direct %} data-label="Role and permissions"{% endif %}>
          {% if row.direct %}
            <form method="post" action="{{ row.links.update }}" class="grant-form" data-save-row
                  {% if not row.self %}hx-post="{{ row.links.update }}" hx-target="closest tr" hx-swap="outerHTML"{% endif %}>
              {% grant_editor row.editor row.name remove_url=row.links.remove %}
            </form>
            {% if row.elevated %}<p class="small muted">Effective role: <strong>{{ row.role_label }}</strong> through {{ row.role_through }}.</p>{% endif %}
            {% for note in row.notes %}
              <p class="small muted">{{ note }}</p>
            {% endfor %}
          {% else %}
            <span class="badge {% if row.manages %}admin{% endif %}">{{ row.role_label }}{{ row.until }}</span>
            <ul class="flag-list" aria-label="Permissions of {{ row.name }}">
              {% for flag in row.flags %}
                <li class="{% if flag.effective %}on{% else %}off{% endif %}">{% if flag.effective %}<span aria-hidden="true">✓</span>{% else %}<span aria-hidden="true">–</span><span class="visually-hidden">no</span>{% endif %} {{ flag.label }}</li>
              {% endfor %}
            </ul>
            <p class="small"><a href="{{ row.links.add }}">Add directly<span class="visually-hidden">: {{ row.name }}</span></a></p>
          {% endif %}
          {% if notice %}<p class="small status-ok" role="status">{{ notice }}</p>{% endif %}
        </td>
        <td data-label="Access through">
          <ul class="source-list">
          {% for source in row.sources %}
            <li>
              {% if source.kind == "team" %}
                {% if source.url %}
                  <a href="{{ source.url }}">{{ source.label }}</a>
                {% else %}{{ source.label }}{% endif %}
              {% elif source.kind == "org_admin" %}Org Admin{% else %}Direct{% endif %}
              <span class="badge">{{ source.role_label }}{{ source.until }}</span>
            </li>
          {% endfor %}
          </ul>
        </td>
      </tr>
"""  # noqa: E501


def oracle(row, notice="", csrf_token="tok3n"):
    template = engines["django"].from_string(ORACLE)
    return template.render({"row": row, "notice": notice, "csrf_token": csrf_token})


@pytest.fixture
def varied(demo, acme, marketing, field_sales):
    """Rows of every kind: a team with access (a member through it, a direct member it gives
    more), a name and an email that need escaping."""
    TeamAccessFactory(team=field_sales, workspace=marketing, role="editor")
    TeamMembershipFactory(team=field_sales, user=demo["viewer@acme.test"])
    editor = demo["editor@acme.test"]
    editor.full_name = 'Ed <b>"Quote"</b> & Co'
    editor.save()
    return demo


@pytest.mark.parametrize("viewer", ["admin@acme.test", "wsadmin@acme.test"])
def test_every_row_is_the_markup_the_template_gave(as_user, varied, viewer):
    response = as_user(viewer).get(MEMBERS)
    rows = response.context["rows"]
    kinds = {(row["direct"], row.get("elevated"), bool(row.get("notes"))) for row in rows}
    assert {(True, True, True), (True, False, False), (False, False, False)} <= kinds
    page = parse_html(
        response.content.decode().replace(str(response.context["csrf_token"]), "tok3n")
    )
    for row in rows:
        html = access_table_row(row, csrf_token="tok3n")
        assert parse_html(html) == parse_html(oracle(row)), row["email"]
        assert parse_html(html) in page


def test_a_saved_rows_notice_and_escaping(as_user, varied):
    response = as_user("admin@acme.test").get(MEMBERS)
    row = next(r for r in response.context["rows"] if r["email"] == "editor@acme.test")
    notice = "Role set to <Editor> & co."
    html = access_table_row(row, notice, csrf_token="tok3n")
    assert parse_html(html) == parse_html(oracle(row, notice))
    assert "Ed &lt;b&gt;&quot;Quote&quot;&lt;/b&gt; &amp; Co" in html
