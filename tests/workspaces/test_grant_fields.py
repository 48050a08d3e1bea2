"""The one grant editor (workspaces.forms.grants.grant_editor, HTML formatted in Python from
GrantFields, without a form or a template per row; the profile, the team page, Manage → Members
and Teams) gives the controls GrantForm's widgets give: the same names, ids, values, states and
error markup, so the saves the form reads and the labels that point at the controls cannot drift
apart; and the markup of the same editor written as a template (ORACLE), labels, legend, notes
and aria attributes included."""

import datetime
import re
from pathlib import Path

import pytest
from django.template import engines
from django.test.html import parse_html
from django.urls import reverse
from django.utils import timezone

from flowadmin.params import MAX_ID, url_per_id
from orgs import expiry
from orgs.roles import FLAGS, WorkspaceRole
from workspaces.forms.grants import (
    _ROLE_OPTIONS,
    GrantForm,
    grant_editor,
    grant_fields,
    grant_prefix,
    role_options,
)
from workspaces.models import TeamAccess, WorkspaceMembership

END = timezone.make_aware(datetime.datetime(2031, 3, 5, 12, 0))
GRANTS = {
    "viewer": WorkspaceMembership(pk=7, workspace_id=2, user_id=7, role="viewer"),
    "viewer with audience, ending": WorkspaceMembership(
        pk=8, workspace_id=2, user_id=8, role="viewer", audience_viewer=True, until=END
    ),
    "editor": WorkspaceMembership(
        pk=9, workspace_id=2, user_id=9, role="editor", flows_manager=True
    ),
    "admin (flags locked on)": WorkspaceMembership(
        pk=10,
        workspace_id=2,
        user_id=10,
        role="admin",
        flows_manager=True,
        brand_kits_manager=True,
        audience_viewer=True,
    ),
    "team access": TeamAccess(
        pk=11, workspace_id=2, team_id=11, role="editor", brand_kits_manager=True, until=END
    ),
}


def controls(html: str) -> dict[str, str]:
    """name → the control's markup (<select>…</select> or <input …>) in a rendered editor."""
    found = {m[1]: m[0] for m in re.finditer(r'<select name="(\w+)".*?</select>', html, re.S)}
    found |= {m[1]: m[0] for m in re.finditer(r'<input type="\w+" name="(\w+)"[^>]*>', html)}
    return found


# The editor as a template (what grant_editor replaced): the test's oracle, not used by pages.
ORACLE = Path(__file__).with_name("grant_editor_oracle.html").read_text()
WHO = "Kim <Smith> & Co"  # escaped in every label


def render(fields, remove_url="") -> str:
    html = grant_editor(fields, WHO, csrf_token="tok3n", remove_url=remove_url)
    oracle = engines["django"].from_string(ORACLE)
    context = {"fields": fields, "who": WHO, "csrf_token": "tok3n", "remove_url": remove_url}
    assert parse_html(html) == parse_html(oracle.render(context))
    return html


def assert_same_controls(html: str, form: GrantForm):
    """The editor's controls are the form's; without a grant (the profile's "No access") it
    shows no permission checkboxes: the form's are disabled, so none would be posted."""
    names = ("role", *FLAGS, "until") if form.grant is not None else ("role", "until")
    shown = controls(html)
    assert set(shown) == {*names, "csrfmiddlewaretoken"}
    for name in names:
        assert parse_html(shown[name]) == parse_html(str(form[name])), name
    label_targets = set(re.findall(r'<label[^>]* for="([^"]+)"', html))
    assert label_targets == {form[name].auto_id for name in names}


@pytest.mark.parametrize("grant", GRANTS.values(), ids=GRANTS.keys())
def test_a_rows_editor_has_the_controls_of_the_grant_form(grant):
    html = render(grant_fields(grant))
    assert_same_controls(html, GrantForm(grant=grant))
    locked = grant.role == "admin"
    assert ("Workspace Admins always have every permission." in html) is locked


