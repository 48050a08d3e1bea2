"""A member profile's workspace rows formatted in Python (orgs.profile_rows) are the markup the
template gave: the same elements, attributes, text and escaping for every kind of row — no
access yet (a found workspace), direct access (with flags, admin, an end), access through a
team, an Org Admin's, several sources — with a saved or undone notice and a failed save's
errors; and the profile shows them."""

import datetime
import re

import pytest
from django.template import engines
from django.test.html import parse_html
from django.utils import timezone

from orgs import people
from orgs.models import OrgMembership, Team
from orgs.profile_rows import workspace_row
from tests.factories import TeamAccessFactory, WorkspaceFactory, WorkspaceMembershipFactory
from workspaces.forms.grants import GrantForm, grant_editor, grant_fields, grant_prefix
from workspaces.models import Workspace

pytestmark = pytest.mark.django_db

TOKEN = "tok3n"
# the CSRF inputs' values (each masked anew: the editors' and the page's differ)
TOKENS = re.compile(r'(name="csrfmiddlewaretoken" value=)"[^"]*"')
# The row templates/orgs/user_profile.html had before the rows were formatted in Python.
ORACLE = """{% load access grants %}
  <div class="ws-access card" id="ws-row-{{ member.user_id }}-{{ row.workspace.pk }}">
    <div class="ws-access-edit">
      <h3 id="ws-name-{{ member.user_id }}-{{ row.workspace.pk }}">{{ row.workspace.name }}</h3>
      <h4>Direct access</h4>
      {% url 'orgs:user_workspace' org_slug member.user_id row.workspace.pk as row_url %}
      <form method="post" action="{{ row_url }}" class="grant-form" aria-labelledby="ws-name-{{ member.user_id }}-{{ row.workspace.pk }}" data-save-row
            hx-post="{{ row_url }}" hx-target="#ws-row-{{ member.user_id }}-{{ row.workspace.pk }}" hx-swap="outerHTML">
        {% grant_editor fields row.workspace.name %}
      </form>
      {% if saved %}<p class="small saved" role="status">{% if restored %}Undone: {{ member.user.display_name }}'s access to {{ row.workspace.name }} is as it was.{% else %}Saved {{ member.user.display_name }}'s access to {{ row.workspace.name }}.{% endif %}</p>{% endif %}
    </div>
    <div class="ws-access-effective" aria-label="Effective access to {{ row.workspace.name }}">
      <h4>Effective access</h4>
      {% if row.access %}
        <p class="effective-role">
          <span class="badge{% if row.access|can:'ws.manage' %} admin{% endif %}">{{ row.access.role_label }}{{ row.access.until|until }}</span>
          <span class="small">from {% for source in row.access.role_sources %}{{ source.label }}{% if not forloop.last %}, {% endif %}{% endfor %}</span>
        </p>
        <ul class="flag-states">
          {% for flag, label, on, sources in flags %}
            <li>{{ label }}:
              {% if on %}<strong class="on">on</strong> <span class="small muted">from {% for source in sources %}{{ source.label }}{% if not forloop.last %}, {% endif %}{% endfor %}</span>
              {% else %}<span class="muted">off</span>{% endif %}
            </li>
          {% endfor %}
        </ul>
        <details>
          <summary class="small">What this allows</summary>
          <ul class="small capabilities">
            {% for description, sources in capabilities %}
              <li>{% if sources %}<span aria-hidden="true">✓</span> {{ description|capfirst }} <span class="muted">({% for source in sources %}{{ source.label }}{% if not forloop.last %}, {% endif %}{% endfor %})</span>
                  {% else %}<span class="muted"><span aria-hidden="true">✗</span> <span class="visually-hidden">Not allowed:</span> {{ description|capfirst }}</span>{% endif %}</li>
            {% endfor %}
          </ul>
        </details>
      {% else %}
        <p class="muted">No access: {{ member.user.display_name }} can't see {{ row.workspace.name }}.</p>
      {% endif %}
    </div>
  </div>
"""  # noqa: E501


def oracle(row, fields, member, *, saved=False, restored=False):
    """The template's row. Its flag and capability lists are what the profile's row object
    gave the template (`flag_states`, `capability_states`)."""
    from orgs import permissions
    from orgs.roles import FLAG_LABELS, FLAGS

    access = row.access
    flags = [
        (flag, FLAG_LABELS[flag], bool(access and access.flags[flag]),
         access.flag_sources(flag) if access else [])
        for flag in FLAGS
    ]  # fmt: skip
    capabilities = [
        (cap.description, access.explain(name) if access else [])
        for name, cap in permissions.CAPABILITIES.items()
        if cap.level == permissions.WORKSPACE
    ]
    context = {
        "row": row,
        "fields": fields,
        "member": member,
        "org_slug": member.org.slug,
        "saved": saved,
        "restored": restored,
        "flags": flags,
        "capabilities": capabilities,
        "csrf_token": TOKEN,
    }
    return engines["django"].from_string(ORACLE).render(context)


