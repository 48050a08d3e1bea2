"""Expiring access: the policy ignores a grant from its `until` instant on
(no window, no job needed), the services set and check ends, the job removes expired rows
through the services as the actor "expiry", and reminders are sent once."""

import datetime
from types import SimpleNamespace

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from audit.models import ActivityEntry
from orgs import access_expiry, expiry, permissions, services
from orgs.errors import LastAdminError, ServiceError
from orgs.models import ExpiryReminder, OrgMembership, TeamMembership
from tests.factories import (
    OrganizationFactory,
    OrgMembershipFactory,
    TeamAccessFactory,
    TeamFactory,
    TeamMembershipFactory,
    UserFactory,
    WorkspaceFactory,
    WorkspaceMembershipFactory,
)
from workspaces import services as workspace_services
from workspaces.models import TeamAccess, WorkspaceMembership
from workspaces.selectors.manage import users_with_workspace_access

pytestmark = pytest.mark.django_db

T = datetime.datetime(2031, 3, 14, 12, 0, tzinfo=datetime.UTC)  # the expiry instant
JUST_BEFORE = T - datetime.timedelta(microseconds=1)


@pytest.fixture
def org():
    org = OrganizationFactory()
    OrgMembershipFactory(org=org, admin=True)  # the lasting admin
    return org


@pytest.fixture
def ws(org):
    return WorkspaceFactory(org=org)


def ws_access(user, ws, now):
    org_access = permissions.load_access(user, now=now).get(ws.org_id)
    return org_access.workspace(ws.pk) if org_access else None


# --- the policy at the expiry instant -------------------------------------------------------


def test_direct_membership_counts_until_the_instant_it_ends(ws):
    member = WorkspaceMembershipFactory(workspace=ws, editor=True, until=T).user
    assert ws_access(member, ws, JUST_BEFORE).role == "editor"
    assert ws_access(member, ws, JUST_BEFORE).until == T
    assert ws_access(member, ws, T) is None
    assert ws_access(member, ws, T + datetime.timedelta(days=1)) is None


def test_org_membership_end_ends_everything_in_the_org(org, ws):
    member = UserFactory()
    OrgMembershipFactory(org=org, user=member, until=T)
    WorkspaceMembershipFactory(workspace=ws, user=member, editor=True)
    before = permissions.load_access(member, now=JUST_BEFORE)[org.pk]
    assert before.is_member and before.until == T
    assert before.workspace(ws.pk).until == T  # bounded by the org membership
    assert org.pk not in permissions.load_access(member, now=T)


def test_team_source_ends_with_the_earlier_of_membership_and_access(org, ws):
    team = TeamFactory(org=org)
    member = TeamMembershipFactory(team=team, until=T + datetime.timedelta(days=2)).user
    TeamAccessFactory(team=team, workspace=ws, editor=True, until=T)
    assert ws_access(member, ws, JUST_BEFORE).until == T
    assert ws_access(member, ws, T) is None


def test_team_membership_end(org, ws):
    team = TeamFactory(org=org)
    member = TeamMembershipFactory(team=team, until=T).user
    TeamAccessFactory(team=team, workspace=ws, editor=True)
    assert ws_access(member, ws, JUST_BEFORE).role == "editor"
    assert ws_access(member, ws, T) is None


def test_an_ended_source_leaves_the_others(org, ws):
    team = TeamFactory(org=org)
    member = TeamMembershipFactory(team=team).user
    TeamAccessFactory(team=team, workspace=ws, viewer=True)
    WorkspaceMembershipFactory(workspace=ws, user=member, admin=True, until=T)
    assert ws_access(member, ws, JUST_BEFORE).role == "admin"
    after = ws_access(member, ws, T)
    assert after.role == "viewer" and after.until is None
    assert [s.kind for s in after.sources] == ["team"]


