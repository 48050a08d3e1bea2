"""The one grant editor (workspaces.forms.grants.grant_editor) as a person meets it on each page
that edits a workspace grant — a member's profile, a team's page, Manage → Members and Manage →
Teams: the same names for the role, the permissions group, the end and Save, ids of one
pattern, and the keyboard never saving by itself (an arrow key on the role only lights Save).
The add forms of those pages (give a team access, add a member) are the same editor with what
the grant is for in front and an Add button. With SCREENSHOTS_DIR set, the pages are saved at
390 and 1280 px (grant-editor-<page>-<width>.png)."""

import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from orgs.models import Team
from orgs.roles import FLAG_LABELS, FLAGS
from tests.e2e.axe import no_axe_violations
from tests.factories import TeamFactory
from workspaces.models import TeamAccess, Workspace, WorkspaceMembership

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def editors(demo):
    """(page, the element holding one grant's editor, whom its labels name) per page."""
    editor = demo["editor@acme.test"]
    marketing = Workspace.objects.get(org__slug="acme", slug="marketing")
    sales = Workspace.objects.get(org__slug="acme", slug="sales")
    team = Team.objects.get(org__slug="acme", name="Field Sales")
    access = TeamAccess.objects.get(team=team, workspace=sales)
    return [
        (f"/orgs/acme/users/{editor.pk}/", f"#ws-row-{editor.pk}-{marketing.pk}", "Marketing"),
        (f"/orgs/acme/teams/{team.pk}/", f"#access-{sales.pk}", "Sales"),
        ("/orgs/acme/w/marketing/manage/members/", f"#member-{editor.pk}", "Eddie Editor"),
        ("/orgs/acme/w/sales/manage/teams/", f"#team-{access.pk}", "Field Sales"),
    ]


def test_every_page_edits_a_grant_with_the_same_editor(demo, page, login):
    login("admin@acme.test")
    saved = WorkspaceMembership.objects.get(user=demo["editor@acme.test"]).role
    for path, holder, who in editors(demo):
        page.goto(path)
        row = page.locator(holder)
        role = row.get_by_role("combobox", name=f"Role for {who}", exact=True)
        expect(role).to_have_value("editor")
        assert re.fullmatch(r"grant-\d+-(user|team)-\d+-role", role.get_attribute("id")), path
        permissions = row.get_by_role("group", name=f"Permissions for {who}", exact=True)
        expect(permissions.get_by_role("checkbox")).to_have_count(len(FLAGS))
        expect(
            row.get_by_label(f"Until (access for {who} ends after this day; empty: no end)")
        ).to_be_visible()
        save = row.get_by_role("button", name=f"Save access for {who}", exact=True)
        expect(save).to_be_disabled()

        role.focus()
        page.keyboard.press("ArrowDown")  # Editor → Admin: a change to save, not a save
        expect(role).to_have_value("admin")
        expect(save).to_be_enabled()
        page.keyboard.press("ArrowUp")
        expect(save).to_be_disabled()
    assert WorkspaceMembership.objects.get(user=demo["editor@acme.test"]).role == saved
    assert TeamAccess.objects.get(team__name="Field Sales").role == "editor"


def test_a_refused_save_is_said_in_the_row_and_tied_to_save(demo, page, login):
    """The team page's row shows the grant service's refusal (an access whose end has passed
    is renewed only with a new end) where Save's description points."""
    login("admin@acme.test")
    team = Team.objects.get(org__slug="acme", name="Field Sales")
    access = TeamAccess.objects.get(team=team)
    TeamAccess.objects.filter(pk=access.pk).update(until="2020-01-01T00:00:00Z")
    page.goto(f"/orgs/acme/teams/{team.pk}/")
    row = page.locator(f"#access-{access.workspace_id}")
    row.get_by_role("combobox", name="Role for Sales").select_option("admin")
    row.get_by_role("button", name="Save access for Sales").click()
    alert = row.get_by_role("alert")
    expect(alert).to_contain_text("ended on")
    save = row.get_by_role("button", name="Save access for Sales")
    expect(save).to_have_accessible_description(re.compile("ended on"))
    assert TeamAccess.objects.get(pk=access.pk).role == "editor"


SCREENSHOTS_DIR = os.environ.get("SCREENSHOTS_DIR")


def shoot(page, name):
    """Full-page screenshots at phone and desktop width (SCREENSHOTS_DIR set), then back to
    the desktop width."""
    if not SCREENSHOTS_DIR:
        return
    Path(SCREENSHOTS_DIR).mkdir(parents=True, exist_ok=True)
    for width in (390, 1280):
        page.set_viewport_size({"width": width, "height": 860})
        page.screenshot(path=f"{SCREENSHOTS_DIR}/grant-editor-{name}-{width}.png", full_page=True)


