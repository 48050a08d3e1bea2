"""Operations endpoints: `/readyz` (django-health-check: database, cache, storage and, when a
broker is configured, a Celery worker answering ping) and `/metrics` (django-prometheus'
request, latency-by-view and database metrics, plus the task queue's depth), the latter only
for the addresses in settings.METRICS_ALLOWED_IPS. `/healthz` (liveness) is flowadmin.views."""

import ipaddress
import os

from django.conf import settings
from django.http import Http404, HttpResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from health_check.views import HealthCheckView
from prometheus_client import CollectorRegistry, generate_latest, multiprocess
from prometheus_client.core import REGISTRY, GaugeMetricFamily

from .celery import app as celery_app


class ReadyView(HealthCheckView):
    """200 when every check passes, else 500; JSON with ?format=json or Accept."""

    def get_checks(self):
        """Every service a request may need. A worker is only required when tasks go through a
        broker (with none they run in the web process)."""
        self.checks = ["health_check.checks.Database", "health_check.checks.Cache"]
        self.checks.append("health_check.checks.Storage")
        if not settings.CELERY_TASK_ALWAYS_EAGER:
            self.checks.append("health_check.contrib.celery.Ping")
        return super().get_checks()


readyz = ReadyView.as_view()


class QueueDepthCollector:
    """`flowadmin_task_queue_depth{queue=…}`: tasks waiting in the Redis broker's queue (a
    Redis list of the queue's name), read at scrape time. Nothing is reported without a
    Redis broker."""

    def collect(self):
        url = settings.CELERY_BROKER_URL
        if not url.startswith(("redis://", "rediss://")):
            return
        queue = settings.CELERY_TASK_DEFAULT_QUEUE
        with celery_app.connection_for_write() as connection:
            depth = connection.default_channel.client.llen(queue)
        gauge = GaugeMetricFamily(
            "flowadmin_task_queue_depth", "Tasks waiting in the queue.", labels=["queue"]
        )
        gauge.add_metric([queue], depth)
        yield gauge


_QUEUE = CollectorRegistry(auto_describe=False)
_QUEUE.register(QueueDepthCollector())


def _allowed(ip: str | None) -> bool:
    if not ip:
        return False
    address = ipaddress.ip_address(ip)
    return any(
        address in ipaddress.ip_network(allowed, strict=False)
        for allowed in settings.METRICS_ALLOWED_IPS
    )


@require_GET
@never_cache
def metrics(request):
    """Prometheus' text format. Under gunicorn with PROMETHEUS_MULTIPROC_DIR set, the metrics
    of every worker process are merged (gunicorn.conf.py). 404 for other addresses."""
    if not _allowed(request.META.get("REMOTE_ADDR")):
        raise Http404("No such page.")
    if "PROMETHEUS_MULTIPROC_DIR" in os.environ:
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
    else:
        registry = REGISTRY
    body = generate_latest(registry) + generate_latest(_QUEUE)
    return HttpResponse(body, content_type="text/plain; version=0.0.4; charset=utf-8")
