"""Background tasks of the activity log (Celery, flowadmin/celery.py): large CSV exports on
demand (the activity log's and the audience's) and, on the beat schedule, signed checkpoints
of every org's chain, the delivery of the activity streams and a daily verification. The
scheduled ones are idempotent: a checkpoint is skipped when the head has not moved, and a
stream resumes after its last acknowledged entry."""

import logging

from celery import shared_task

from audit.context import task_actor

from . import exports
from .checkpoints import write_checkpoints
from .integrity import remember, verify_all
from .streaming import deliver_due

logger = logging.getLogger(__name__)


@shared_task(bind=True, max_retries=2, default_retry_delay=60)
def build_export(self, job_id: int):
    """Write a large CSV export of any kind to storage (audit.exports.export_build). Storage or
    database errors are retried twice, a minute apart, then the job shows as failed."""
    with task_actor("worker"):
        try:
            exports.export_build(actor=None, job_id=job_id)
        except Exception as error:
            if self.request.is_eager or self.request.retries >= self.max_retries:
                logger.exception("Export %s failed", job_id)
                exports.export_failed(actor=None, job_id=job_id, error=str(error))
                return
            raise self.retry(exc=error) from None


@shared_task
def checkpoint_activity() -> int:
    """Sign and store a checkpoint of every org's chain head; returns how many were written."""
    with task_actor("scheduler"):
        return sum(1 for written in write_checkpoints() if written.checkpoint is not None)


@shared_task
def deliver_activity_streams() -> int:
    """Deliver the due activity streams; returns how many entries were delivered."""
    with task_actor("scheduler"):
        return sum(delivery.delivered for delivery in deliver_due())


@shared_task
def verify_activity() -> bool:
    """Verify every chain against the checkpoints and keep the result for the Integrity page;
    returns whether everything holds (a failure is also logged as an error)."""
    result = verify_all()
    remember(result)
    if not result.ok:
        bad = [str(r.problem) for r in result.reports if not r.ok] + result.checkpoint_problems
        logger.error("The activity log failed verification: %s", bad[0])
    return result.ok