def formatted(row, fields, member, **notice):
    editor = grant_editor(fields, row.workspace.name, TOKEN)
    url = f"/orgs/{member.org.slug}/users/{member.user_id}/workspaces/{row.workspace.pk}/"
    return workspace_row(row, editor, member=member, url=url, **notice)


def fields_of(row, member):
    prefix = grant_prefix(row.workspace.pk, user_id=member.user_id)
    return grant_fields(row.direct, prefix=prefix, removable=True)


@pytest.fixture
def varied(demo, acme):
    """Members with every kind of row: direct (with a flag, admin, an end), through a team
    (Field Sales, also beside a direct role), an Org Admin's; names needing escaping."""
    sales = Workspace.objects.get(org=acme, slug="sales")
    odd = WorkspaceFactory(org=acme, name="R&D <b>\"Lab\"</b> 'x'")
    editor = demo["editor@acme.test"]
    editor.full_name = 'Ed <b>"Quote"</b> & Co'
    editor.save()
    WorkspaceMembershipFactory(
        workspace=odd,
        user=editor,
        role="admin",
        until=timezone.now() + datetime.timedelta(days=20),
    )
    team = Team.objects.get(org=acme, name="Field Sales")
    TeamAccessFactory(team=team, workspace=odd, role="viewer")
    WorkspaceMembershipFactory(workspace=sales, user=demo["teamuser@acme.test"], role="viewer")
    return demo


MEMBERS = [
    "editor@acme.test",
    "audience@acme.test",
    "flows@acme.test",
    "teamuser@acme.test",
    "outsider@acme.test",
    "admin@acme.test",
]


@pytest.mark.parametrize("email", MEMBERS)
def test_every_row_is_the_markup_the_template_gave(client, varied, acme, email):
    member = OrgMembership.objects.select_related("user", "org").get(org=acme, user=varied[email])
    profile = people.member_profile(acme, member.user_id, find="a")
    rows = [*profile.workspaces, *profile.found]
    assert rows
    client.force_login(varied["admin@acme.test"])
    response = client.get(f"/orgs/acme/users/{member.user_id}/", {"find": "a"})
    page = parse_html(TOKENS.sub(f'\\1"{TOKEN}"', response.content.decode()))
    for row in rows:
        fields = fields_of(row, member)
        html = formatted(row, fields, member)
        assert parse_html(html) == parse_html(oracle(row, fields, member)), row.workspace.name
        assert parse_html(html) in page, row.workspace.name


def test_the_rows_cover_every_kind(varied, acme):
    kinds = set()
    for email in MEMBERS:
        profile = people.member_profile(acme, varied[email].pk, find="a")
        for row in [*profile.workspaces, *profile.found]:
            access = row.access
            kinds.add(
                "none"
                if access is None
                else "+".join(sorted({s.kind for s in access.sources}))
                + ("/ends" if access.until else "")
            )
    assert {"none", "direct", "direct/ends", "team", "org_admin", "direct+team"} <= kinds


@pytest.mark.parametrize("restored", [False, True])
def test_a_saved_rows_notice_and_escaping(varied, acme, restored):
    member = OrgMembership.objects.select_related("user", "org").get(
        org=acme, user=varied["editor@acme.test"]
    )
    rows = people.member_profile(acme, member.user_id).workspaces
    row = next(r for r in rows if "Lab" in r.workspace.name)
    fields = fields_of(row, member)
    html = formatted(row, fields, member, saved=True, restored=restored)
    assert parse_html(html) == parse_html(
        oracle(row, fields, member, saved=True, restored=restored)
    )
    assert "Ed &lt;b&gt;&quot;Quote&quot;&lt;/b&gt; &amp; Co" in html
    assert "R&amp;D &lt;b&gt;&quot;Lab&quot;&lt;/b&gt; &#x27;x&#x27;" in html


def test_a_failed_saves_row(varied, acme):
    """A row shown again from the bound form: its values, errors and their aria wiring."""
    member = OrgMembership.objects.select_related("user", "org").get(
        org=acme, user=varied["flows@acme.test"]
    )
    row = people.member_profile(acme, member.user_id).workspaces[0]
    prefix = grant_prefix(row.workspace.pk, user_id=member.user_id)
    form = GrantForm(
        {"role": "nonsense", "until": "not a day"},
        grant=row.direct,
        removable=True,
        auto_id=f"{prefix}%s",
    )
    assert not form.is_valid()
    fields = form.fields_shown()
    html = formatted(row, fields, member)
    assert parse_html(html) == parse_html(oracle(row, fields, member))
    assert 'aria-invalid="true"' in html
