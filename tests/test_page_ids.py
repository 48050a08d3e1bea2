"""Every page of SPEC §4 as each persona sees it (tests/e2e/pages.py), plus the pages with
several grant editors and add forms at once: no element id appears twice, and every id an
attribute points at (label `for`, `aria-describedby`, `aria-labelledby`, `aria-controls`,
`list`) exists on the page. axe-core (tests/e2e/test_pages.py) no longer checks duplicate ids
that no ARIA attribute references; a label or an error tied to the wrong control is exactly
that case."""

from collections import Counter
from html.parser import HTMLParser

import pytest

from orgs.models import Team
from tests.e2e.pages import PERSONAS, pages_for
from tests.factories import TeamFactory

pytestmark = pytest.mark.django_db

POINTERS = ("for", "aria-describedby", "aria-labelledby", "aria-controls", "list")


class Ids(HTMLParser):
    """The ids of a page's elements, in order, and the ids its attributes point at."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.ids: list[str] = []
        self.pointed: list[tuple[str, str, str]] = []  # (tag, attribute, id)

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name == "id" and value:
                self.ids.append(value)
            elif name in POINTERS and value and not (tag == "output" and name == "for"):
                self.pointed += [(tag, name, ref) for ref in value.split()]

    handle_startendtag = handle_starttag


def id_problems(html: str) -> list[str]:
    """What is wrong with the ids of `html`: an id used twice, an attribute pointing at an id
    that is not on the page."""
    parser = Ids()
    parser.feed(html)
    present = Counter(parser.ids)
    problems = [f"id {ref!r} ×{n}" for ref, n in present.items() if n > 1]
    problems += [
        f"<{tag} {name}={ref!r}> points at no element"
        for tag, name, ref in parser.pointed
        if ref not in present
    ]
    return problems


def test_id_problems_finds_duplicates_and_dangling_references():
    html = (
        '<label for="a">A</label><input id="a"><input id="a">'
        '<input aria-describedby="a b_error"><p id="b"></p>'
    )
    assert id_problems(html) == [
        "id 'a' ×2",
        "<input aria-describedby='b_error'> points at no element",
    ]


def extra_pages(acme) -> list[tuple[str, str]]:
    """Pages with several editors and an add form at once: a team with access to several
    workspaces, Manage → Teams with a team to add, Manage → Members' add form with many
    people found."""
    team = Team.objects.get(org=acme, name="Field Sales")
    TeamFactory(org=acme, name="Night Shift")
    return [
        ("team-with-access", f"/orgs/acme/teams/{team.pk}/"),
        ("manage-teams-add", "/orgs/acme/w/sales/manage/teams/"),
        ("manage-member-add-found", "/orgs/acme/w/marketing/manage/members/add/?q=a"),
        ("manage-members-sales", "/orgs/acme/w/sales/manage/members/"),
    ]


@pytest.mark.parametrize("email", PERSONAS)
def test_every_page_has_unique_ids_and_no_dangling_references(demo, acme, client, email):
    client.force_login(demo[email])
    pages = pages_for(email)
    if email == "admin@acme.test":
        pages += extra_pages(acme)
    problems = []
    for name, path in pages:
        response = client.get(path)
        problems += [f"{name} {path}: {p}" for p in id_problems(response.content.decode())]
    assert not problems, "\n".join(problems)
