"""Fine-Grained Permissions are data: orgs.roles.FLAG_DEFINITIONS is the one place that names
them; the access SQL, model columns, capabilities, forms, admin columns, bench and undo script
are generated from it."""

import subprocess

from django.conf import settings
from django.contrib import admin

from orgs import permissions
from orgs.models import Team
from orgs.roles import FLAG_DEFINITIONS, FLAG_LABELS, FLAGS
from workspaces.forms.grants import GrantForm, MemberAddForm, TeamAccessAddForm, TeamAddForm
from workspaces.models import TeamAccess, Workspace, WorkspaceMembership

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
        assert list(form.fields)[: len(FLAGS) + 2] == ["role", *FLAGS, "until"]
        assert [form[flag].label for flag in FLAGS] == [FLAG_LABELS[flag] for flag in FLAGS]
    # The add forms (the team page's, Manage's): the same fields after what they add.
    workspace, team = Workspace(pk=1, org_id=1), Team(pk=2, org_id=1)
    for form in (
        TeamAccessAddForm(team=team),
        TeamAddForm(workspace=workspace, teams=Team.objects.none()),
        MemberAddForm(workspace=workspace, user_id=3),
    ):
        assert list(form.fields) == [form.target, "role", *FLAGS, "until"]
        assert [form[flag].label for flag in FLAGS] == [FLAG_LABELS[flag] for flag in FLAGS]
