"""The add forms — the team page's "give access to a workspace", Manage → Teams' "give a team
access", Manage → Members' "add" — are the one grant editor with what the grant is for in
front: the same control names, labels (orgs.roles), ids (prefix + name) and markup as the
editor of a saved grant on the same pages, an Add button in place of Save; a refused add is
said on the page, tied to the control it is about, with everything typed kept and nothing
written; an accepted one writes the role, the ticked permissions and the end."""

import re
from html import escape

import pytest
from django.test.html import parse_html

from audit.models import ActivityEntry
from orgs.models import Team
from orgs.permissions import FLAG_DEFAULTS
from orgs.roles import FLAG_LABELS, FLAGS, WorkspaceRole
from tests.factories import TeamFactory
from tests.test_page_ids import id_problems
from workspaces.models import TeamAccess, Workspace, WorkspaceMembership

pytestmark = pytest.mark.django_db

PREFIX = re.compile(r"grant-(\d+|new)-(user|team)-(\d+|new)-")


def add_form(html: str) -> str:
    """The page's one add form (a <form class="grant-add">), with its markup."""
    [form] = re.findall(r'<form [^>]*class="[^"]*grant-add[^"]*".*?</form>', html, re.S)
    return form


def editor_of(html: str) -> str:
    """The first grant editor's <div class="grant-fields"> in `html`."""
    return re.search(r'<div class="grant-fields">.*?\n</div>', html, re.S)[0]


def shape(editor: str, who: str) -> str:
    """An editor's markup without what differs between two grants: the id prefix, the person
    named in the labels, values and states, the button's verb, a Remove link."""
    prefix = PREFIX.search(editor)[0]
    editor = editor.replace(prefix, "P-").replace(escape(who, quote=False), "WHO")
    editor = re.sub(r' (value="[^"]*"|checked|selected|disabled|data-save)(?=[ >])', "", editor)
    editor = re.sub(r' <a class="btn danger small".*?</a>', "", editor)
    editor = re.sub(r' aria-describedby="[^"]*defaults"', "", editor)  # the add form's note
    return editor.replace(">Add<span", ">Save<span")


def assert_the_editors_fields(
    page: str, form: str, who: str, row_who: str, page_of_form: str | None = None
):
    """The add form's editor is the shape of the first saved grant's editor in `page` (whose
    labels name `row_who`); its ids are the pattern's; its labels are orgs.roles'; its
    permissions are described by a note on `page_of_form` (default: `page`) of what each
    role brings besides them."""
    page_of_form = page_of_form or page
    editor = editor_of(form)
    assert parse_html(shape(editor, who)) == parse_html(shape(editor_of(page), row_who))
    prefix = PREFIX.search(editor)[0]
    for name in ("role", *FLAGS, "until"):
        assert re.search(rf'<(select|input)[^>]* name="{name}"[^>]* id="{prefix}{name}"', editor)
        assert f'for="{prefix}{name}"' in editor
    labels = re.findall(r'data-flag=""(?: \w+)* id="[^"]+"(?: checked)?> ([^<]+)</label>', editor)
    assert labels == [FLAG_LABELS[flag] for flag in FLAGS]
    assert f"Role for {escape(who, quote=False)}" in editor
    assert 'class="btn small">Add<span' in editor  # not a Save that waits for a change
    # what the role gives besides the boxes ticked, said beside them (SPEC §3.2 defaults)
    note_id = re.search(r'<fieldset class="flags" aria-describedby="([^"]+)">', editor)[1]
    note = re.search(rf'<p [^>]*id="{note_id}">([^<]+)</p>', page_of_form)[1]
    for role, label in WorkspaceRole.choices:
        for flag in FLAGS:
            if FLAG_DEFAULTS[role][flag] and role != "admin":
                assert re.search(rf"{label}: [^;]*{FLAG_LABELS[flag]}", note), (label, flag)
    assert "Admin: every permission" in note


def assert_error_tied_to(html: str, control: str, text: str):
    """The control named `control` is invalid and described by an error that says `text`,
    inside an alert."""
    tag = re.search(rf'<(?:select|input)[^>]* name="{control}"[^>]*>', html)[0]
    assert 'aria-invalid="true"' in tag, tag
    described = re.search(r'aria-describedby="([^"]+)"', tag)[1]
    alert = re.search(
        rf'<div [^>]*role="alert"[^>]*>\s*<ul class="errorlist" id="{described}"'
        rf".*?</ul>",
        html,
        re.S,
    )
    assert alert and text in alert[0], (described, text)