def add_forms(demo):
    """(page, whom the add form's labels name, what it adds — (label, option), or None where
    the row is the person —, what the page says once added) per page."""
    team = Team.objects.get(org__slug="acme", name="Field Sales")
    outsider = demo["outsider@acme.test"]
    return [
        (
            f"/orgs/acme/teams/{team.pk}/",
            "the chosen workspace",
            ("Workspace", "Events"),
            "Field Sales now has access to Events.",
        ),
        (
            "/orgs/acme/w/sales/manage/teams/",
            "the chosen team",
            ("Team", "Night Shift"),
            "Night Shift now has Editor access to Sales.",
        ),
        (
            "/orgs/acme/w/marketing/manage/members/add/?q=outsider",
            outsider.display_name,
            None,
            f"Added {outsider.display_name} to Marketing as Editor.",
        ),
    ]


def test_every_add_form_is_the_editor_with_what_it_adds_in_front(demo, page, login):
    """Each add form: its target first, then the editor's role, permissions (orgs.roles'
    labels) and end with the ids of the rows' pattern; a day that has passed is refused at the
    Until field (an alert it is described by) with the choices kept; then the add is made
    and the page shows the new grant."""
    TeamFactory(org=Team.objects.get(name="Field Sales").org, name="Night Shift")
    login("admin@acme.test")
    for n, (path, who, target, done) in enumerate(add_forms(demo)):
        page.goto(path)
        form = page.locator("form.grant-add")
        expect(form).to_have_count(1)
        if target:
            label, option = target
            form.get_by_label(label, exact=True).select_option(label=option)
        role = form.get_by_role("combobox", name=f"Role for {who}", exact=True)
        expect(role).to_have_value("viewer")
        assert re.fullmatch(r"grant-(\d+|new)-(user|team)-(\d+|new)-role", role.get_attribute("id"))
        permissions = form.get_by_role("group", name=f"Permissions for {who}", exact=True)
        # what the role brings besides the boxes ticked
        expect(permissions).to_have_accessible_description(
            re.compile(r"Editor: Flows Manager, Brand Kits Manager; Admin: every permission")
        )
        for flag in FLAGS:
            box = permissions.get_by_role("checkbox", name=FLAG_LABELS[flag], exact=True)
            expect(box).to_be_enabled()
            expect(box).to_have_id(role.get_attribute("id").removesuffix("role") + flag)
        until = form.get_by_label(f"Until (access for {who} ends after this day; empty: no end)")
        add = form.get_by_role("button", name=f"Add access for {who}", exact=True)
        expect(add).to_be_enabled()
        shoot(page, f"add-{n}")

        role.select_option("editor")
        permissions.get_by_role("checkbox", name=FLAG_LABELS["audience_viewer"]).check()
        until.fill("2020-01-01")
        add.click()
        form = page.locator("form.grant-add")
        until = form.get_by_label(f"Until (access for {who} ends after this day; empty: no end)")
        expect(until).to_have_accessible_description(re.compile("has passed"))
        expect(form.get_by_role("alert")).to_contain_text("has passed")
        expect(form.get_by_role("combobox", name=f"Role for {who}")).to_have_value("editor")
        expect(
            form.get_by_role("checkbox", name=FLAG_LABELS["audience_viewer"], exact=True)
        ).to_be_checked()
        if target:
            expect(form.get_by_label(target[0], exact=True)).to_have_value(re.compile(r"\d+"))
        shoot(page, f"add-{n}-refused")

        until.fill("")
        form.get_by_role("button", name=f"Add access for {who}", exact=True).click()
        expect(page.get_by_text(done)).to_be_visible()
    assert TeamAccess.objects.get(team__name="Field Sales", workspace__slug="events").flags == {
        "flows_manager": True,
        "brand_kits_manager": True,
        "audience_viewer": True,
    }
    assert TeamAccess.objects.get(team__name="Night Shift").role == "editor"
    added = WorkspaceMembership.objects.get(user=demo["outsider@acme.test"])
    assert (added.role, added.audience_viewer) == ("editor", True)


