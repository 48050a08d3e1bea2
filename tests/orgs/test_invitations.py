"""Invitations end to end: services (create, resend, revoke, expire, accept), the console
pages, the public accept page in each state, the commands and the demo data."""

import hashlib
import time
from datetime import timedelta
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.utils import timezone

from audit.models import ActivityEntry
from orgs import invitations
from orgs.errors import ServiceError
from orgs.models import Invitation, InvitationDelivery, OrgMembership, User
from orgs.tasks import retry_delay, send_invitation_email
from tests.concurrency import run_at_once
from tests.factories import (
    InvitationFactory,
    OrganizationFactory,
    OrgMembershipFactory,
    UserFactory,
    WorkspaceFactory,
)
from workspaces.models import WorkspaceMembership

pytestmark = pytest.mark.django_db
# Invitation emails are queued when the service's transaction commits: tests of what is sent
# commit for real.
emails = pytest.mark.django_db(transaction=True)

PASSWORD = "Str0ng-enough-passphrase"


def text(response):
    return response.content.decode().replace("&#x27;", "'").replace("&quot;", '"')


def state():
    return (
        list(
            Invitation.objects.order_by("pk").values_list(
                "pk", "status", "token_hash", "expires_at", "accepted_by"
            )
        ),
        list(OrgMembership.objects.order_by("pk").values_list("pk", "user_id", "role")),
        list(WorkspaceMembership.objects.order_by("pk").values_list("pk", "user_id", "role")),
        User.objects.count(),
    )


@pytest.fixture
def org():
    org = OrganizationFactory(name="Initech", slug="initech")
    OrgMembershipFactory(org=org, admin=True, user__email="boss@initech.test")
    return org


@pytest.fixture
def admin(org):
    return User.objects.get(email="boss@initech.test")


def invite(org, email="new@person.test", **kwargs):
    kwargs.setdefault("actor", None)
    return invitations.invitation_create(org=org, email=email, **kwargs)


def token_of(url):
    return url.rstrip("/").rsplit("/", 1)[1]


# --- create ---------------------------------------------------------------------------------


def test_create_stores_only_a_hash_of_a_random_token(org):
    issued = invite(org)
    assert len(issued.token) >= 40
    assert issued.invitation.token_hash == hashlib.sha256(issued.token.encode()).hexdigest()
    stored = Invitation.objects.filter(pk=issued.invitation.pk).values().get()
    assert issued.token not in str(stored)


@emails
def test_create_emails_the_accept_link(org, admin, mailoutbox):
    issued = invite(org, actor=admin, base_url="https://console.example.com/")
    assert issued.url == f"https://console.example.com/invitations/{issued.token}/"
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == ["new@person.test"]
    assert "Initech" in mailoutbox[0].subject
    assert issued.url in mailoutbox[0].body
    assert "boss@initech.test" in mailoutbox[0].body
    issued.invitation.refresh_from_db()
    assert issued.invitation.sent_at is not None
    assert issued.invitation.invited_by == admin


def test_create_without_request_uses_the_site_url_setting(org, settings):
    settings.SITE_URL = "https://admin.flowadmin.example/"
    issued = invite(org)
    assert issued.url.startswith("https://admin.flowadmin.example/invitations/")


def test_create_expires_after_the_configured_days(org, settings):
    settings.INVITATION_TTL_DAYS = 3
    issued = invite(org)
    lifetime = issued.invitation.expires_at - issued.invitation.created_at
    assert lifetime == timedelta(days=3)


def test_create_normalises_the_email(org):
    assert invite(org, email="  New@Person.TEST ").invitation.email == "new@person.test"


def test_create_keeps_workspace_roles(org):
    ws = WorkspaceFactory(org=org)
    issued = invite(org, role="admin", workspace_roles=[(ws, "editor")])
    assert issued.invitation.role == "admin"
    assert issued.invitation.workspace_roles == [{"workspace": ws.pk, "role": "editor"}]


@emails
def test_inviting_a_member_is_refused_clearly(org, mailoutbox):
    with pytest.raises(ServiceError, match="boss@initech.test is already a member of Initech"):
        invite(org, email="Boss@Initech.test")
    assert not Invitation.objects.exists()
    assert mailoutbox == []


@emails
def test_inviting_twice_is_refused_clearly(org, mailoutbox):
    invite(org)
    with pytest.raises(ServiceError, match="already has a pending invitation"):
        invite(org, email="NEW@person.test")
    assert Invitation.objects.count() == 1
    assert len(mailoutbox) == 1


