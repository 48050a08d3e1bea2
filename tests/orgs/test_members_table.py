"""The users page's rows formatted in Python (orgs.members_table) are the markup the
template gave: the same elements, attributes, text and escaping for every kind of row."""

import re

import pytest
from django.template import engines

from orgs.members_table import filter_html, rows_html

# The row loop templates/orgs/users.html had before the rows were formatted in Python.
TEMPLATE_ROWS = """
{% for row in rows %}
      <tr>
        <td><a href="{{ row.links.profile }}">{{ row.name }}</a></td>
        <td>{{ row.email }}</td>
        <td><span class="badge{% if row.admin %} admin{% endif %}">{{ row.role_label }}{{ row.until }}</span></td>
        <td>{% if row.login_iso %}<time datetime="{{ row.login_iso }}">{{ row.login_shown }}</time>{% else %}<span class="muted">never</span>{% endif %}</td>
        <td>{% if row.two_factor %}<span class="badge ok">On</span>{% else %}<span class="badge">Off</span>{% endif %}</td>
        <td>
          {% if row.admin %}
            <span class="small muted">Admin of every workspace (Org Admin)</span>
          {% else %}
            <ul class="access-list">
              {% for cell in row.workspaces %}
                <li>{{ cell.name }} <span class="badge">{{ cell.badge }}</span>{% for label in cell.extra %} <span class="small muted">+ {{ label }}</span>{% endfor %}{% if cell.teams %} <span class="team-tag">via team {{ cell.teams }}</span>{% endif %}</li>
              {% empty %}
                <li class="small muted">No workspaces</li>
              {% endfor %}
            </ul>
          {% endif %}
          <details class="inline-edit" hx-get="{{ row.links.profile }}?part=workspaces" hx-trigger="toggle once"
                   hx-target="find .inline-edit-body" hx-swap="innerHTML">
            <summary class="small">Edit workspace access<span class="visually-hidden"> of {{ row.display_name }}</span></summary>
            <div class="inline-edit-body"><p class="small"><a href="{{ row.links.profile }}">Open {{ row.display_name }}'s profile</a> to set their workspace roles and permissions.</p></div>
          </details>
        </td>
        <td class="actions">
          {% if row.sole_admin %}
            <button type="button" class="btn small danger" disabled aria-describedby="sole-admin-{{ row.user_id }}">Remove</button>
            <span class="small muted why" id="sole-admin-{{ row.user_id }}">The only Org Admin can't be removed.</span>
          {% else %}
            <a class="btn small secondary" href="{{ row.links.remove }}" aria-label="Remove {{ row.display_name }}">Remove</a>
          {% endif %}
        </td>
      </tr>
{% endfor %}
"""  # noqa: E501


def row(user_id, **values):
    shown = {
        "user_id": user_id,
        "name": f"Member {user_id}",
        "display_name": f"Member {user_id}",
        "email": f"m{user_id}@acme.test",
        "role_label": "User",
        "until": "",
        "admin": False,
        "two_factor": False,
        "sole_admin": False,
        "workspaces": [],
        "links": {
            "profile": f"/orgs/acme/users/{user_id}/",
            "remove": f"/orgs/acme/users/{user_id}/remove/",
        },
        "login_iso": "",
        "login_shown": "",
    }
    return {**shown, **values}


ROWS = [
    row(1, admin=True, role_label="Admin", sole_admin=True, two_factor=True),
    row(2, admin=True, role_label="Admin", until=" until 12 Jan"),
    row(
        3,
        name="Zoë <b>O'Brien</b> & co",
        display_name="Zoë <b>O'Brien</b> & co",
        email='z"q@acme.test',
        login_iso="2026-12-06T09:41:00+00:00",
        login_shown="Dec 6, 2026 09:41",
        workspaces=[
            {"name": "Marketing", "badge": "Viewer", "extra": [], "teams": ""},
            {
                "name": "Sales & <Ops>",
                "badge": "Editor until 3 Feb",
                "extra": ["Audience Viewer", "Flows Manager"],
                "teams": "Field Sales, A&B",
            },
        ],
        links={"profile": "/orgs/a&b/users/3/", "remove": "/orgs/a&b/users/3/remove/"},
    ),
    row(
        4,
        two_factor=True,
        workspaces=[{"name": "Main", "badge": "Admin", "extra": [], "teams": ""}],
    ),
]


def without_indentation(html: str) -> str:
    """The template's line breaks and indentation between tags (and inside the one tag whose
    attributes span two lines) removed: they are not part of the page's content."""
    html = re.sub(r'"\s*\n\s*(?=[a-z-]+=)', '" ', html)
    return re.sub(r"\s*\n\s*", "", html)


@pytest.mark.parametrize("rows", [ROWS, ROWS[:1], []], ids=["every kind", "one", "none"])
def test_the_rows_are_the_templates_markup(rows):
    template = engines["django"].from_string(TEMPLATE_ROWS)
    assert without_indentation(rows_html(rows)) == without_indentation(
        template.render({"rows": rows})
    )


# The filter include (orgs/_member_filter.html) before the filters were formatted in Python.
TEMPLATE_FILTER = """
<div>
  <label for="{{ id }}">{{ label }}</label>
  <select id="{{ id }}" name="{{ name }}"
          hx-get="{{ request.path }}" hx-trigger="change" hx-include="closest form"
          hx-target="#members" hx-swap="outerHTML" hx-push-url="true">
    {% for value, text in choices %}
      <option value="{{ value }}" {% if value == selected %}selected{% endif %}>{{ text }}</option>
    {% endfor %}
  </select>
</div>
"""

CHOICES = [("", "Any"), ("on", "Enabled"), ('"x" & <y>', "Tom & <Jerry's>"), (30, "30 days")]


@pytest.mark.parametrize(
    ("selected", "label", "path"),
    [
        (None, "2FA", "/orgs/acme/users/"),
        ("", "Sort by", "/orgs/acme/users/"),
        ("on", "Access ending", "/orgs/acme/users/"),
        ('"x" & <y>', 'A "label" & <b>', "/orgs/a&b/users/"),
        (30, "Days", "/orgs/acme/users/"),
        ("30", "Days", "/orgs/acme/users/"),
    ],
)
def test_a_filter_is_the_templates_markup(rf, selected, label, path):
    context = {
        "id": 'member-"x"',
        "name": "two_factor",
        "label": label,
        "choices": CHOICES,
        "selected": selected,
        "request": rf.get(path),
    }
    template = engines["django"].from_string(TEMPLATE_FILTER)
    html = filter_html(path, 'member-"x"', "two_factor", label, CHOICES, selected)
    assert without_indentation(html) == without_indentation(template.render(context))
