"""gunicorn settings for a flowadmin web instance (`gunicorn flowadmin.wsgi`; README
"Deployment"). Every value can be overridden from the environment or the command line."""

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", f"0.0.0.0:{os.environ.get('PORT', '8000')}")
# Processes: two per core plus one by default (requests mostly wait on PostgreSQL and Redis);
# threads let each process overlap those waits without more memory per request.
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))
worker_class = os.environ.get("GUNICORN_WORKER_CLASS", "gthread")
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
# Seconds: a request stuck longer is killed and its worker replaced; large CSV exports run as
# background tasks, so no page needs more.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 30  # a deploy's SIGTERM lets requests in flight finish
keepalive = 5  # seconds an idle connection from the load balancer stays open
# Recycle workers now and then so a slow leak can't grow without bound; the jitter keeps them
# from restarting together.
max_requests = 2000
max_requests_jitter = 200
# Heartbeat files in memory, not on a possibly slow disk.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None
# X-Forwarded-* are trusted from these load balancer addresses only.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
# Off unless set ("-": stdout); Django logs every error with its request id anyway.
accesslog = os.environ.get("GUNICORN_ACCESS_LOG") or None
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms id=%({x-request-id}o)s'


def child_exit(server, worker):
    """With PROMETHEUS_MULTIPROC_DIR set (an empty directory per instance), /metrics merges
    every worker's metrics; a worker that exits leaves its gauges behind."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
