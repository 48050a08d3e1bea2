"""Commands call services and never write models themselves (README "Layout"): no command
module saves, deletes, creates or updates rows through the ORM. The services they call take the
command's actor, so every write is atomic and logged with it."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
COMMANDS = sorted(
    path
    for app in ("orgs", "workspaces", "audit")
    for path in (ROOT / app / "management" / "commands").glob("*.py")
)
# Methods that write whatever they are called on.
WRITES = {
    "save",
    "delete",
    "bulk_create",
    "bulk_update",
    "update_or_create",
    "get_or_create",
    "create_user",
    "create_superuser",
}
# Methods that write when called on a manager or queryset (`Model.objects….create/update`).
QUERYSET_WRITES = {"create", "update"}


def _through_a_manager(node) -> bool:
    while isinstance(node, ast.Call | ast.Attribute):
        if isinstance(node, ast.Attribute) and node.attr == "objects":
            return True
        node = node.func if isinstance(node, ast.Call) else node.value
    return False


def raw_writes(source: str) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(source)):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
            continue
        method = node.func.attr
        if method in WRITES or (method in QUERYSET_WRITES and _through_a_manager(node.func.value)):
            found.append(f"line {node.lineno}: .{method}()")
    return found


def test_there_are_commands_to_check():
    assert len(COMMANDS) > 10


@pytest.mark.parametrize(
    "path", COMMANDS, ids=lambda path: f"{path.parent.parent.parent.name}/{path.stem}"
)
def test_the_command_writes_only_through_services(path):
    assert raw_writes(path.read_text()) == []


@pytest.mark.parametrize(
    "line",
    [
        "User.objects.create_user(email=email)",
        "user.save()",
        "Invitation.objects.filter(pk=1).update(created_at=past)",
        "Domain.objects.update_or_create(hostname='a.test', defaults={})",
        "Team.objects.create(org=org, name='x')",
        "domain.delete()",
    ],
)
def test_a_raw_write_is_found(line):
    assert raw_writes(line)


def test_reads_and_dict_updates_are_not_writes():
    assert raw_writes("Org.objects.filter(slug=s).first(); options.update(a=1); s.create()") == []
