"""The users page's workspace cells (orgs.people.WorkspaceCell.shown) read the access's
`effective()` and `teams_giving_role()`, which answer a single source from itself; they say
what the effective access's properties say, for every kind of access."""

import datetime

import pytest
from django.utils import timezone

from orgs import expiry
from orgs.people import WorkspaceCell
from orgs.permissions import (
    DIRECT,
    ORG_ADMIN,
    TEAM,
    Source,
    WorkspaceAccess,
    flags_beyond_defaults,
)
from orgs.roles import FLAG_LABELS, WORKSPACE_ROLE_LABELS

NOW = timezone.now()
SOON = NOW + datetime.timedelta(days=5)
LATER = NOW + datetime.timedelta(days=400)


def flags(flows=False, brand=False, audience=False):
    return {"flows_manager": flows, "brand_kits_manager": brand, "audience_viewer": audience}


def source(kind, role, until=None, team=None, **on):
    team = team or ("Field & <Sales>" if kind == TEAM else None)
    return Source(kind, role, flags(**on), team, until)


def through_properties(cell: WorkspaceCell) -> dict:
    """The cell as it was formatted from WorkspaceAccess's properties."""
    access = cell.access
    sources = access.role_sources()
    teams = [s.team for s in sources] if all(s.kind == TEAM for s in sources) else []
    return {
        "name": cell.name,
        "badge": WORKSPACE_ROLE_LABELS[access.role] + expiry.until_text(access.until),
        "extra": [FLAG_LABELS[flag] for flag in flags_beyond_defaults(access.role, access.flags)],
        "teams": ", ".join(teams),
    }


ACCESSES = {
    "viewer": ([source(DIRECT, "viewer")], None),
    "viewer + audience": ([source(DIRECT, "viewer", audience=True)], None),
    "editor defaults": ([source(DIRECT, "editor", flows=True, brand=True)], None),
    "editor without flows": ([source(DIRECT, "editor", brand=True, audience=True)], None),
    "admin": ([source(DIRECT, "admin", flows=True, brand=True, audience=True)], None),
    "ending": ([source(DIRECT, "viewer", until=SOON)], None),
    "ending next year": ([source(DIRECT, "viewer", until=LATER)], None),
    "org membership ends first": ([source(DIRECT, "editor", until=LATER)], SOON),
    "org membership ends later": ([source(DIRECT, "editor", until=SOON)], LATER),
    "org membership ends alone": ([source(DIRECT, "viewer")], SOON),
    "one team": ([source(TEAM, "editor", flows=True)], None),
    "one team, ending": ([source(TEAM, "viewer", until=SOON, audience=True)], SOON),
    "two teams": ([source(TEAM, "editor", team="A"), source(TEAM, "editor", team="B")], None),
    "teams of two roles": (
        [source(TEAM, "viewer", team="A", audience=True), source(TEAM, "editor", team="B")],
        None,
    ),
    "direct and team": (
        [source(DIRECT, "viewer", until=SOON), source(TEAM, "editor", until=LATER)],
        None,
    ),
    "direct and team, same role": (
        [source(DIRECT, "editor"), source(TEAM, "editor", audience=True)],
        None,
    ),
    "org admin": (
        [source(ORG_ADMIN, "admin", flows=True, brand=True, audience=True)],
        None,
    ),
}


@pytest.mark.parametrize("case", ACCESSES)
def test_a_cell_shows_what_the_access_properties_say(case):
    sources, org_until = ACCESSES[case]
    cell = WorkspaceCell(7, "Sales & <Ops>", WorkspaceAccess(7, list(sources), org_until))
    expected = through_properties(
        WorkspaceCell(7, "Sales & <Ops>", WorkspaceAccess(7, list(sources), org_until))
    )
    assert cell.shown() == expected


@pytest.mark.parametrize("case", ACCESSES)
def test_effective_answers_what_the_properties_answer(case):
    sources, org_until = ACCESSES[case]
    fresh = WorkspaceAccess(7, list(sources), org_until)
    properties = WorkspaceAccess(7, list(sources), org_until)
    assert fresh.effective() == (properties.role, properties.flags, properties.until)