def test_members_access_reads_the_same_rule(org, ws):
    member = WorkspaceMembershipFactory(workspace=ws, editor=True, until=T).user
    assert permissions.members_access(org, now=JUST_BEFORE)[member.pk].workspace(ws.pk)
    assert permissions.members_access(org, now=T)[member.pk].workspace(ws.pk) is None
    assert member in users_with_workspace_access(ws, now=JUST_BEFORE)
    assert member not in users_with_workspace_access(ws, now=T)


def test_checks_over_http_stop_at_the_instant(client, ws, monkeypatch):
    """The policy's clock frozen at the end instant (the session's is left alone)."""
    end = timezone.now() + datetime.timedelta(hours=1)
    member = WorkspaceMembershipFactory(workspace=ws, viewer=True, until=end).user
    client.force_login(member)
    url = f"/orgs/{ws.org.slug}/w/{ws.slug}/flows/"
    clock = SimpleNamespace(now=lambda: end - datetime.timedelta(microseconds=1))
    monkeypatch.setattr(permissions, "timezone", clock)
    assert client.get(url).status_code == 200
    clock.now = lambda: end
    assert client.get(url).status_code == 404  # no job has run: the row is still there
    assert WorkspaceMembership.objects.filter(user=member).exists()


def test_access_is_one_query_with_ends(org, ws, django_assert_num_queries):
    member = WorkspaceMembershipFactory(workspace=ws, editor=True, until=T).user
    with django_assert_num_queries(1):
        access = permissions.load_access(member, now=JUST_BEFORE)
    with django_assert_num_queries(0):
        assert access[org.pk].workspace(ws.pk).until == T


# --- dates ------------------------------------------------------------------------------------


def test_a_picked_date_ends_at_the_start_of_the_next_day(settings):
    settings.TIME_ZONE = "Europe/Paris"
    timezone.deactivate()
    until = expiry.end_of_day(datetime.date(2031, 1, 12))
    assert until == datetime.datetime(2031, 1, 12, 23, 0, tzinfo=datetime.UTC)
    assert expiry.last_day(until) == datetime.date(2031, 1, 12)


def test_short_label():
    until = expiry.end_of_day(datetime.date(2031, 1, 12))
    assert expiry.short_label(until, now=datetime.datetime(2031, 1, 1, tzinfo=datetime.UTC)) == (
        "12 Jan"
    )
    assert expiry.short_label(until, now=datetime.datetime(2029, 1, 1, tzinfo=datetime.UTC)) == (
        "12 Jan 2031"
    )


# --- services ---------------------------------------------------------------------------------


def future(days=10):
    return timezone.now() + datetime.timedelta(days=days)


def test_services_set_and_clear_ends(org, ws):
    admin = OrgMembership.objects.get(org=org, role="admin").user
    member = UserFactory()
    end = future()
    services.member_add(actor=admin, org=org, user=member, until=end)
    assert OrgMembership.objects.get(org=org, user=member).until == end
    services.org_role_set(actor=admin, org=org, user=member, role="user", until=None)
    assert OrgMembership.objects.get(org=org, user=member).until is None
    workspace_services.workspace_member_set(
        actor=admin, workspace=ws, user=member, role="editor", until=end
    )
    membership = WorkspaceMembership.objects.get(user=member)
    assert membership.until == end
    workspace_services.workspace_member_set(actor=admin, workspace=ws, user=member, role="viewer")
    assert WorkspaceMembership.objects.get(user=member).until == end  # UNCHANGED keeps it
    team = TeamFactory(org=org)
    services.team_member_add(actor=admin, team=team, user=member, until=end)
    assert TeamMembership.objects.get(team=team, user=member).until == end
    services.team_member_until_set(actor=admin, team=team, user=member, until=None)
    assert TeamMembership.objects.get(team=team, user=member).until is None
    workspace_services.team_access_set(
        actor=admin, team=team, workspace=ws, role="viewer", until=end
    )
    assert TeamAccess.objects.get(team=team).until == end


