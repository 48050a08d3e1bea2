"""Expiring access at the same moment as other writers (PostgreSQL, real row locks): the job
against an admin extending the grant, and two reminder runs at once."""

import datetime

import pytest
from django.core import mail
from django.utils import timezone

from audit.models import ActivityEntry
from orgs import access_expiry
from orgs.models import ExpiryReminder, OrgMembership
from tests.concurrency import run_at_once
from tests.factories import OrgMembershipFactory, WorkspaceFactory, WorkspaceMembershipFactory
from workspaces import services as workspace_services
from workspaces.models import WorkspaceMembership

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

ROUNDS = 5


@pytest.mark.parametrize("round_", range(ROUNDS))
def test_the_job_and_an_extension_at_once_keep_the_extension(round_):
    admin = OrgMembershipFactory(admin=True)
    ws = WorkspaceFactory(org=admin.org)
    membership = WorkspaceMembershipFactory(workspace=ws, editor=True)
    WorkspaceMembership.objects.filter(pk=membership.pk).update(
        until=timezone.now() - datetime.timedelta(seconds=1)
    )
    later = timezone.now() + datetime.timedelta(days=30)
    setup = ActivityEntry.objects.filter(org=admin.org).order_by("-seq").values("seq")[0]["seq"]

    outcomes = run_at_once(
        [
            lambda: access_expiry.access_expire(),
            lambda: workspace_services.workspace_member_set(
                actor=admin.user, workspace=ws, user=membership.user, role="editor", until=later
            ),
        ]
    )

    assert not any(isinstance(o, Exception) for o in outcomes), outcomes
    # Either way round, the person ends up with the access the admin just gave.
    assert WorkspaceMembership.objects.get(workspace=ws, user=membership.user).until == later
    entries = list(
        ActivityEntry.objects.filter(org=admin.org, entity_type="workspace_member", seq__gt=setup)
        .order_by("seq")
        .values_list("action", "actor_email")
    )
    assert entries in (
        [("updated", admin.user.email)],  # the admin first: the job found it current
        [("deleted", "expiry"), ("created", admin.user.email)],  # the job first
    )


def test_two_reminder_runs_at_once_send_once(settings):
    settings.ACCESS_EXPIRY_REMINDER_DAYS = 7
    admin = OrgMembershipFactory(admin=True)
    ws = WorkspaceFactory(org=admin.org)
    member = WorkspaceMembershipFactory(
        workspace=ws, viewer=True, until=timezone.now() + datetime.timedelta(days=2)
    ).user

    outcomes = run_at_once([access_expiry.reminders_send, access_expiry.reminders_send])

    assert not any(isinstance(o, Exception) for o in outcomes), outcomes
    assert sorted(run.reminded for run in outcomes) == [0, 1]
    assert ExpiryReminder.objects.count() == 1
    assert sorted(m.to[0] for m in mail.outbox) == sorted([admin.user.email, member.email])
    assert OrgMembership.objects.filter(org=admin.org).count() == 2
