"""Views read through selectors (README "Layout"): a console view looks up one row itself —
`get_object_or_404(Model.objects…, pk=…, org=…)` or `Model.objects.filter(pk=…, …).first()`,
scoped to the org or workspace of the URL — and asks the app's selectors for everything else
(lists, counts, searches, annotations)."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
VIEWS = sorted(
    [
        *(ROOT / "orgs" / "views").glob("*.py"),
        *(ROOT / "workspaces" / "views").rglob("*.py"),
        ROOT / "audit" / "views.py",
        ROOT / "flowadmin" / "views.py",
        ROOT / "orgs" / "scim" / "views.py",
    ]
)


def _manager_uses(tree) -> dict[int, ast.Attribute]:
    return {
        id(node): node
        for node in ast.walk(tree)
        if isinstance(node, ast.Attribute) and node.attr == "objects"
    }


def _one_row_lookups(tree) -> set[int]:
    """The `Model.objects` nodes inside a get_object_or_404(…) call's first argument or in a
    chain that ends with `.first()`."""
    allowed = set()
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        if isinstance(func, ast.Name) and func.id == "get_object_or_404" and node.args:
            allowed |= set(_manager_uses(node.args[0]))
        elif isinstance(func, ast.Attribute) and func.attr == "first":
            allowed |= set(_manager_uses(func.value))
    return allowed


def queries_in(source: str) -> list[str]:
    tree = ast.parse(source)
    allowed = _one_row_lookups(tree)
    return [
        f"line {node.lineno}: {ast.unparse(node)}"
        for key, node in _manager_uses(tree).items()
        if key not in allowed
    ]


def test_there_are_views_to_check():
    assert len(VIEWS) > 20


@pytest.mark.parametrize("path", VIEWS, ids=lambda path: str(path.relative_to(ROOT)))
def test_the_view_reads_lists_through_selectors(path):
    assert queries_in(path.read_text()) == []


@pytest.mark.parametrize(
    "line",
    [
        "Domain.objects.filter(org=org).order_by('hostname')",
        "TeamAccess.objects.filter(team=team).exists()",
        "WorkspaceMembership.objects.filter(user=user).count()",
        "paginate(request, Asset.objects.filter(workspace=workspace))",
    ],
)
def test_a_query_in_a_view_is_found(line):
    assert queries_in(line)


def test_one_row_lookups_are_not_queries_to_move():
    source = (
        "get_object_or_404(Domain.objects.select_related('workspace'), pk=1, org=org)\n"
        "Team.objects.filter(org=org, pk=pk).only('pk').first()\n"
        "get_object_or_404(Team, pk=1)\n"
    )
    assert queries_in(source) == []