def test_an_end_change_is_logged(org, ws):
    admin = OrgMembership.objects.get(org=org, role="admin").user
    member = WorkspaceMembershipFactory(workspace=ws, editor=True).user
    end = future()
    workspace_services.workspace_member_set(
        actor=admin, workspace=ws, user=member, role="editor", until=end
    )
    entry = ActivityEntry.objects.filter(entity_type="workspace_member").latest("seq")
    assert entry.action == "updated"
    assert entry.changes == {"until": [None, end.astimezone(datetime.UTC).isoformat()]}


def test_an_end_in_the_past_is_refused(org, ws):
    admin = OrgMembership.objects.get(org=org, role="admin").user
    member = WorkspaceMembershipFactory(workspace=ws, editor=True).user
    with pytest.raises(ServiceError, match="must be in the future"):
        workspace_services.workspace_member_set(
            actor=admin, workspace=ws, user=member, role="editor", until=timezone.now()
        )
    assert WorkspaceMembership.objects.get(user=member).until is None


def test_editing_a_grant_that_has_just_ended_is_refused_unless_renewed(org, ws, monkeypatch):
    """The race: an admin opened the row before the end and saves after it (the job has not
    run yet). The save is refused clearly and nothing changes; a new end renews it."""
    admin = OrgMembership.objects.get(org=org, role="admin").user
    member = WorkspaceMembershipFactory(workspace=ws, viewer=True, until=T).user
    monkeypatch.setattr(timezone, "now", lambda: T)
    with pytest.raises(ServiceError, match="ended on 2031-03-14") as refused:
        workspace_services.workspace_member_set(
            actor=admin, workspace=ws, user=member, role="editor"
        )
    assert refused.value.code == "expired"
    assert WorkspaceMembership.objects.get(user=member).role == "viewer"
    later = T + datetime.timedelta(days=30)
    workspace_services.workspace_member_set(
        actor=admin, workspace=ws, user=member, role="editor", until=later
    )
    assert WorkspaceMembership.objects.get(user=member).until == later
    assert ws_access(member, ws, T).role == "editor"


def test_the_org_keeps_an_admin_whose_access_does_not_end(org):
    admin = OrgMembership.objects.get(org=org, role="admin").user
    with pytest.raises(LastAdminError, match="does not end"):
        services.org_role_set(actor=admin, org=org, user=admin, role="admin", until=future())
    other = OrgMembershipFactory(org=org, admin=True, until=future()).user
    with pytest.raises(LastAdminError, match="does not end"):
        services.org_role_set(actor=admin, org=org, user=admin, role="user")
    with pytest.raises(LastAdminError):
        services.member_remove(actor=admin, org=org, user=admin)
    services.member_remove(actor=admin, org=org, user=other)  # a temporary admin can go
    assert services.is_last_admin(org, admin)


# --- the job ----------------------------------------------------------------------------------


def test_the_job_removes_expired_grants_through_the_services(org, ws):
    team = TeamFactory(org=org)
    leaving = UserFactory()
    OrgMembershipFactory(org=org, user=leaving, until=T)
    WorkspaceMembershipFactory(workspace=ws, user=leaving, editor=True)
    TeamMembershipFactory(team=team, user=leaving)
    ws_member = WorkspaceMembershipFactory(workspace=ws, viewer=True, until=T).user
    team_member = TeamMembershipFactory(team=team, until=T).user
    TeamAccessFactory(team=team, workspace=ws, editor=True, until=T)
    staying = WorkspaceMembershipFactory(
        workspace=ws, viewer=True, until=T + datetime.timedelta(seconds=1)
    ).user

    run = access_expiry.access_expire(now=T)

    assert run.removed == {
        "org_member": 1,
        "workspace_member": 1,
        "team_member": 1,
        "team_access": 1,
    }
    assert not OrgMembership.objects.filter(user=leaving).exists()
    assert not WorkspaceMembership.objects.filter(user__in=[leaving, ws_member]).exists()
    assert not TeamMembership.objects.filter(user__in=[leaving, team_member]).exists()
    assert not TeamAccess.objects.filter(team=team).exists()
    assert WorkspaceMembership.objects.filter(user=staying).exists()
    entries = ActivityEntry.objects.filter(org=org, action="deleted")
    assert set(entries.values_list("actor_email", flat=True)) == {"expiry"}
    assert sorted(entries.values_list("entity_type", flat=True)) == [
        "org_member",
        "team_access",
        "team_member",
        "team_member",
        "workspace_member",
        "workspace_member",
    ]
    assert access_expiry.access_expire(now=T).removed_total == 0  # idempotent


