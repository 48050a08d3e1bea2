"""Invitations die with their inviter's authority: removing a member or
demoting an Org Admin revokes the pending invitations they sent (logged), and the removal page
and the profile say so before the click."""

import pytest

from audit.models import ActivityEntry
from orgs import invitations, services
from orgs.models import Invitation

pytestmark = pytest.mark.django_db


@pytest.fixture
def inviter(acme, demo):
    """editor@acme.test made an Org Admin, who then invites spare@example.test as admin."""
    editor = demo["editor@acme.test"]
    services.org_role_set(actor=demo["admin@acme.test"], org=acme, user=editor, role="admin")
    invitations.invitation_create(
        actor=editor, org=acme, email="spare@example.test", role="admin", send=False
    )
    return editor


def status():
    return Invitation.objects.get(email="spare@example.test").status


def test_demoting_the_inviter_revokes_their_invitations(client, demo, acme, inviter):
    client.force_login(demo["admin@acme.test"])
    page = client.get(f"/orgs/acme/users/{inviter.pk}/")
    assert "spare@example.test" in page.content.decode()
    confirmation = client.post(f"/orgs/acme/users/{inviter.pk}/role/", {"role": "user"})
    assert "spare@example.test" in confirmation.content.decode()  # the confirmation lists it
    assert status() == "pending"
    client.post(f"/orgs/acme/users/{inviter.pk}/role/", {"role": "user", "confirmed": "1"})
    assert status() == "revoked"
    entry = ActivityEntry.objects.filter(entity_type="invitation").order_by("-pk").first()
    assert (entry.action, entry.actor_email) == ("updated", "admin@acme.test")
    assert entry.changes["status"] == ["pending", "revoked"]


def test_removing_the_inviter_revokes_their_invitations(client, demo, acme, inviter):
    client.force_login(demo["admin@acme.test"])
    page = client.get(f"/orgs/acme/users/{inviter.pk}/remove/")
    assert "spare@example.test" in page.content.decode()
    client.post(f"/orgs/acme/users/{inviter.pk}/remove/")
    assert status() == "revoked"


def test_a_revoked_invitation_cannot_make_an_admin(client, acme, inviter):
    services.member_remove(actor=None, org=acme, user=inviter)
    invitation = Invitation.objects.get(email="spare@example.test")
    assert invitations.problem_with(invitation).problem == "revoked"


def test_other_admins_invitations_stay(acme, demo, inviter):
    invitations.invitation_create(
        actor=demo["admin@acme.test"], org=acme, email="keep@example.test", send=False
    )
    services.org_role_set(actor=None, org=acme, user=inviter, role="user")
    assert Invitation.objects.get(email="keep@example.test").status == "pending"
