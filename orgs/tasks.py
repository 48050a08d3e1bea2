"""Background tasks of orgs (Celery, flowadmin/celery.py): invitation emails and the
invitation expiry of the beat schedule. Each task is idempotent: running it twice has the
effect of running it once."""

from celery import shared_task
from django.conf import settings

from audit.context import task_actor

from . import invitations, services


def retry_delay(retries: int) -> int:
    """Seconds before retry number `retries` + 1: settings.INVITATION_EMAIL_RETRY_SECONDS
    (30 s), doubling each time, at most 60 times that (30 minutes)."""
    base = settings.INVITATION_EMAIL_RETRY_SECONDS
    return min(base * 2**retries, base * 60)


@shared_task(bind=True, max_retries=settings.INVITATION_EMAIL_RETRIES)
def send_invitation_email(self, invitation_id: int, token_hash: str, subject: str, body: str):
    """Email an invitation (subject and body rendered by the web process that issued the
    token). SMTP errors are retried with growing delays; once the retries are spent — at once
    when tasks run eagerly, as a request can't wait — the invitation shows "not delivered"."""
    ids = {"invitation_id": invitation_id, "token_hash": token_hash}
    with task_actor("worker"):
        try:
            invitations.invitation_email_send(actor="worker", subject=subject, body=body, **ids)
        except OSError as error:  # smtplib's errors are OSErrors
            if self.request.is_eager or self.request.retries >= self.max_retries:
                invitations.invitation_email_failed(actor="worker", error=str(error), **ids)
                return
            raise self.retry(exc=error, countdown=retry_delay(self.request.retries)) from None


@shared_task
def expire_invitations() -> int:
    """Mark pending invitations expired whose link ran out or whose offered membership has
    ended (beat schedule; invitations.invitations_expire); returns how many."""
    with task_actor("scheduler"):
        return invitations.invitations_expire(actor="scheduler")


@shared_task
def expire_domain_claims() -> int:
    """Remove domain claims left unverified past DOMAIN_CLAIM_TTL_DAYS (beat schedule)."""
    with task_actor("scheduler"):
        return services.domain_claims_expire(actor="scheduler")


@shared_task
def expire_access() -> int:
    """Remove the grants whose end has passed and send the reminders that are due (beat
    schedule; orgs.access_expiry, actor "expiry"); returns how many grants were removed."""
    from .access_expiry import EXPIRY_ACTOR, run_expiry

    with task_actor(EXPIRY_ACTOR):
        return run_expiry().removed_total


@shared_task
def close_access_reviews() -> int:
    """Close the access reviews whose deadline has passed (beat schedule): unreviewed items
    are reported to the starter or removed, as each review says; returns how many closed."""
    from .reviews.services import DEADLINE_ACTOR, close_due_reviews

    with task_actor(DEADLINE_ACTOR):
        return len(close_due_reviews(actor=DEADLINE_ACTOR))
