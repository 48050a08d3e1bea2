"""/admin/'s invitation add page in the browser: a workspace role row's workspace is found
with the admin's search widget (select2, as on the workspace membership page) and the
invitation is created with it."""

import pytest
from playwright.sync_api import expect

from orgs.models import Invitation
from workspaces.models import Workspace

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_operator_invites_with_a_workspace_role_found_by_search(demo, page, login):
    login("ops@flowadmin.test")
    page.goto("/admin/orgs/invitation/add/")
    page.locator("#id_org").locator("..").locator(".select2-selection").click()
    page.locator(".select2-search__field").fill("Acme")
    page.locator(".select2-results__option", has_text="Acme").first.click()
    page.get_by_label("Email").fill("rows@example.test")
    row = page.locator("#id_workspace_roles-0-workspace").locator("..")
    row.locator(".select2-selection").click()
    page.locator(".select2-search__field").fill("Mark")
    page.locator(".select2-results__option", has_text="Marketing").click()
    page.get_by_label("Role (row 1)").select_option("editor")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_text("was added successfully")).to_be_visible()
    marketing = Workspace.objects.get(org__slug="acme", slug="marketing")
    invitation = Invitation.objects.get(email="rows@example.test")
    assert invitation.workspace_roles == [{"workspace": marketing.pk, "role": "editor"}]
