"""The expiry job and its reminders (the rules are in orgs.expiry).

- `access_expire(now=…)`: removes every grant whose `until` has passed, each through the
  service the console uses (member_remove, workspace_member_remove, team_member_remove,
  team_access_remove), so the cascades, the last-admin rule and the activity log are the
  console's; every entry names the actor "expiry". The policy has ignored those grants since
  their end already: the job only tidies the rows.
- `reminders_send(now=…)`: emails the person (for a team's access: each member of the team)
  and the org's admins settings.ACCESS_EXPIRY_REMINDER_DAYS before a grant ends, once per
  grant and end (orgs.models.ExpiryReminder), logged as an `expiry_reminder` entry.

Both run on the beat schedule (orgs.tasks.expire_access) and from `manage.py expire_access`
(cron). Each grant is handled in its own transaction, after the org's lock
(orgs.locking.lock_org) and a re-read of the row: a grant extended by an admin at that moment
is left alone (its new end is read under the lock), and one refusal (an org's last lasting
admin) does not stop the others.

This module sits above both apps' services (like orgs.removal)."""

from __future__ import annotations

import datetime
import logging
from dataclasses import dataclass, field

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import IntegrityError, OperationalError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from audit.context import service
from audit.recording import record
from workspaces import services as workspace_services
from workspaces.models import TeamAccess, WorkspaceMembership

from . import expiry, services
from .errors import ServiceError
from .locking import lock_org, lock_row
from .models import ExpiryReminder, GrantKind, OrgMembership, TeamMembership, User, current
from .roles import OrgRole, WorkspaceRole

logger = logging.getLogger(__name__)

EXPIRY_ACTOR = "expiry"  # how the activity log names the job (audit.context.actor_of)

MODELS = {
    GrantKind.ORG_MEMBER: OrgMembership,
    GrantKind.WORKSPACE_MEMBER: WorkspaceMembership,
    GrantKind.TEAM_MEMBER: TeamMembership,
    GrantKind.TEAM_ACCESS: TeamAccess,
}
RELATED = {
    GrantKind.ORG_MEMBER: ("org", "user"),
    GrantKind.WORKSPACE_MEMBER: ("workspace__org", "user"),
    GrantKind.TEAM_MEMBER: ("team__org", "user"),
    GrantKind.TEAM_ACCESS: ("team__org", "workspace"),
}


@dataclass(frozen=True)
class Ending:
    """A grant with an end, as the job and the reminders read it: `grant` is the model row
    (its org, user, workspace and team loaded), `kind` a GrantKind."""

    kind: str
    grant: object

    @property
    def org(self):
        if self.kind == GrantKind.ORG_MEMBER:
            return self.grant.org
        if self.kind == GrantKind.WORKSPACE_MEMBER:
            return self.grant.workspace.org
        return self.grant.team.org

    @property
    def until(self) -> datetime.datetime:
        return self.grant.until

    @property
    def workspace(self):
        return getattr(self.grant, "workspace", None)

    def people(self) -> list[User]:
        """Whose access ends: the member, or every member of the team for a team's access."""
        if self.kind == GrantKind.TEAM_ACCESS:
            return list(self.grant.team.members.order_by("email"))
        return [self.grant.user]

    def describe(self) -> str:
        """What ends, e.g. "Editor in Marketing", "membership of Acme (Org User)", "membership
        of team Field Sales", "team Field Sales's Editor access to Sales"."""
        grant = self.grant
        if self.kind == GrantKind.ORG_MEMBER:
            return f"membership of {grant.org.name} (Org {OrgRole(grant.role).label})"
        if self.kind == GrantKind.WORKSPACE_MEMBER:
            return f"{WorkspaceRole(grant.role).label} in {grant.workspace.name}"
        if self.kind == GrantKind.TEAM_MEMBER:
            return f"membership of team {grant.team.name}"
        role = WorkspaceRole(grant.role).label
        return f"team {grant.team.name}'s {role} access to {grant.workspace.name}"

    def remove(self, actor) -> None:
        """Remove the grant through the console's service."""
        grant = self.grant
        if self.kind == GrantKind.ORG_MEMBER:
            services.member_remove(actor=actor, org=grant.org, user=grant.user)
        elif self.kind == GrantKind.WORKSPACE_MEMBER:
            workspace_services.workspace_member_remove(
                actor=actor, workspace=grant.workspace, user=grant.user
            )
        elif self.kind == GrantKind.TEAM_MEMBER:
            services.team_member_remove(actor=actor, team=grant.team, user=grant.user)
        else:
            workspace_services.team_access_remove(
                actor=actor, team=grant.team, workspace=grant.workspace
            )


