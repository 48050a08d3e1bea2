"""Fixtures of the scale-out tests: several gunicorn instances (and a Celery worker) started as
real processes against the test database, Redis and moto's S3 server, stopped at the end."""

import contextlib
import os
import re
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import requests
from django.db import connection

from tests.services import BIN, free_port, running, s3_client

SECRET_KEY = "scale-out-tests-" + "k" * 40


def database_url() -> str:
    """The test database (created by pytest-django) as a URL for the processes started here."""
    s = connection.settings_dict
    password = f":{s['PASSWORD']}" if s["PASSWORD"] else ""
    return (
        f"postgres://{s['USER']}{password}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}"
        f"/{s['NAME']}"
    )


@dataclass
class Cluster:
    """What the instances share (`env`) and where their logs go; `start` adds an instance."""

    env: dict
    logs: Path
    stack: contextlib.ExitStack
    urls: list[str] = field(default_factory=list)

    def start_web(self, name: str, **extra) -> str:
        """A gunicorn instance (1 worker) with its own MEDIA_ROOT, so a file kept on local disk
        would be seen by this instance only; returns its base URL."""
        port = free_port()
        media = self.logs / f"media-{name}"
        env = {**self.env, "MEDIA_ROOT": str(media), **extra}
        args = [str(BIN / "gunicorn"), "flowadmin.wsgi", "-b", f"127.0.0.1:{port}", "-w", "1"]
        url = f"http://127.0.0.1:{port}"
        self.stack.enter_context(
            running(args, env=env, log=self.logs / f"{name}.log", ready_url=url + "/healthz")
        )
        self.urls.append(url)
        return url

    def start_worker(self, name: str, **extra) -> None:
        """A Celery worker (solo pool) consuming the cluster's broker."""
        args = [str(BIN / "celery"), "-A", "flowadmin", "worker", "-P", "solo", "-l", "INFO"]
        env = {**self.env, **extra}
        self.stack.enter_context(running(args, env=env, log=self.logs / f"{name}.log"))

    def log(self, name: str) -> str:
        return (self.logs / f"{name}.log").read_text()


@pytest.fixture(scope="session")
def broker_url(redis_url):
    """The Celery broker of the tests: $TEST_BROKER_URL (default Redis db 9)."""
    from tests.conftest import require_service
    from tests.services import redis_answers

    url = os.environ.get("TEST_BROKER_URL", "redis://127.0.0.1:6379/9")
    require_service("Redis (Celery broker)", *redis_answers(url))
    return url


@pytest.fixture
def cluster(transactional_db, redis_url, broker_url, s3_server, tmp_path):
    """The shared environment of the instances: the test database, a fresh Redis key prefix, a
    fresh S3 bucket and a Celery broker; instances are started by the test."""
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: run with DATABASE_URL=postgres://…")
    bucket = f"fa-{uuid.uuid4().hex[:12]}"
    s3_client(s3_server).create_bucket(Bucket=bucket)
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PYTEST"))},
        **s3_server["env"],
        "DJANGO_SETTINGS_MODULE": "flowadmin.settings.base",
        "DEBUG": "0",
        "SECRET_KEY": SECRET_KEY,
        "ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_URL": database_url(),
        "REDIS_URL": redis_url,
        "CACHE_KEY_PREFIX": f"test-{uuid.uuid4().hex[:8]}",
        "AWS_STORAGE_BUCKET_NAME": bucket,
        "CELERY_BROKER_URL": broker_url,
        "CELERY_QUEUE": f"test-{uuid.uuid4().hex[:8]}",
        # No instance can send email itself unless a test gives it a working backend.
        "EMAIL_URL": f"smtp://127.0.0.1:{free_port()}",
        "EMAIL_TIMEOUT": "2",
    }
    with contextlib.ExitStack() as stack:
        yield Cluster(env=env, logs=tmp_path, stack=stack)


@pytest.fixture
def real_hashers(settings):
    """Users made by the test sign in on instances that use Django's default hashers, not the
    tests' fast MD5 one."""
    from django.conf import global_settings

    settings.PASSWORD_HASHERS = global_settings.PASSWORD_HASHERS


CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def csrf_token(session: requests.Session, url: str) -> str:
    """The CSRF token of the form on the page at `url` (GET)."""
    response = session.get(url, timeout=20)
    response.raise_for_status()
    return CSRF.search(response.text).group(1)


def post_form(session: requests.Session, url: str, data: dict, files=None, form_url=None):
    """POST a form as a browser would: the token from the page that shows the form."""
    token = csrf_token(session, form_url or url)
    return session.post(
        url,
        data={**data, "csrfmiddlewaretoken": token},
        files=files,
        allow_redirects=False,
        timeout=20,
    )


def sign_in(session: requests.Session, base: str, email: str, password: str):
    return post_form(session, f"{base}/accounts/login/", {"username": email, "password": password})
