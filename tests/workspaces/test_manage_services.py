"""The workspace services behind the Manage page."""

import pytest
from django.core.files.base import ContentFile

from audit.models import ActivityEntry
from orgs.errors import ServiceError
from orgs.roles import FLAGS
from tests.factories import (
    DomainFactory,
    FlowFactory,
    OrgMembershipFactory,
    WorkspaceFactory,
    WorkspaceMembershipFactory,
)
from workspaces import services
from workspaces.models import Workspace

pytestmark = pytest.mark.django_db


def test_workspace_update_changes_the_fields():
    ws = WorkspaceFactory(name="Old", slug="old")
    services.workspace_update(
        actor=None, workspace=ws, name=" New ", slug="New-Slug", description=" d "
    )
    ws = Workspace.objects.get(pk=ws.pk)
    assert (ws.name, ws.slug, ws.description) == ("New", "new-slug", "d")


@pytest.mark.parametrize(
    "name,slug,code",
    [("", "ok", "name_required"), ("Ok", "not ok", "slug_invalid"), ("Ok", "taken", "slug_taken")],
)
def test_workspace_update_refusals_change_nothing(name, slug, code):
    ws = WorkspaceFactory(name="Old", slug="old")
    WorkspaceFactory(org=ws.org, slug="taken")
    with pytest.raises(ServiceError) as refused:
        services.workspace_update(actor=None, workspace=ws, name=name, slug=slug)
    assert refused.value.code == code
    assert Workspace.objects.filter(pk=ws.pk, name="Old", slug="old").exists()


def test_workspace_update_stores_an_avatar():
    ws = WorkspaceFactory()
    services.workspace_update(
        actor=None, workspace=ws, name=ws.name, slug=ws.slug, avatar=ContentFile(b"png", "a.png")
    )
    assert Workspace.objects.get(pk=ws.pk).avatar.name.startswith("avatars/workspaces/")


def test_whitelabel_set_and_clear():
    ws = WorkspaceFactory()
    domain = DomainFactory(org=ws.org, verified=True)
    flow = FlowFactory(workspace=ws, short_code="abc")
    services.workspace_whitelabel_set(actor=None, workspace=ws, domain=domain)
    flow.workspace = Workspace.objects.get(pk=ws.pk)
    assert flow.short_link == f"https://{domain.hostname}/s/abc"
    services.workspace_whitelabel_set(actor=None, workspace=ws, domain=None)
    assert Workspace.objects.get(pk=ws.pk).whitelabel_domain is None


@pytest.mark.parametrize(
    "make,message",
    [
        (lambda ws: DomainFactory(verified=True), "own organization"),
        (lambda ws: DomainFactory(org=ws.org), "not verified yet"),
        (
            lambda ws: DomainFactory(
                org=ws.org, workspace=WorkspaceFactory(org=ws.org), verified=True
            ),
            "belongs to another workspace",
        ),
    ],
)
def test_whitelabel_set_refusals(make, message):
    ws = WorkspaceFactory()
    with pytest.raises(ServiceError, match=message):
        services.workspace_whitelabel_set(actor=None, workspace=ws, domain=make(ws))
    assert Workspace.objects.get(pk=ws.pk).whitelabel_domain is None


def test_member_add_applies_the_role_defaults():
    ws = WorkspaceFactory()
    user = OrgMembershipFactory(org=ws.org).user
    membership = services.workspace_member_add(actor=None, workspace=ws, user=user, role="editor")
    assert membership.flags == {
        "flows_manager": True,
        "brand_kits_manager": True,
        "audience_viewer": False,
    }


def test_member_add_puts_the_given_flags_on_the_role_defaults_and_logs_them_with_the_actor():
    ws = WorkspaceFactory()
    actor = OrgMembershipFactory(org=ws.org, role="admin").user
    user = OrgMembershipFactory(org=ws.org).user
    membership = services.workspace_member_add(
        actor=actor, workspace=ws, user=user, role="editor", flags={"audience_viewer": True}
    )
    assert membership.flags == dict.fromkeys(FLAGS, True)
    entry = ActivityEntry.objects.filter(entity_type="workspace_member").latest("seq")
    assert (entry.action, entry.actor_id, entry.entity_id) == ("created", actor.pk, str(user.pk))
    assert entry.changes["audience_viewer"][1] is True


def test_member_add_keeps_an_admins_flags_on_whatever_flags_say():
    ws = WorkspaceFactory()
    user = OrgMembershipFactory(org=ws.org).user
    flags = dict.fromkeys(FLAGS, False)
    membership = services.workspace_member_add(
        actor=None, workspace=ws, user=user, role="admin", flags=flags
    )
    assert membership.flags == dict.fromkeys(FLAGS, True)


def test_member_add_refuses_an_unknown_flag_and_writes_nothing():
    ws = WorkspaceFactory()
    user = OrgMembershipFactory(org=ws.org).user
    with pytest.raises(ServiceError, match="Unknown permission"):
        services.workspace_member_add(
            actor=None, workspace=ws, user=user, role="viewer", flags={"superuser": True}
        )
    assert not ws.memberships.exists()


def test_member_add_refuses_an_existing_member():
    membership = WorkspaceMembershipFactory(role="viewer")
    OrgMembershipFactory(org=membership.workspace.org, user=membership.user)
    with pytest.raises(ServiceError, match="already a member"):
        services.workspace_member_add(
            actor=None, workspace=membership.workspace, user=membership.user, role="admin"
        )
    membership.refresh_from_db()
    assert membership.role == "viewer"


def test_member_add_refuses_someone_outside_the_org():
    ws = WorkspaceFactory()
    user = OrgMembershipFactory().user  # another org
    with pytest.raises(ServiceError, match="not a member"):
        services.workspace_member_add(actor=None, workspace=ws, user=user, role="viewer")