def refused_add(client, url, data, field, error) -> tuple[int, str]:
    """POST `data` to an add form's `url`: no server error, nothing written (no activity
    entry), `error` tied to the control `field`, and every value sent shown again. Returns the
    status and the form as shown."""
    before = ActivityEntry.objects.count()
    response = client.post(url, data)
    assert response.status_code < 500
    form = add_form(response.content.decode())
    assert_error_tied_to(form, field, error)
    for name, value in data.items():
        if name in FLAGS:
            assert re.search(rf'name="{name}"[^>]* checked', form), name
        elif name == "until":
            assert f'value="{value}"' in form
        elif name != "user":  # the role and the target: options
            assert re.search(rf'<option value="{value}" selected>', form) or field == name
    assert ActivityEntry.objects.count() == before
    return response.status_code, form


# --- the team page: give the team access to a workspace -------------------------------------


@pytest.fixture
def team(acme):
    return Team.objects.get(org=acme, name="Field Sales")


def test_team_page_add_form_is_the_editor(as_user, team):
    page = as_user("admin@acme.test").get(f"/orgs/acme/teams/{team.pk}/").content.decode()
    form = add_form(page)
    assert_the_editors_fields(page, form, "the chosen workspace", "Sales")
    assert PREFIX.search(editor_of(form))[0] == f"grant-new-team-{team.pk}-"
    assert f'<label for="grant-new-team-{team.pk}-workspace">Workspace</label>' in form
    assert form.index('name="workspace"') < form.index('name="role"')  # what for, in front


def test_team_page_refused_add_is_tied_to_its_field_and_keeps_the_input(as_user, acme, team):
    events = Workspace.objects.get(org=acme, slug="events")
    data = {"workspace": events.pk, "role": "editor", "audience_viewer": "on"}
    url = f"/orgs/acme/teams/{team.pk}/access/"
    client = as_user("admin@acme.test")
    refused_add(client, url, {**data, "until": "2020-01-01"}, "until", "has passed")
    assert not TeamAccess.objects.filter(team=team, workspace=events).exists()


def test_team_page_add_without_a_workspace_says_so_at_the_workspace(as_user, team):
    data = {"workspace": "", "role": "viewer"}
    url = f"/orgs/acme/teams/{team.pk}/access/"
    refused_add(as_user("admin@acme.test"), url, data, "workspace", "required")


# --- Manage → Teams: give a team access to this workspace -----------------------------------

TEAMS = "/orgs/acme/w/sales/manage/teams/"


@pytest.fixture
def other_team(acme):
    return TeamFactory(org=acme, name="Night <Shift>")


def test_manage_teams_add_form_is_the_editor(as_user, acme, other_team):
    page = as_user("admin@acme.test").get(TEAMS).content.decode()
    form = add_form(page)
    assert_the_editors_fields(page, form, "the chosen team", "Field Sales")
    sales = Workspace.objects.get(org=acme, slug="sales")
    assert PREFIX.search(editor_of(form))[0] == f"grant-{sales.pk}-team-new-"
    assert f'<label for="grant-{sales.pk}-team-new-team">Team</label>' in form
    assert "Night &lt;Shift&gt;" in form


def test_manage_teams_refused_add_is_tied_to_its_field(as_user, acme, other_team):
    data = {
        "team": other_team.pk,
        "role": "owner",
        "brand_kits_manager": "on",
        "until": "2099-01-02",
    }
    status, _ = refused_add(
        as_user("admin@acme.test"), f"{TEAMS}add/", data, "role", "Select a valid choice"
    )
    assert status == 400
    assert not TeamAccess.objects.filter(team=other_team).exists()


def test_manage_teams_add_writes_the_role_the_ticked_permissions_and_the_end(
    as_user, acme, other_team
):
    response = as_user("admin@acme.test").post(
        f"{TEAMS}add/", {"team": other_team.pk, "role": "viewer", "audience_viewer": "on"}
    )
    assert response.status_code == 302
    access = TeamAccess.objects.get(team=other_team)
    assert (access.role, access.flags, access.until) == (
        "viewer",
        {"flows_manager": False, "brand_kits_manager": False, "audience_viewer": True},
        None,
    )