def test_the_job_leaves_a_grant_extended_under_its_feet(org, ws):
    """The job read the grant as expired; an admin extended it before the job took the lock:
    the row re-read under the lock is current, so it stays."""
    membership = WorkspaceMembershipFactory(workspace=ws, viewer=True, until=T)
    ending = access_expiry.endings(until_at_most=T)[0]
    WorkspaceMembership.objects.filter(pk=membership.pk).update(
        until=T + datetime.timedelta(days=5)
    )
    assert not access_expiry.grant_expire(actor="expiry", ending=ending, now=T)
    assert WorkspaceMembership.objects.filter(pk=membership.pk).exists()


def test_the_command_runs_the_job(org, ws):
    past = timezone.now() - datetime.timedelta(minutes=1)
    member = WorkspaceMembershipFactory(workspace=ws, viewer=True).user
    WorkspaceMembership.objects.filter(user=member).update(until=past)
    from io import StringIO

    out = StringIO()
    call_command("expire_access", stdout=out)
    assert "Removed 1 expired: 0 org memberships, 1 workspace memberships" in out.getvalue()
    assert not WorkspaceMembership.objects.filter(user=member).exists()
    assert ActivityEntry.objects.filter(action="deleted").latest("seq").actor_email == "expiry"


def test_the_task_runs_the_job(org, ws):
    from orgs.tasks import expire_access

    member = WorkspaceMembershipFactory(workspace=ws, viewer=True).user
    WorkspaceMembership.objects.filter(user=member).update(
        until=timezone.now() - datetime.timedelta(seconds=1)
    )
    assert expire_access.delay().get() == 1
    assert not WorkspaceMembership.objects.filter(user=member).exists()


# --- reminders --------------------------------------------------------------------------------


def test_reminders_go_to_the_member_and_the_admins_once(org, ws, settings):
    settings.ACCESS_EXPIRY_REMINDER_DAYS = 7
    admin = OrgMembership.objects.get(org=org, role="admin").user
    member = WorkspaceMembershipFactory(workspace=ws, editor=True, until=T).user
    WorkspaceMembershipFactory(workspace=ws, viewer=True, until=T + datetime.timedelta(days=8))

    assert access_expiry.reminders_send(now=T - datetime.timedelta(days=7, seconds=1)).reminded == 0
    now = T - datetime.timedelta(days=6)
    assert access_expiry.reminders_send(now=now).reminded == 1
    assert {tuple(m.to) for m in mail.outbox} == {(member.email,), (admin.email,)}
    to_member = next(m for m in mail.outbox if m.to == [member.email])
    assert "Your Editor in" in to_member.subject and "14 March 2031" in to_member.subject
    to_admin = next(m for m in mail.outbox if m.to == [admin.email])
    assert f"/orgs/{org.slug}/users/{member.pk}/" in to_admin.body
    reminder = ExpiryReminder.objects.get()
    assert reminder.recipients == sorted([admin.email, member.email])
    entry = ActivityEntry.objects.filter(entity_type="expiry_reminder").get()
    assert entry.actor_email == "expiry"

    assert access_expiry.reminders_send(now=now + datetime.timedelta(hours=1)).reminded == 0
    assert len(mail.outbox) == 2  # sent once


