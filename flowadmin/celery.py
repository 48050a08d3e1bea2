"""The Celery app: background tasks (invitation emails, large CSV exports) and the schedule run
by `celery -A flowadmin beat` (README "Deployment"). Configured from Django's settings
(CELERY_* names); with no CELERY_BROKER_URL every task runs eagerly, in the process that queued
it, so `make run` needs no broker or worker."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "flowadmin.settings.base")

app = Celery("flowadmin")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