def test_ids_name_the_workspace_and_the_member_or_team():
    member = WorkspaceMembership(pk=7, workspace_id=3, user_id=5, role="viewer")
    team = TeamAccess(pk=7, workspace_id=3, team_id=5, role="viewer")
    assert grant_fields(member)["role_id"] == "grant-3-user-5-role"
    assert grant_fields(team)["role_id"] == "grant-3-team-5-role"
    assert GrantForm(grant=member)["role"].auto_id == "grant-3-user-5-role"
    assert grant_prefix(3, user_id=5) != grant_prefix(3, team_id=5)


PROFILE_ROWS = {
    "no direct grant yet": None,
    "a direct editor": GRANTS["editor"],
    "a direct admin": GRANTS["admin (flags locked on)"],
}


@pytest.mark.parametrize("grant", PROFILE_ROWS.values(), ids=PROFILE_ROWS.keys())
def test_the_profiles_editor_offers_no_access_first(grant):
    prefix = grant_prefix(3, user_id=5)
    html = render(grant_fields(grant, prefix=prefix, removable=True))
    form = GrantForm(grant=grant, removable=True, auto_id=f"{prefix}%s")
    assert_same_controls(html, form)
    assert '<option value="">No access</option>' in html.replace(" selected", "")
    assert ("Give a direct role to set permissions here." in html) is (grant is None)


def test_a_remove_link_names_what_it_removes():
    html = render(grant_fields(GRANTS["team access"]), remove_url="/remove?a=1&b=2")
    assert '<a class="btn danger small" href="/remove?a=1&amp;b=2">' in html  # destructive
    assert 'Remove<span class="visually-hidden"> access for Kim &lt;Smith&gt; &amp; Co' in html


def test_the_end_day_shown_is_the_last_day_the_grant_counts():
    fields = grant_fields(GRANTS["viewer with audience, ending"])
    assert fields["until"] == expiry.last_day(END).isoformat()


FAILED = {
    "unknown role and a bad day": {"role": "owner", "until": "31/02", "flows_manager": "on"},
    "an undo of an admin's flags": {"role": "editor", "restore": "on", "audience_viewer": "on"},
}


@pytest.mark.parametrize("data", FAILED.values(), ids=FAILED.keys())
def test_a_failed_save_shows_what_was_sent_with_the_forms_errors(data):
    form = GrantForm(data, grant=GRANTS["admin (flags locked on)"])
    form.is_valid()
    if data.get("restore"):
        form.add_error(None, "Another admin changed this meanwhile.")
    html = render(form.fields_shown())
    assert_same_controls(html, form)
    for name in ("role", "until"):
        if form[name].errors:
            assert parse_html(str(form[name].errors)) in parse_html(html)
    for error in form.non_field_errors():
        assert error in html
    # every error is tied to what it is about: a field's to its control, the form's to Save
    described = set(re.findall(r'aria-describedby="([^"]+)"', html))
    error_ids = set(re.findall(r'class="errorlist[^"]*"[^>]* id="([^"]+)"', html))
    error_ids |= set(re.findall(r'<ul class="errorlist" id="([^"]+)"', html))
    assert described == error_ids and described


def test_url_per_id_gives_the_urls_reverse_gives():
    url = url_per_id("workspaces:manage_member_remove", "acme", "marketing")
    for pk in (1, 42, MAX_ID):
        assert url(pk) == reverse("workspaces:manage_member_remove", args=["acme", "marketing", pk])


def test_url_per_id_splits_at_the_id_even_when_a_slug_holds_the_same_digits():
    slug = str(MAX_ID)
    url = url_per_id("workspaces:manage_member_update", slug, slug)
    assert url(5) == reverse("workspaces:manage_member_update", args=[slug, slug, 5])


def test_posted_values_that_are_no_role_select_none_and_are_not_cached():
    for removable in (False, True):
        before = role_options("no-such-role", removable=removable)
        for n in range(50):
            assert role_options(f"no-such-role-{n}", removable=removable) == before
        assert "selected" not in before
    assert {role for role, _removable in _ROLE_OPTIONS} <= {*WorkspaceRole.values, "", None}