def test_inviting_again_after_the_old_one_ran_out_replaces_it(org):
    old = invite(org).invitation
    Invitation.objects.filter(pk=old.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    new = invite(org).invitation
    old.refresh_from_db()
    assert old.status == "expired"
    assert new.status == "pending"


def test_the_same_email_can_be_invited_to_two_orgs(org):
    invite(org)
    invite(OrganizationFactory())
    assert Invitation.objects.filter(status="pending").count() == 2


@pytest.mark.parametrize(
    "kwargs,message",
    [
        ({"email": "not-an-email"}, "not a valid email address"),
        ({"email": ""}, "Enter an email address"),
        ({"role": "owner"}, "Unknown org role"),
    ],
)
@emails
def test_invalid_invitations_are_refused(org, mailoutbox, kwargs, message):
    with pytest.raises(ServiceError, match=message):
        invite(org, **kwargs)
    assert not Invitation.objects.exists()
    assert mailoutbox == []


def test_workspace_roles_must_be_of_the_org_and_valid(org):
    with pytest.raises(ServiceError, match="is not a workspace of Initech"):
        invite(org, workspace_roles=[(WorkspaceFactory(), "viewer")])
    ws = WorkspaceFactory(org=org)
    with pytest.raises(ServiceError, match="Unknown workspace role"):
        invite(org, workspace_roles=[(ws, "owner")])
    with pytest.raises(ServiceError, match="listed twice"):
        invite(org, workspace_roles=[(ws, "viewer"), (ws, "editor")])
    assert not Invitation.objects.exists()


def refuse_smtp(monkeypatch):
    def refuse(*args, **kwargs):
        raise ConnectionRefusedError("SMTP server down")

    monkeypatch.setattr(invitations, "send_mail", refuse)


@emails
def test_a_failing_email_keeps_the_invitation_as_not_delivered(org, monkeypatch, mailoutbox):
    refuse_smtp(monkeypatch)
    issued = invite(org)
    issued.invitation.refresh_from_db()
    assert issued.invitation.delivery == InvitationDelivery.FAILED
    assert issued.invitation.delivery_error == "SMTP server down"
    assert issued.invitation.sent_at is None
    monkeypatch.undo()
    again = invitations.invitation_resend(actor=None, invitation=issued.invitation)
    again.invitation.refresh_from_db()
    assert again.invitation.delivery == InvitationDelivery.SENT
    assert [m.to for m in mailoutbox] == [["new@person.test"]]


@emails
def test_the_email_task_sends_once_per_token(org, mailoutbox):
    issued = invite(org, send=False)
    invitation = issued.invitation
    args = (invitation.pk, invitation.token_hash, "Subject", "Body")
    Invitation.objects.filter(pk=invitation.pk).update(delivery=InvitationDelivery.QUEUED)
    send_invitation_email.delay(*args)
    send_invitation_email.delay(*args)  # delivered twice by the broker
    assert len(mailoutbox) == 1
    resent = invitations.invitation_resend(actor=None, invitation=invitation)
    send_invitation_email.delay(*args)  # the old token's task, late: superseded
    assert len(mailoutbox) == 2
    assert resent.url in mailoutbox[1].body


@emails
def test_the_email_task_does_not_send_for_a_revoked_invitation(org, mailoutbox):
    issued = invite(org, send=False)
    invitation = invitations.invitation_revoke(actor=None, invitation=issued.invitation)
    send_invitation_email.delay(invitation.pk, invitation.token_hash, "Subject", "Body")
    assert mailoutbox == []


def test_retry_delays_grow_and_are_capped(settings):
    settings.INVITATION_EMAIL_RETRY_SECONDS = 30
    assert [retry_delay(n) for n in range(8)] == [30, 60, 120, 240, 480, 960, 1800, 1800]


@emails
def test_the_list_shows_an_undelivered_invitation_with_resend(client, admin, org, monkeypatch):
    refuse_smtp(monkeypatch)
    invite(org, email="lost@person.test")
    client.force_login(admin)
    html = text(client.get("/orgs/initech/invitations/"))
    assert 'not delivered</span> <span class="small">— resend' in html
    assert "SMTP server down" in html
    assert 'aria-label="Resend the invitation to lost@person.test"' in html


# --- resend, revoke, expire -----------------------------------------------------------------


@emails
def test_resend_issues_a_fresh_token_and_expiry(org, mailoutbox):
    first = invite(org)
    Invitation.objects.filter(pk=first.invitation.pk).update(
        expires_at=timezone.now() + timedelta(hours=1)
    )
    second = invitations.invitation_resend(actor=None, invitation=first.invitation)
    assert second.token != first.token
    assert invitations.find(first.token) is None
    assert invitations.find(second.token).pk == first.invitation.pk
    assert second.invitation.expires_at > timezone.now() + timedelta(days=6)
    assert len(mailoutbox) == 2
    assert second.url in mailoutbox[1].body


def test_resend_revives_an_expired_invitation(org):
    issued = invite(org)
    Invitation.objects.filter(pk=issued.invitation.pk).update(status="expired")
    again = invitations.invitation_resend(actor=None, invitation=issued.invitation)
    assert again.invitation.status == "pending"


@emails
@pytest.mark.parametrize("status", ["accepted", "revoked"])
def test_resend_of_a_used_or_revoked_invitation_is_refused(org, mailoutbox, status):
    issued = invite(org, send=False)
    Invitation.objects.filter(pk=issued.invitation.pk).update(status=status)
    before = state()
    with pytest.raises(ServiceError, match="can't be sent again"):
        invitations.invitation_resend(actor=None, invitation=issued.invitation)
    assert state() == before
    assert mailoutbox == []


def test_resend_to_someone_who_joined_meanwhile_is_refused(org):
    issued = invite(org, send=False)
    OrgMembershipFactory(org=org, user__email="new@person.test")
    with pytest.raises(ServiceError, match="already a member"):
        invitations.invitation_resend(actor=None, invitation=issued.invitation)


def test_resend_of_an_expired_one_while_another_is_pending_is_refused(org):
    old = invite(org, send=False).invitation
    Invitation.objects.filter(pk=old.pk).update(status="expired")
    invite(org, send=False)
    with pytest.raises(ServiceError, match="already has a pending invitation"):
        invitations.invitation_resend(actor=None, invitation=old)


def _end_membership(invitation, status="pending"):
    """Make the org membership `invitation` offers end one minute ago (the service refuses a
    past end at creation, so the clock is what moved)."""
    Invitation.objects.filter(pk=invitation.pk).update(
        until=timezone.now() - timedelta(minutes=1), status=status
    )


def _activity_count():
    return ActivityEntry.objects.count()


@emails
@pytest.mark.parametrize("status", ["pending", "expired"])
def test_resend_of_an_invitation_whose_membership_ended_is_refused(org, mailoutbox, status):
    """A new link would only answer 410 ("the access … offered ended"): refused, nothing
    changed, sent or logged."""
    issued = invite(org, until=timezone.now() + timedelta(days=1), send=False)
    _end_membership(issued.invitation, status)
    before, logged = state(), _activity_count()
    with pytest.raises(ServiceError, match="the membership it offers ended on") as refused:
        invitations.invitation_resend(actor=None, invitation=issued.invitation)
    assert refused.value.code == "membership_ended"
    assert "Invite new@person.test again with a new end date" in refused.value.text
    assert state() == before
    assert _activity_count() == logged
    assert mailoutbox == []


def test_resend_of_an_invitation_whose_membership_has_not_ended_goes_out(org):
    issued = invite(org, until=timezone.now() + timedelta(minutes=5), send=False)
    again = invitations.invitation_resend(actor=None, invitation=issued.invitation, send=False)
    assert again.invitation.token_hash != issued.invitation.token_hash


def test_revoke(org):
    issued = invite(org, send=False)
    invitations.invitation_revoke(actor=None, invitation=issued.invitation)
    assert Invitation.objects.get().status == "revoked"


def test_revoking_twice_is_refused(org):
    issued = invite(org, send=False)
    invitations.invitation_revoke(actor=None, invitation=issued.invitation)
    with pytest.raises(ServiceError, match="already revoked"):
        invitations.invitation_revoke(actor=None, invitation=issued.invitation)


def test_expire_marks_only_overdue_pending_invitations(org):
    overdue = InvitationFactory(org=org, expires_at=timezone.now() - timedelta(seconds=1))
    fresh = InvitationFactory(org=org)
    revoked = InvitationFactory(
        org=org, status="revoked", expires_at=timezone.now() - timedelta(days=1)
    )
    assert invitations.invitations_expire(actor=None) == 1
    statuses = dict(Invitation.objects.values_list("pk", "status"))
    assert statuses == {overdue.pk: "expired", fresh.pk: "pending", revoked.pk: "revoked"}


def test_expire_marks_invitations_whose_offered_membership_ended(org):
    """The link of such an invitation already answers 410: it stops being pending too, with
    the one that ends later left alone."""
    now = timezone.now()
    ended = InvitationFactory(org=org, until=now - timedelta(seconds=1))
    ending_now = InvitationFactory(org=org, until=now)
    later = InvitationFactory(org=org, until=now + timedelta(seconds=1))
    assert invitations.invitations_expire(actor=None, now=now) == 2
    statuses = dict(Invitation.objects.values_list("pk", "status"))
    assert statuses == {ended.pk: "expired", ending_now.pk: "expired", later.pk: "pending"}
    assert invitations.invitations_expire(actor=None, now=now) == 0


def test_the_expiry_task_logs_an_ended_membership_invitation_as_the_scheduler(org):
    from orgs.tasks import expire_invitations

    issued = invite(org, until=timezone.now() + timedelta(days=1), send=False)
    _end_membership(issued.invitation)
    assert expire_invitations.delay().get() == 1
    assert Invitation.objects.get(pk=issued.invitation.pk).status == "expired"
    entry = ActivityEntry.objects.filter(entity_type="invitation").latest("seq")
    assert (entry.action, entry.actor_email) == ("updated", "scheduler")
    assert entry.changes["status"] == ["pending", "expired"]


def test_inviting_again_replaces_a_pending_invitation_whose_membership_ended(org):
    """Like an overdue one, it no longer counts: no need to revoke it first."""
    old = invite(org, until=timezone.now() + timedelta(days=1), send=False).invitation
    _end_membership(old)
    new = invite(org, until=timezone.now() + timedelta(days=30), send=False).invitation
    old.refresh_from_db()
    assert (old.status, new.status) == ("expired", "pending")


# --- accept (service) -----------------------------------------------------------------------


def accept(token, **kwargs):
    kwargs.setdefault("actor", None)
    return invitations.invitation_accept(token=token, **kwargs)


def test_accept_creates_the_account_membership_and_workspace_roles(org):
    ws = WorkspaceFactory(org=org)
    issued = invite(org, workspace_roles=[(ws, "editor")], send=False)
    result = accept(issued.token, full_name=" New Person ", password=PASSWORD)
    user = User.objects.get(email="new@person.test")
    assert result.created_user and result.user == user
    assert user.full_name == "New Person"
    assert user.check_password(PASSWORD)
    assert OrgMembership.objects.get(org=org, user=user).role == "user"
    membership = WorkspaceMembership.objects.get(workspace=ws, user=user)
    assert (membership.role, membership.flows_manager, membership.audience_viewer) == (
        "editor",
        True,
        False,
    )
    invitation = Invitation.objects.get()
    assert (invitation.status, invitation.accepted_by) == ("accepted", user)


def test_accept_gives_the_invited_org_role(org):
    issued = invite(org, role="admin", send=False)
    accept(issued.token, full_name="Boss Two", password=PASSWORD)
    assert OrgMembership.objects.get(org=org, user__email="new@person.test").role == "admin"


def test_accept_as_the_signed_in_invitee(org):
    user = UserFactory(email="new@person.test")
    issued = invite(org, send=False)
    result = accept(issued.token, user=user, actor=user)
    assert not result.created_user
    assert OrgMembership.objects.filter(org=org, user=user).exists()


def test_accept_skips_workspaces_deleted_since(org):
    keep, gone = WorkspaceFactory(org=org), WorkspaceFactory(org=org)
    issued = invite(org, workspace_roles=[(keep, "viewer"), (gone, "admin")], send=False)
    gone.delete()
    accept(issued.token, full_name="N", password=PASSWORD)
    assert list(WorkspaceMembership.objects.values_list("workspace", flat=True)) == [keep.pk]


def test_a_token_works_once(org):
    issued = invite(org, send=False)
    accept(issued.token, full_name="N", password=PASSWORD)
    before = state()
    with pytest.raises(invitations.InvitationError) as refused:
        accept(issued.token, user=User.objects.get(email="new@person.test"))
    assert refused.value.problem == invitations.ACCEPTED
    assert state() == before


@pytest.mark.parametrize(
    "change,problem",
    [
        ({"status": "revoked"}, invitations.REVOKED),
        ({"status": "expired"}, invitations.EXPIRED),
        ({"expires_at": timezone.now() - timedelta(seconds=1)}, invitations.EXPIRED),
    ],
)
def test_revoked_and_expired_invitations_cannot_be_accepted(org, change, problem):
    issued = invite(org, send=False)
    Invitation.objects.filter(pk=issued.invitation.pk).update(**change)
    before = state()
    with pytest.raises(invitations.InvitationError) as refused:
        accept(issued.token, full_name="N", password=PASSWORD)
    assert refused.value.problem == problem
    assert state() == before


def test_an_unknown_token_cannot_be_accepted(org):
    invite(org, send=False)
    before = state()
    with pytest.raises(invitations.InvitationError) as refused:
        accept("not-a-real-token", full_name="N", password=PASSWORD)
    assert refused.value.problem == invitations.UNKNOWN
    assert state() == before


def test_another_account_cannot_accept(org):
    issued = invite(org, send=False)
    someone = UserFactory(email="someone@else.test")
    before = state()
    with pytest.raises(invitations.InvitationError) as refused:
        accept(issued.token, user=someone, actor=someone)
    assert refused.value.problem == invitations.WRONG_ACCOUNT
    assert state() == before


def test_an_existing_account_must_log_in_to_accept(org):
    UserFactory(email="new@person.test")
    issued = invite(org, send=False)
    before = state()
    with pytest.raises(invitations.InvitationError) as refused:
        accept(issued.token, full_name="N", password=PASSWORD)
    assert refused.value.problem == invitations.ACCOUNT_EXISTS
    assert state() == before


def test_accept_by_someone_who_joined_meanwhile_keeps_their_membership(org):
    issued = invite(org, role="admin", send=False)
    membership = OrgMembershipFactory(org=org, user__email="new@person.test")
    result = accept(issued.token, user=membership.user)
    assert result.already_member
    membership.refresh_from_db()
    assert membership.role == "user"
    assert Invitation.objects.get().status == "accepted"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("signed_in", [False, True])
def test_two_accepts_at_once_give_exactly_one_membership(monkeypatch, signed_in):
    """Each thread checks the invitation, then lingers before writing: without the row lock
    both would pass the check. With it the second waits, then finds the invitation used."""
    org = OrganizationFactory()
    OrgMembershipFactory(org=org, admin=True)
    ws = WorkspaceFactory(org=org)
    user = UserFactory(email="new@person.test") if signed_in else None
    issued = invite(org, workspace_roles=[(ws, "viewer")], send=False)
    original = invitations.problem_with

    def slow_check(invitation):
        answer = original(invitation)
        time.sleep(0.4)
        return answer

    monkeypatch.setattr(invitations, "problem_with", slow_check)

    def join():
        accept(issued.token, user=user, full_name="Racer", password=PASSWORD)
        return "joined"

    outcomes = run_at_once([join, join], expected=(invitations.InvitationError,))
    problems = [getattr(outcome, "problem", outcome) for outcome in outcomes]
    assert sorted(problems) == [invitations.ACCEPTED, "joined"]
    assert OrgMembership.objects.filter(org=org, user__email="new@person.test").count() == 1
    assert User.objects.filter(email="new@person.test").count() == 1
    assert WorkspaceMembership.objects.filter(workspace=ws).count() == 1


# --- the console pages ----------------------------------------------------------------------


@emails
def test_invite_page_sends_and_redirects_to_invitations(client, demo, acme, mailoutbox):
    client.force_login(demo["admin@acme.test"])
    marketing = acme.workspaces.get(slug="marketing")
    response = client.post(
        "/orgs/acme/users/invite/",
        {"email": "Fresh@Hire.test", "role": "user", f"ws_{marketing.pk}": "editor"},
    )
    assert response["Location"] == "/orgs/acme/invitations/"
    invitation = Invitation.objects.get(email="fresh@hire.test")
    assert invitation.workspace_roles == [{"workspace": marketing.pk, "role": "editor"}]
    assert "http://testserver/invitations/" in mailoutbox[0].body
    html = text(client.get("/orgs/acme/invitations/"))
    assert "Invitation to fresh@hire.test created; the email is on its way." in html
    assert "fresh@hire.test" in html


def test_invite_page_lists_the_first_workspaces_by_name(client, demo):
    client.force_login(demo["admin@acme.test"])
    html = text(client.get("/orgs/acme/users/invite/"))
    for name in ["Marketing", "Sales", "Events"]:
        assert f">{name}:</label>" in html
    assert ">Main:</label>" not in html


@pytest.mark.parametrize(
    "email,message",
    [
        ("editor@acme.test", "editor@acme.test is already a member of Acme."),
        ("newhire@acme.test", "newhire@acme.test already has a pending invitation to Acme"),
        ("nope", "Enter a valid email address."),
    ],
)
@emails
def test_invite_page_shows_clear_errors(client, demo, mailoutbox, email, message):
    client.force_login(demo["admin@acme.test"])
    before = state()
    response = client.post("/orgs/acme/users/invite/", {"email": email, "role": "user"})
    assert response.status_code == 400  # refused: the form again
    assert message in text(response)
    assert state() == before
    assert mailoutbox == []


def test_invitations_page_lists_pending_with_sent_and_expiry(client, demo, acme):
    sent = timezone.now().replace(year=2030, month=1, day=2, hour=3, minute=4)
    InvitationFactory(org=acme, email="listed@x.test", sent_at=sent)
    client.force_login(demo["admin@acme.test"])
    html = text(client.get("/orgs/acme/invitations/"))
    assert "listed@x.test" in html
    assert "Jan 2, 2030 03:04" in html
    assert "newhire@acme.test" in html
    assert 'Marketing <span class="badge">Editor</span>' in html
    assert "late@acme.test" not in html  # expired: on its own tab


def test_invitations_page_has_tabs_per_status(client, demo):
    client.force_login(demo["admin@acme.test"])
    html = text(client.get("/orgs/acme/invitations/?status=expired"))
    assert "late@acme.test" in html
    assert "newhire@acme.test" not in html
    assert "No revoked invitations." in text(client.get("/orgs/acme/invitations/?status=revoked"))


def test_invitations_page_marks_overdue_pending_ones(client, demo, acme):
    InvitationFactory(org=acme, expires_at=timezone.now() - timedelta(hours=1))
    client.force_login(demo["admin@acme.test"])
    assert "overdue" in text(client.get("/orgs/acme/invitations/"))


def test_invitations_page_empty_state(client, demo, acme):
    Invitation.objects.filter(org=acme).delete()
    client.force_login(demo["admin@acme.test"])
    assert "No pending invitations." in text(client.get("/orgs/acme/invitations/"))


@emails
def test_resend_from_the_page(client, demo, acme, mailoutbox):
    invitation = Invitation.objects.get(org=acme, email="newhire@acme.test")
    client.force_login(demo["admin@acme.test"])
    response = client.post(f"/orgs/acme/invitations/{invitation.pk}/resend/", follow=True)
    assert "the previous link no longer works" in text(response)
    assert Invitation.objects.get(pk=invitation.pk).token_hash != invitation.token_hash
    assert mailoutbox[0].to == ["newhire@acme.test"]


def test_resend_of_a_revoked_invitation_shows_the_error(client, demo, acme):
    invitation = Invitation.objects.get(org=acme, email="newhire@acme.test")
    invitation.status = "revoked"
    invitation.save()
    client.force_login(demo["admin@acme.test"])
    response = client.post(f"/orgs/acme/invitations/{invitation.pk}/resend/", follow=True)
    assert "was revoked and can't be sent again" in text(response)


@emails
def test_resend_from_the_page_of_an_invitation_whose_membership_ended(
    client, demo, acme, mailoutbox
):
    invitation = Invitation.objects.get(org=acme, email="newhire@acme.test")
    _end_membership(invitation)
    before, logged = state(), _activity_count()
    client.force_login(demo["admin@acme.test"])
    response = client.post(f"/orgs/acme/invitations/{invitation.pk}/resend/", follow=True)
    html = text(response)
    assert "can't be sent again: the membership it offers ended on" in html
    assert "Invite newhire@acme.test again with a new end date" in html
    assert "is on its way" not in html
    assert state() == before
    assert _activity_count() == logged
    assert mailoutbox == []


def test_the_list_offers_no_resend_for_an_invitation_whose_membership_ended(client, demo, acme):
    invitation = Invitation.objects.get(org=acme, email="newhire@acme.test")
    client.force_login(demo["admin@acme.test"])
    resend = 'aria-label="Resend the invitation to newhire@acme.test"'
    assert resend in text(client.get("/orgs/acme/invitations/"))
    _end_membership(invitation)
    html = text(client.get("/orgs/acme/invitations/"))
    assert resend not in html
    assert "Membership ended: invite again with a new end" in html
    assert 'aria-label="Revoke the invitation to newhire@acme.test"' in html


def test_revoke_asks_for_confirmation_then_revokes(client, demo, acme):
    invitation = Invitation.objects.get(org=acme, email="newhire@acme.test")
    client.force_login(demo["admin@acme.test"])
    page = text(client.get(f"/orgs/acme/invitations/{invitation.pk}/revoke/"))
    assert "Revoke the invitation to newhire@acme.test?" in page
    assert Invitation.objects.get(pk=invitation.pk).status == "pending"
    response = client.post(f"/orgs/acme/invitations/{invitation.pk}/revoke/")
    assert response["Location"] == "/orgs/acme/invitations/"
    assert Invitation.objects.get(pk=invitation.pk).status == "revoked"


def test_revoking_a_used_invitation_shows_the_error(client, demo, acme):
    invitation = Invitation.objects.get(org=acme, email="late@acme.test")
    client.force_login(demo["admin@acme.test"])
    response = client.post(f"/orgs/acme/invitations/{invitation.pk}/revoke/")
    assert "is already expired" in text(response)
    assert Invitation.objects.get(pk=invitation.pk).status == "expired"


# --- the accept page ------------------------------------------------------------------------


@pytest.fixture
def invited(acme):
    marketing = acme.workspaces.get(slug="marketing")
    return invite(acme, email="joiner@acme.test", workspace_roles=[(marketing, "editor")])


def test_accept_page_asks_a_new_visitor_for_name_and_password(client, invited):
    html = text(client.get(f"/invitations/{invited.token}/"))
    assert "Join Acme" in html
    assert "joiner@acme.test" in html
    assert 'name="full_name"' in html and 'name="password1"' in html


def test_accepting_as_a_new_visitor_creates_the_account_and_logs_in(client, invited, acme):
    data = {"full_name": "Jo Iner", "password1": PASSWORD, "password2": PASSWORD}
    response = client.post(f"/invitations/{invited.token}/", data)
    assert response["Location"] == "/#org-acme"
    home = text(client.get("/"))
    assert "Welcome to Acme!" in home
    assert "Marketing" in home and "Editor" in home
    user = User.objects.get(email="joiner@acme.test")
    assert OrgMembership.objects.get(org=acme, user=user).role == "user"


@pytest.mark.parametrize(
    "data,message",
    [
        ({"full_name": "Jo", "password1": "short", "password2": "short"}, "too short"),
        ({"full_name": "Jo", "password1": "password123", "password2": "password123"}, "common"),
        ({"full_name": "Jo", "password1": PASSWORD, "password2": PASSWORD + "x"}, "don't match"),
        ({"full_name": "", "password1": PASSWORD, "password2": PASSWORD}, "required"),
    ],
)
def test_accept_page_validates_the_account(client, invited, data, message):
    before = state()
    response = client.post(f"/invitations/{invited.token}/", data)
    assert response.status_code == 400  # refused: the form again
    assert message in text(response)
    assert state() == before
    assert "_auth_user_id" not in client.session


def test_a_signed_in_invitee_joins_at_once(client, invited, acme):
    user = UserFactory(email="joiner@acme.test")
    client.force_login(user)
    response = client.get(f"/invitations/{invited.token}/")
    assert response["Location"] == "/#org-acme"
    assert OrgMembership.objects.filter(org=acme, user=user).exists()


def test_someone_signed_in_with_another_email_is_told_to_switch(client, invited, demo):
    client.force_login(demo["viewer@acme.test"])
    before = state()
    response = client.get(f"/invitations/{invited.token}/")
    html = text(response)
    assert "This invitation is for joiner@acme.test, but you are logged in as viewer@acme.test" in (
        html
    )
    assert 'action="/accounts/logout/"' in html
    assert f'name="next" value="/invitations/{invited.token}/"' in html
    assert state() == before


def test_switching_accounts_logs_out_and_returns_to_the_invitation(client, invited, demo):
    client.force_login(demo["viewer@acme.test"])
    response = client.post("/accounts/logout/", {"next": f"/invitations/{invited.token}/"})
    assert response["Location"] == f"/invitations/{invited.token}/"


def test_a_visitor_with_an_account_is_asked_to_log_in(client, invited):
    UserFactory(email="joiner@acme.test")
    before = state()
    html = text(client.get(f"/invitations/{invited.token}/"))
    assert "There is already a flowadmin account for" in html
    assert f"/accounts/login/?next=%2Finvitations%2F{invited.token}%2F" in html
    assert state() == before


def test_a_visitor_with_an_account_cannot_post_a_new_password(client, invited):
    UserFactory(email="joiner@acme.test")
    before = state()
    data = {"full_name": "Jo", "password1": PASSWORD, "password2": PASSWORD}
    client.post(f"/invitations/{invited.token}/", data)
    assert state() == before


def test_unknown_token_page(client, db):
    response = client.get("/invitations/made-up-token/")
    assert response.status_code == 404
    assert "This invitation link is not valid." in text(response)


@pytest.mark.parametrize(
    "change,heading,message",
    [
        ({"status": "accepted"}, "Invitation already used", "has already been used"),
        ({"status": "revoked"}, "Invitation withdrawn", "was withdrawn by an admin of Acme"),
        ({"status": "expired"}, "Invitation expired", "expired on"),
        ({"expires_at": timezone.now() - timedelta(days=1)}, "Invitation expired", "expired on"),
    ],
)
def test_unusable_invitation_pages(client, invited, change, heading, message):
    Invitation.objects.filter(pk=invited.invitation.pk).update(**change)
    before = state()
    for method in (client.get, client.post):
        response = method(f"/invitations/{invited.token}/")
        assert response.status_code == 410
        assert heading in text(response)
        assert message in text(response)
    assert state() == before


def test_the_pages_after_the_job_expired_an_invitation_whose_membership_ended(client, demo, acme):
    """Its link still says why (the access ended, not "expired on" a date to come), and the
    list shows it under Expired, where it can't be resent."""
    issued = invite(acme, email="temp@acme.test", until=timezone.now() + timedelta(days=1))
    _end_membership(issued.invitation)
    invitations.invitations_expire(actor=None)
    response = client.get(f"/invitations/{issued.token}/")
    assert response.status_code == 410
    assert "The access this invitation to Acme offered ended on" in text(response)
    assert "expired on" not in text(response)
    client.force_login(demo["admin@acme.test"])
    assert "temp@acme.test" not in text(client.get("/orgs/acme/invitations/"))
    html = text(client.get("/orgs/acme/invitations/?status=expired"))
    assert "temp@acme.test" in html
    assert "Membership ended: invite again with a new end" in html
    assert 'aria-label="Resend the invitation to temp@acme.test"' not in html


def test_an_old_link_stops_working_after_resend(client, invited):
    invitations.invitation_resend(actor=None, invitation=invited.invitation)
    assert client.get(f"/invitations/{invited.token}/").status_code == 404


def test_a_race_lost_between_page_and_submit_shows_the_used_page(client, invited, monkeypatch):
    real_accept = invitations.invitation_accept

    def accepted_meanwhile(**kwargs):
        Invitation.objects.filter(pk=invited.invitation.pk).update(status="accepted")
        return real_accept(**kwargs)

    monkeypatch.setattr(invitations, "invitation_accept", accepted_meanwhile)
    data = {"full_name": "Jo", "password1": PASSWORD, "password2": PASSWORD}
    response = client.post(f"/invitations/{invited.token}/", data)
    assert response.status_code == 410
    assert not User.objects.filter(email="joiner@acme.test").exists()


# --- commands and demo data -----------------------------------------------------------------


def run(*args):
    out = StringIO()
    call_command(*args, stdout=out, stderr=StringIO())
    return out.getvalue()


@emails
def test_invite_command_creates_emails_and_prints_the_link(demo, acme, mailoutbox, settings):
    settings.SITE_URL = "https://console.example.com"
    out = run("invite", "acme", "Cmd@Line.test", "--role", "admin", "--workspace", "sales:viewer")
    invitation = Invitation.objects.get(email="cmd@line.test")
    assert invitation.role == "admin"
    sales = acme.workspaces.get(slug="sales")
    assert invitation.workspace_roles == [{"workspace": sales.pk, "role": "viewer"}]
    link = out.strip().splitlines()[-1]
    assert link.startswith("https://console.example.com/invitations/")
    assert invitations.find(token_of(link)) == invitation
    assert link in mailoutbox[0].body


def test_invite_command_records_the_actor_as_inviter(demo):
    run("invite", "acme", "cmd@line.test", "--actor", "admin@acme.test")
    assert Invitation.objects.get(email="cmd@line.test").invited_by == demo["admin@acme.test"]


@pytest.mark.parametrize(
    "args,message",
    [
        (["nope", "a@b.test"], "No organization with the slug 'nope'"),
        (["acme", "not-an-email"], "not a valid email address"),
        (["acme", "a@b.test", "--workspace", "marketing"], "use WS:ROLE"),
        (["acme", "a@b.test", "--workspace", "marketing:owner"], "unknown role 'owner'"),
        (["acme", "a@b.test", "--workspace", "main:viewer"], "has no workspace with the slug"),
        (["acme", "editor@acme.test"], "already a member of Acme"),
        (["acme", "newhire@acme.test"], "already has a pending invitation"),
    ],
)
@emails
def test_invite_command_errors_change_nothing(demo, mailoutbox, args, message):
    before = state()
    with pytest.raises(CommandError, match=message):
        run("invite", *args)
    assert state() == before
    assert mailoutbox == []


def test_invite_command_rejects_an_unknown_org_role(demo):
    with pytest.raises(CommandError):
        run("invite", "acme", "a@b.test", "--role", "owner")


def test_expire_invitations_command(demo, acme):
    newhire = Invitation.objects.get(email="newhire@acme.test")
    Invitation.objects.filter(pk=newhire.pk).update(expires_at=timezone.now())
    assert run("expire_invitations") == "Expired 1 invitation.\n"
    assert Invitation.objects.get(pk=newhire.pk).status == "expired"
    assert run("expire_invitations") == "Expired 0 invitations.\n"


def test_an_invitation_issued_in_the_past_runs_out_from_then(acme):
    past = timezone.now() - timedelta(days=30)
    issued = invitations.invitation_create(
        actor=None, org=acme, email="then@acme.test", send=False, issued_at=past
    )
    invitation = Invitation.objects.get(pk=issued.invitation.pk)
    assert invitation.created_at == past
    assert invitation.expires_at == past + timedelta(days=settings.INVITATION_TTL_DAYS)
    assert invitations.invitations_expire(actor=None, org=acme) == 1
    entry = ActivityEntry.objects.filter(org=acme, entity_label="then@acme.test").earliest("id")
    assert entry.changes["expires_at"][1] == invitation.expires_at.isoformat()


def test_a_backdated_invitation_judges_the_pending_one_at_the_real_time(acme):
    """A pending invitation whose link ran out (not yet marked expired) makes room for a new
    one issued in the past, when it was still valid: it is judged now, not then."""
    ttl = timedelta(days=settings.INVITATION_TTL_DAYS)
    old = InvitationFactory(org=acme, email="then@acme.test")
    Invitation.objects.filter(pk=old.pk).update(
        created_at=timezone.now() - ttl - timedelta(days=2),
        expires_at=timezone.now() - timedelta(days=2),
    )
    issued = invitations.invitation_create(
        actor=None,
        org=acme,
        email="then@acme.test",
        send=False,
        issued_at=timezone.now() - ttl + timedelta(days=1),
    )
    assert Invitation.objects.get(pk=old.pk).status == "expired"
    assert issued.invitation.status == "pending"


def test_an_invitation_whose_link_ran_out_is_not_emailed(acme, mailoutbox):
    ttl = timedelta(days=settings.INVITATION_TTL_DAYS)
    with pytest.raises(ValueError, match="expired link"):
        invitations.invitation_create(
            actor=None,
            org=acme,
            email="then@acme.test",
            issued_at=timezone.now() - ttl - timedelta(minutes=1),
        )
    assert not Invitation.objects.filter(email="then@acme.test").exists()
    assert mailoutbox == []


def test_seed_demo_adds_a_pending_and_an_expired_invitation_once(demo, acme):
    statuses = dict(Invitation.objects.filter(org=acme).values_list("email", "status"))
    assert statuses == {"newhire@acme.test": "pending", "late@acme.test": "expired"}
    run("seed_demo")
    assert Invitation.objects.filter(org=acme).count() == 2