# --- Manage → Members: add an org member --------------------------------------------------

MEMBERS = "/orgs/acme/w/marketing/manage/members/"


def test_manage_members_add_form_is_the_editor(as_user, demo, marketing):
    client = as_user("admin@acme.test")
    page = client.get(MEMBERS).content.decode()
    page = page[page.index(f'<tr id="member-{demo["editor@acme.test"].pk}"') :]
    outsider = demo["outsider@acme.test"]
    found = client.get(f"{MEMBERS}add/?q=outsider").content.decode()
    form = add_form(found)
    assert_the_editors_fields(page, form, outsider.display_name, "Eddie Editor", found)
    # the ids the person's row will have once added
    assert PREFIX.search(editor_of(form))[0] == f"grant-{marketing.pk}-user-{outsider.pk}-"
    assert f'<input type="hidden" name="user" value="{outsider.pk}"' in form


def test_manage_members_refused_add_is_said_in_the_persons_row(as_user, demo, marketing):
    outsider = demo["outsider@acme.test"]
    data = {"user": outsider.pk, "role": "editor", "flows_manager": "on", "until": "1999-12-31"}
    url = f"{MEMBERS}add/?q=outsider"
    status, form = refused_add(as_user("admin@acme.test"), url, data, "until", "has passed")
    assert status == 400
    assert f'id="grant-{marketing.pk}-user-{outsider.pk}-until"' in form
    assert not WorkspaceMembership.objects.filter(workspace=marketing, user=outsider).exists()


def test_manage_members_add_writes_the_ticked_permissions(as_user, demo, marketing):
    outsider = demo["outsider@acme.test"]
    response = as_user("admin@acme.test").post(
        f"{MEMBERS}add/", {"user": outsider.pk, "role": "viewer", "audience_viewer": "on"}
    )
    assert response.status_code == 302
    membership = WorkspaceMembership.objects.get(workspace=marketing, user=outsider)
    assert (membership.role, membership.audience_viewer, membership.flows_manager) == (
        "viewer",
        True,
        False,
    )


# --- the three answer a refusal alike ------------------------------------------------------


def refusals(acme) -> list[tuple[str, dict]]:
    """(url, data) per add form: an end that has passed, on a target it could add."""
    team = Team.objects.get(org=acme, name="Field Sales")
    events = Workspace.objects.get(org=acme, slug="events")
    night = TeamFactory(org=acme, name="Night Shift")
    outsider = acme.memberships.get(user__email="outsider@acme.test").user
    past = {"role": "viewer", "until": "2020-01-01"}
    return [
        (f"/orgs/acme/teams/{team.pk}/access/", {"workspace": events.pk, **past}),
        (f"{TEAMS}add/", {"team": night.pk, **past}),
        (f"{MEMBERS}add/?q=outsider", {"user": outsider.pk, **past}),
    ]


def test_every_add_form_refuses_a_plain_post_with_400_and_its_errors(as_user, acme):
    client = as_user("admin@acme.test")
    answers = []
    for url, data in refusals(acme):
        response = client.post(url, data)
        html = response.content.decode()
        answers.append((response.status_code, "has passed" in add_form(html), id_problems(html)))
    assert answers == [(400, True, [])] * 3, answers


def test_the_team_pages_htmx_add_refused_swaps_its_part_with_200(as_user, acme):
    url, data = refusals(acme)[0]
    response = as_user("admin@acme.test").post(url, data, headers={"HX-Request": "true"})
    assert response.status_code == 200  # htmx swaps no 4xx
    html = response.content.decode()
    assert html.lstrip().startswith('<section id="team-access"')
    assert "has passed" in add_form(html)


# --- Remove sits with the editor on every page ----------------------------------------------


@pytest.mark.parametrize("path", [MEMBERS, "/orgs/acme/w/sales/manage/teams/"])
def test_manage_rows_remove_is_in_the_editor_and_destructive(as_user, demo, path):
    page = as_user("admin@acme.test").get(path).content.decode()
    assert "row-actions" not in page and ">Actions<" not in page
    editor = re.search(r'<span class="grant-actions">.*?</span>\n', page, re.S)[0]
    assert re.search(r'<a class="btn danger small" href="[^"]+/remove/">Remove<span', editor)
