"""Background tasks of the activity log (Celery, flowadmin/celery.py), on the beat schedule:
signed checkpoints of every org's chain and the delivery of the activity streams. Both are
idempotent: a checkpoint is skipped when the head has not moved, and a stream resumes after
its last acknowledged entry."""

from celery import shared_task

from flowadmin.celery import task_actor

from .checkpoints import write_checkpoints
from .streaming import deliver_due


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