def endings(*, after=None, until_at_most, org=None) -> list[Ending]:
    """Every grant (of `org`, or all orgs) whose end is in (after, until_at_most], four
    queries, by end then kind. after=None: every end up to `until_at_most` (the expired)."""
    found = []
    for kind, model in MODELS.items():
        rows = model.objects.filter(until__lte=until_at_most).select_related(*RELATED[kind])
        if after is not None:
            rows = rows.filter(until__gt=after)
        if org is not None:
            rows = rows.filter(**{RELATED[kind][0]: org})
        found.extend(Ending(kind, row) for row in rows.order_by("until", "pk"))
    found.sort(key=lambda e: e.until)
    return found


@service
def grant_expire(*, actor, ending: Ending, now: datetime.datetime) -> bool:
    """Remove one grant whose end has passed at `now`, through the console's service; False
    (nothing written) when it is gone already or was given a later end meanwhile."""
    lock_org(ending.org)
    locked = lock_row(MODELS[ending.kind].objects.filter(pk=ending.grant.pk))
    if locked is None or expiry.is_current(locked.until, now):
        return False
    ending.remove(actor)
    return True


@dataclass
class ExpiryRun:
    """What one run of the job did: removed grants per GrantKind, refusals (one line each),
    reminders sent."""

    removed: dict[str, int] = field(default_factory=dict)
    refused: list[str] = field(default_factory=list)
    reminded: int = 0

    @property
    def removed_total(self) -> int:
        return sum(self.removed.values())


def access_expire(
    *, actor=EXPIRY_ACTOR, now=None, org=None, run: ExpiryRun | None = None
) -> ExpiryRun:
    """Remove every grant (of `org`, or of all orgs) whose end is at or before `now` (default:
    this moment), each in its own transaction, as the actor "expiry". Org memberships go first
    (their workspace and team memberships with them)."""
    now = now or timezone.now()
    run = run or ExpiryRun()
    for ending in endings(until_at_most=now, org=org):
        try:
            removed = grant_expire(actor=actor, ending=ending, now=now)
        except ServiceError as error:  # e.g. the last admin whose access does not end
            run.refused.append(f"{ending.org.slug}: {ending.describe()}: {error.text}")
            logger.warning("Expired access not removed: %s", run.refused[-1])
            continue
        if removed:
            run.removed[ending.kind] = run.removed.get(ending.kind, 0) + 1
    return run


# --- reminders ---------------------------------------------------------------------------


def reminder_window(now: datetime.datetime) -> tuple[datetime.datetime, datetime.datetime]:
    """(now, now + ACCESS_EXPIRY_REMINDER_DAYS): grants ending in it are reminded."""
    return now, now + datetime.timedelta(days=settings.ACCESS_EXPIRY_REMINDER_DAYS)


def admins_of(org, now) -> list[User]:
    """The org's current Org Admins (their own membership not ended at `now`)."""
    return list(
        User.objects.filter(
            org_memberships__in=OrgMembership.objects.filter(
                current(now), org=org, role=OrgRole.ADMIN
            ),
            is_active=True,
        ).order_by("email")
    )


def _email(subject_template, body_template, context, recipients, *, bcc=False) -> None:
    subject = " ".join(render_to_string(subject_template, context).split())
    body = render_to_string(body_template, context)
    to, hidden = ([], recipients) if bcc else (recipients, [])
    EmailMessage(subject, body, None, to, bcc=hidden).send()


