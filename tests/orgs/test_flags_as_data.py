"""Fine-Grained Permissions are data: orgs.roles.FLAG_DEFINITIONS is the one place that names
them; the access SQL, model columns, capabilities, forms, admin columns, bench and undo script
are generated from it."""

import re
import subprocess

from django.conf import settings
from django.contrib import admin
from django.forms.renderers import DjangoTemplates

from orgs import permissions
from orgs.forms import TeamAccessAddForm
from orgs.roles import FLAG_DEFINITIONS, FLAGS
from workspaces.forms.grants import GrantForm
from workspaces.models import TeamAccess, WorkspaceMembership

# Data, not code: the demo's people with a flag, and the migrations that made the columns.
MAY_NAME_FLAGS = {"orgs/roles.py", "orgs/management/commands/seed_demo.py"}


def test_no_module_but_the_definition_spells_a_flag_name():
    tracked = subprocess.run(
        ["git", "ls-files", "*.py", "*.html", "*.js", "*.sql"],
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    assert "orgs/roles.py" in tracked
    spelled = sorted(
        path
        for path in tracked
        if path not in MAY_NAME_FLAGS
        and not path.startswith("tests/")
        and "/migrations/" not in path
        and any(flag in (settings.BASE_DIR / path).read_text() for flag in FLAGS)
    )
    assert spelled == []


def test_every_artifact_has_one_entry_per_flag():
    for model in (WorkspaceMembership, TeamAccess):
        assert [f.name for f in model._meta.fields if f.name in FLAGS] == list(FLAGS)
        assert list(admin.site._registry[model].list_display[3:]) == list(FLAGS)
    for flag in FLAG_DEFINITIONS:
        capability = permissions.CAPABILITIES[flag.capability]
        assert (capability.flag, capability.description) == (flag.name, flag.allows)
    for sql in (permissions._ACCESS_SQL, permissions._MEMBERS_ACCESS_SQL):
        for flag in FLAGS:
            assert f"wm.{flag}" in sql and f"ta.{flag}" in sql
    assert permissions.flag_defaults("editor") == {
        f.name: f.editor_default for f in FLAG_DEFINITIONS
    }
    grant = WorkspaceMembership(role="viewer", pk=1)
    # The one grant editor: the Manage and team pages' rows, the profile's (no grant yet).
    for form in (GrantForm(grant=grant), GrantForm(grant=None, removable=True)):
        assert [field.name for field in form.flag_fields] == list(FLAGS)
        assert list(form.fields)[: len(FLAGS) + 1] == ["role", *FLAGS]
    assert [value for value, _ in TeamAccessAddForm.base_fields["flags"].choices] == list(FLAGS)


def _markup(form):
    """Every part of a grant row as the templates print it, whitespace between tags dropped."""
    parts = [form["role"], *form.flag_fields, form["until"]]
    html = "".join(str(part) for part in parts) + str(form.non_field_errors())
    html += "".join(str(form[name].errors) for name in ("role", "until"))
    return re.sub(r">\s+<", "><", html)


def test_the_grant_editor_draws_what_the_django_template_engine_draws():
    """GrantForm renders with Django's Jinja2 form renderer (half the Python calls per row,
    issue #14): the same inputs, ids, states and errors as the Django template engine."""
    admin_grant = WorkspaceMembership(role="admin", pk=7, **dict.fromkeys(FLAGS, True))
    forms = [
        dict(grant=WorkspaceMembership(role="viewer", pk=1), auto_id="m1-ws2-%s"),
        dict(grant=admin_grant),
        dict(grant=None, removable=True, role_label="Direct role in Sales"),
        dict(grant=None, removable=True, data={"role": "owner", "until": "not a day"}),
    ]
    for kwargs in forms:
        form = GrantForm(**kwargs)
        assert form.renderer is not None and "Jinja2" in type(form.renderer).__name__
        drawn = _markup(form)
        assert drawn == _markup(GrantForm(**kwargs, renderer=DjangoTemplates()))
        assert f'name="{FLAGS[0]}"' in drawn
    assert "errorlist" in drawn  # the invalid form shows its errors