def test_manage_rows_remove_sits_with_the_editor_and_asks_first(demo, page, login):
    login("admin@acme.test")
    editor = demo["editor@acme.test"]
    for path, holder, who in editors(demo)[2:]:
        page.goto(path)
        shoot(page, path.rstrip("/").rsplit("/", 1)[-1])
        row = page.locator(holder)
        remove = row.locator(".grant-actions").get_by_role(
            "link", name=f"Remove access for {who}", exact=True
        )
        expect(remove).to_have_class(re.compile(r"\bdanger\b"))
        remove.click()
        expect(page.get_by_role("heading", name=re.compile(r"^Remove .*\?$"))).to_be_visible()
        page.go_back()
    assert WorkspaceMembership.objects.filter(user=editor).exists()
    assert TeamAccess.objects.filter(team__name="Field Sales").exists()


# Whether a label is on screen: .visually-hidden's element is 1 px and clipped, its text keeps
# its full box (Playwright counts both visible), so a label is shown when the browser hits it at
# the centre of its own box; and the text it shows (a data-label drawn ::before, else its own).
SHOWN = """el => {
  el.scrollIntoView({block: "center"});
  const box = el.getBoundingClientRect();
  const hit = document.elementFromPoint(box.left + box.width / 2, box.top + box.height / 2);
  const painted = box.width > 1 && box.height > 1 && el.contains(hit);
  const before = getComputedStyle(el, "::before").content.match(/^"([^"]*)"/);
  return painted ? (before ? before[1] : el.textContent.trim()) : "";
}"""


def shown_labels(holder):
    """word → the element showing it, for the editor in `holder`: its role select's label,
    its permissions' legend and (the part of its end day's label that is not visually
    hidden) "Until"."""
    role_id = holder.get_by_role("combobox", name=re.compile("^Role for ")).get_attribute("id")
    until_id = role_id.removesuffix("role") + "until"
    return {
        "Role": holder.locator(f'label[for="{role_id}"]'),
        "Permissions": holder.locator("fieldset.flags > legend"),
        "Until": holder.locator(f'label[for="{until_id}"] > .small'),
    }


def assert_shown(label, word, where):
    expect(label).to_have_count(1)
    assert label.evaluate(SHOWN).startswith(word), f"{word} not shown on {where}"


def test_at_phone_width_every_editor_shows_its_role_permissions_and_until_labels(
    demo, as_admin, screenshot
):
    """At 390 px Manage's tables stack as cards and their column headers go; the editor's
    role select, permissions and end day each show their own label there (WCAG 3.3.2), as on
    the pages with no header at all (the profile, a team's page, the add forms). At 1280 px the
    tables' header ("Role and permissions") labels the column, and the role and permissions
    labels stay visually hidden: the table looks as before. axe-core clean at both widths."""
    page = as_admin
    team = Team.objects.get(org__slug="acme", name="Field Sales")
    TeamFactory(org=team.org, name="Night Shift")  # a team Sales can give access to
    holders = [(path, holder) for path, holder, _who in editors(demo)] + [
        (path, "form.grant-add")
        for path in (
            f"/orgs/acme/teams/{team.pk}/",
            "/orgs/acme/w/sales/manage/teams/",
            "/orgs/acme/w/marketing/manage/members/add/?q=outsider",
        )
    ]
    for n, (path, holder) in enumerate(holders):
        page.set_viewport_size({"width": 390, "height": 860})
        page.goto(path)
        for word, label in shown_labels(page.locator(holder)).items():
            assert_shown(label, word, f"{path} at 390 px")
        screenshot(f"grant-editor-labels-{n}-390")
        no_axe_violations(page)

        page.set_viewport_size({"width": 1280, "height": 860})
        in_table = page.locator(f"table.access-table {holder}").count() > 0
        for word, label in shown_labels(page.locator(holder)).items():
            if in_table and word != "Until":
                assert label.evaluate(SHOWN) == "", f"{word} shown beside the header on {path}"
            else:
                assert_shown(label, word, f"{path} at 1280 px")
        screenshot(f"grant-editor-labels-{n}-1280")
        no_axe_violations(page)


def test_at_phone_width_a_read_only_access_cell_says_what_it_shows(demo, as_admin, screenshot):
    """Manage → Members shows access that only the org role or a team gives read-only (a badge
    and the permissions, no editor); at 390 px, where the column header is hidden, that cell
    shows its own label, as the editor does for its parts."""
    page = as_admin
    page.set_viewport_size({"width": 390, "height": 860})
    page.goto("/orgs/acme/w/marketing/manage/members/")
    cell = page.locator(f"#member-{demo['admin@acme.test'].pk} > td").nth(1)
    expect(cell.locator(".badge")).to_have_text("Admin")
    assert cell.evaluate(SHOWN).startswith("Role and permissions"), "no label at 390 px"
    screenshot("manage-members-read-only-390")