def test_a_new_end_is_reminded_again(org, ws, settings):
    settings.ACCESS_EXPIRY_REMINDER_DAYS = 7
    membership = WorkspaceMembershipFactory(workspace=ws, editor=True, until=T)
    access_expiry.reminders_send(now=T - datetime.timedelta(days=1))
    later = T + datetime.timedelta(days=3)
    WorkspaceMembership.objects.filter(pk=membership.pk).update(until=later)
    assert access_expiry.reminders_send(now=later - datetime.timedelta(days=1)).reminded == 1
    assert ExpiryReminder.objects.count() == 2


def test_a_team_access_reminder_goes_to_every_member_of_the_team(org, ws, settings):
    team = TeamFactory(org=org)
    members = [TeamMembershipFactory(team=team).user for _ in range(2)]
    TeamAccessFactory(team=team, workspace=ws, editor=True, until=T)
    access_expiry.reminders_send(now=T - datetime.timedelta(days=1))
    to_members = next(m for m in mail.outbox if "Your" in m.subject)
    assert sorted(to_members.bcc) == sorted(u.email for u in members)
    assert to_members.to == []


# --- set_role --until -------------------------------------------------------------------------


def test_set_role_until(org, ws):
    from io import StringIO

    from django.core.management.base import CommandError

    member = WorkspaceMembershipFactory(workspace=ws, viewer=True).user
    day = timezone.localdate() + datetime.timedelta(days=20)
    out = StringIO()
    call_command(
        "set_role",
        org.slug,
        member.email,
        "--workspace",
        ws.slug,
        "--until",
        day.isoformat(),
        stdout=out,
    )
    assert f"Viewer until {day:%Y-%m-%d}" in out.getvalue()
    assert WorkspaceMembership.objects.get(user=member).until == expiry.end_of_day(day)
    call_command(
        "set_role",
        org.slug,
        member.email,
        "--org-role",
        "user",
        "--until",
        day.isoformat(),
        stdout=out,
    )
    assert OrgMembership.objects.get(org=org, user=member).until == expiry.end_of_day(day)
    call_command(
        "set_role", org.slug, member.email, "--org-role", "user", "--until", "never", stdout=out
    )
    assert OrgMembership.objects.get(org=org, user=member).until is None
    with pytest.raises(CommandError, match="use YYYY-MM-DD"):
        call_command("set_role", org.slug, member.email, "--org-role", "user", "--until", "12/1")
    with pytest.raises(CommandError, match="must be in the future"):
        call_command(
            "set_role", org.slug, member.email, "--org-role", "user", "--until", "2020-01-01"
        )


# --- invitations --------------------------------------------------------------------------


def test_an_invitation_copies_its_ends_to_the_grants(org, ws):
    from orgs import invitations

    admin = OrgMembership.objects.get(org=org, role="admin").user
    member_end, ws_end = future(30), future(10)
    issued = invitations.invitation_create(
        actor=admin,
        org=org,
        email="temp@example.test",
        workspace_roles=[(ws, "editor", ws_end)],
        until=member_end,
        send=False,
    )
    invitations.invitation_accept(
        actor=None, token=issued.token, full_name="Tem Porary", password="a-Long-pass-123"
    )
    assert OrgMembership.objects.get(org=org, user__email="temp@example.test").until == (member_end)
    assert WorkspaceMembership.objects.get(user__email="temp@example.test").until == ws_end


def test_an_invitation_whose_offer_ended_cannot_be_accepted(org):
    from orgs import invitations

    admin = OrgMembership.objects.get(org=org, role="admin").user
    issued = invitations.invitation_create(
        actor=admin, org=org, email="late@example.test", until=future(1), send=False
    )
    Invitation = type(issued.invitation)
    Invitation.objects.filter(pk=issued.invitation.pk).update(
        until=timezone.now() - datetime.timedelta(minutes=1)
    )
    with pytest.raises(ServiceError, match="offered ended"):
        invitations.invitation_accept(
            actor=None, token=issued.token, full_name="Late", password="a-Long-pass-123"
        )
    assert not OrgMembership.objects.filter(user__email="late@example.test").exists()