@service
def reminder_send(*, actor, ending: Ending, now: datetime.datetime) -> bool:
    """Email the people whose access `ending` ends, and the org's admins, unless that was done
    for this grant and end already (False; also when the grant is gone or its end moved).

    The ExpiryReminder row is inserted first, in this transaction, and the emails are sent
    before it commits: a second worker at the same moment waits on its unique key, then skips
    (or gives up at the lock timeout: reminders_send moves on); an SMTP error (OSError) rolls
    the row back, so the next run tries again. The org's lock (the activity chain head) is
    taken only by the entry written last, never while the SMTP server is talked to."""
    current = MODELS[ending.kind].objects.filter(pk=ending.grant.pk).values_list("until", flat=True)
    if list(current) != [ending.until] or not expiry.is_current(ending.until, now):
        return False
    org, people = ending.org, [p for p in ending.people() if p.is_active]
    admins = admins_of(org, now)
    recipients = sorted({u.email for u in [*people, *admins]})
    try:
        with transaction.atomic():
            ExpiryReminder.objects.create(
                org=org,
                kind=ending.kind,
                grant_id=ending.grant.pk,
                until=ending.until,
                user=getattr(ending.grant, "user", None),
                recipients=recipients,
                sent_at=now,
            )
    except IntegrityError:  # reminded already (or by another worker just now)
        return False
    context = {
        "org": org,
        "what": ending.describe(),
        "people": people,
        "last_day": expiry.last_day(ending.until),
        "until": ending.until,
        "time_zone": settings.TIME_ZONE,
        "url": _manage_url(ending),
    }
    if people:
        _email(
            "orgs/email/expiry_member_subject.txt",
            "orgs/email/expiry_member_body.txt",
            context,
            [p.email for p in people],
            bcc=len(people) > 1,
        )
    if admins:
        _email(
            "orgs/email/expiry_admin_subject.txt",
            "orgs/email/expiry_admin_body.txt",
            context,
            [a.email for a in admins],
            bcc=len(admins) > 1,
        )
    label = f"{', '.join(p.email for p in people) or 'nobody'}: {ending.describe()}"
    record(
        action="created",
        org=org,
        entity_type="expiry_reminder",
        entity_id=f"{ending.kind}:{ending.grant.pk}",
        entity_label=label[:255],
        workspace=ending.workspace,
        changes={
            "ends": [None, expiry.last_day(ending.until).isoformat()],
            "recipients": [None, recipients],
        },
    )
    return True


def _manage_url(ending: Ending) -> str:
    """Where an admin changes the end: the member's profile, or the team's page."""
    org = ending.org
    if ending.kind in (GrantKind.TEAM_MEMBER, GrantKind.TEAM_ACCESS):
        path = reverse("orgs:team", kwargs={"org_slug": org.slug, "team_id": ending.grant.team_id})
    else:
        path = reverse(
            "orgs:user_profile", kwargs={"org_slug": org.slug, "user_id": ending.grant.user_id}
        )
    return settings.SITE_URL.rstrip("/") + path


def reminders_send(
    *, actor=EXPIRY_ACTOR, now=None, org=None, run: ExpiryRun | None = None
) -> ExpiryRun:
    """Send the reminders that are due at `now` (default: this moment): grants ending within
    ACCESS_EXPIRY_REMINDER_DAYS not reminded for that end yet. SMTP errors are logged and the
    reminder is tried again on the next run; one another worker holds is left to it."""
    now = now or timezone.now()
    run = run or ExpiryRun()
    start, end = reminder_window(now)
    due = endings(after=start, until_at_most=end, org=org)
    done = set(
        ExpiryReminder.objects.filter(until__gt=start, until__lte=end).values_list(
            "kind", "grant_id", "until"
        )
    )
    for ending in due:
        if (ending.kind, ending.grant.pk, ending.until) in done:
            continue
        try:
            if reminder_send(actor=actor, ending=ending, now=now):
                run.reminded += 1
        except OSError as error:  # smtplib's errors: tried again on the next run
            logger.warning("Expiry reminder not sent (%s): %s", ending.describe(), error)
        except OperationalError as error:  # another worker is sending it (lock timeout)
            logger.info("Expiry reminder left to another worker (%s): %s", ending.describe(), error)
    return run


def run_expiry(*, actor=EXPIRY_ACTOR, now=None, org=None, remind: bool = True) -> ExpiryRun:
    """The scheduled work: remove expired grants, then send the reminders that are due."""
    now = now or timezone.now()
    run = access_expire(actor=actor, now=now, org=org)
    if remind:
        reminders_send(actor=actor, now=now, org=org, run=run)
    return run
