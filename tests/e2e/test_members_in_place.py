"""The org Members list (the article's path): an Org Admin sets a member's workspace role and
toggles the Fine-Grained Permissions in place, also in a workspace the member has no access to
yet, and can undo it."""

import pytest
from playwright.sync_api import expect

from workspaces.models import WorkspaceMembership

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_org_admin_edits_and_gives_workspace_access_from_the_members_list(demo, page, login):
    login("admin@acme.test")
    page.goto("/orgs/acme/users/")
    page.get_by_text("Edit workspace access of Vera Viewer").click()
    marketing = page.locator(".ws-access").filter(
        has=page.get_by_role("heading", name="Marketing", exact=True)
    )
    marketing.get_by_label("Audience Viewer").check()
    marketing.get_by_role("button", name="Save access for Marketing").click()
    expect(page.locator("#toasts")).to_contain_text("Saved Vera Viewer's access to Marketing.")
    assert WorkspaceMembership.objects.get(
        user__email="viewer@acme.test", workspace__slug="marketing"
    ).audience_viewer

    finder = page.get_by_role("search", name="Other workspaces for Vera Viewer")
    finder.get_by_label("Workspace name contains").fill("sal")
    finder.get_by_role("button", name="Find").click()
    sales = page.locator(".ws-access").filter(
        has=page.get_by_role("heading", name="Sales", exact=True)
    )
    sales.get_by_label("Role for Sales").select_option("editor")
    sales.get_by_role("button", name="Save access for Sales").click()
    expect(sales.get_by_label("Effective access to Sales")).to_contain_text("Editor")
    m = WorkspaceMembership.objects.get(user__email="viewer@acme.test", workspace__slug="sales")
    assert (m.role, m.flows_manager) == ("editor", True)

    page.locator("#toasts .toast").filter(has_text="access to Sales").get_by_role(
        "button", name="Undo"
    ).click()
    expect(page.locator("#toasts")).to_contain_text("Undone: Vera Viewer's access to Sales")
    assert not WorkspaceMembership.objects.filter(
        user__email="viewer@acme.test", workspace__slug="sales"
    ).exists()
