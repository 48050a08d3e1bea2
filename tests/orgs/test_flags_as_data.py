"""Fine-Grained Permissions are data: orgs.roles.FLAG_DEFINITIONS is the one place that names
them; the access SQL, model columns, capabilities, forms, admin columns, bench and undo script
are generated from it."""

import subprocess

from django.conf import settings
from django.contrib import admin

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
