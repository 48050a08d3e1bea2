"""Views read through selectors (README "Layout"): a console view looks up one row itself —
`get_object_or_404(Model or Model.objects…, pk=…, org=…)` or a `Model.objects…` chain ending
in `.first()` / `.get(…)` — and asks the app's selectors for everything else (lists, counts,
searches, annotations).

Each such one-row lookup is scoped to the URL's tenant: one of its keywords (in the call or in
the chain's filters) names an org, workspace, team or review (`SCOPES`: `org=`, `org_id=`,
`workspace=`, `team=`, `review=`, `workspace__org=`, `org_memberships__org=`, …), so an id of
another org's row is a 404. What the keyword is given (request.org, the URL's team, …) is the
code review's to judge; a lookup through a selector or a related manager
(`ws.flows.….first()`) is scoped by the object it starts from and not checked here."""

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


def _lookups(tree):
    """(call, the part naming the rows) of each one-row lookup: get_object_or_404(…) with a
    model class (a capitalised name) or a `Model.objects…` queryset, and `Model.objects…`
    chains ending with `.first()` or `.get(…)`."""
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        if isinstance(func, ast.Name) and func.id == "get_object_or_404" and node.args:
            rows = node.args[0]
            if (isinstance(rows, ast.Name) and rows.id[:1].isupper()) or _manager_uses(rows):
                yield node, rows
        elif (
            isinstance(func, ast.Attribute)
            and func.attr in ("first", "get")
            and _manager_uses(func.value)
        ):
            yield node, func.value


def _one_row_lookups(tree) -> set[int]:
    """The `Model.objects` nodes inside a one-row lookup (`_lookups`)."""
    allowed = set()
    for _call, rows in _lookups(tree):
        allowed |= set(_manager_uses(rows))
    return allowed


SCOPES = {"org", "workspace", "team", "review"}


def scoping(keyword: str) -> bool:
    """Whether a lookup keyword names a tenant: a part of its path (`_id` dropped) in SCOPES."""
    return any(part.removesuffix("_id") in SCOPES for part in keyword.split("__"))


def unscoped_in(source: str) -> list[str]:
    """The one-row lookups of `source` none of whose keywords is `scoping`."""
    found = []
    for call, rows in _lookups(ast.parse(source)):
        calls = [call, *(node for node in ast.walk(rows) if isinstance(node, ast.Call))]
        keywords = [k.arg for c in calls for k in c.keywords if k.arg]
        if not any(scoping(keyword) for keyword in keywords):
            found.append(f"line {call.lineno}: {ast.unparse(call)}")
    return found


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


@pytest.mark.parametrize("path", VIEWS, ids=lambda path: str(path.relative_to(ROOT)))
def test_the_view_scopes_its_one_row_lookups(path):
    assert unscoped_in(path.read_text()) == []


@pytest.mark.parametrize(
    "line",
    [
        # orgs/views/reviews.py before the fix: another org's user, named in a refusal
        'get_object_or_404(User, pk=integer(request.POST, "user") or 0)',
        "get_object_or_404(Team.objects.select_related('org'), pk=team_id)",
        "Flow.objects.filter(pk=flow_id).first()",
        "Asset.objects.get(pk=asset_id)",
        "get_object_or_404(User, pk=1, organization=org)",  # not a tenant keyword
    ],
)
def test_an_unscoped_lookup_is_found(line):
    assert unscoped_in(line)


@pytest.mark.parametrize(
    "line",
    [
        "get_object_or_404(Team, pk=team_id, org=request.org)",
        "get_object_or_404(User, pk=1, org_memberships__org=request.org)",
        "get_object_or_404(TeamAccess.objects.filter(workspace__org=org), workspace_id=1)",
        "TeamMembership.objects.filter(team=team, user=user).only('until').first()",
        "AccessReviewer.objects.filter(review=review, user_id=1).first()",
        "Domain.objects.get(pk=1, org_id=org.pk)",
        "ws.flows.order_by('-created_at').first()",  # a related manager: scoped by `ws`
        "get_object_or_404(selectors.grants(team), pk=1)",  # a selector's rows
    ],
)
def test_a_scoped_lookup_passes(line):
    assert unscoped_in(line) == []
