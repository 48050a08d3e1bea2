"""Background tasks of the activity log (Celery, flowadmin/celery.py)."""

import logging

from celery import shared_task

from flowadmin.celery import task_actor

from . import exports

logger = logging.getLogger(__name__)


@shared_task(bind=True, max_retries=2, default_retry_delay=60)
def build_activity_export(self, job_id: int):
    """Write a large activity export to storage (audit.exports.export_build). Storage or
    database errors are retried twice, a minute apart, then the job shows as failed."""
    with task_actor("worker"):
        try:
            exports.export_build(actor=None, job_id=job_id)
        except Exception as error:
            if self.request.is_eager or self.request.retries >= self.max_retries:
                logger.exception("Activity export %s failed", job_id)
                exports.export_failed(actor=None, job_id=job_id, error=str(error))
                return
            raise self.retry(exc=error) from None
