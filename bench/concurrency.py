"""`python -m bench --concurrency`: the concurrency probe. Starts gunicorn (production settings,
4 sync workers) on DATABASE_URL, then sends a mixed workload of console writes from many
logged-in Org Admins at once — threads released together by a barrier — and prints requests,
5xx, latency p50/p99 and activity entries against the rows they describe.

The workload (one kind per request, in turn): flow create; workspace role and flag change of a
member; org role change; team member add; and, with --exports, audience CSV exports (reads that
on SQLite must not make writers fail with "database is locked")."""

from __future__ import annotations

import base64
import http.client
import importlib
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.core.management import call_command
from django.utils.crypto import get_random_string

from orgs.roles import FLAGS

ORG_SLUG = "concurrency"
PEOPLE = 8  # members whose roles the admins change


@dataclass
class Outcome:
    statuses: list[int] = field(default_factory=list)
    seconds: list[float] = field(default_factory=list)
    kinds: list[str] = field(default_factory=list)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def seed(admins: int):
    """A fresh org with `admins` Org Admins (each with a session), a workspace, a team and
    PEOPLE members; returns (org, workspace, team, people, session keys)."""
    from orgs.models import Organization, OrgMembership, Team, User
    from workspaces.models import Workspace

    Organization.objects.filter(slug=ORG_SLUG).delete()
    User.objects.filter(email__endswith=f"@{ORG_SLUG}.test").delete()
    org = Organization.objects.create(name="Concurrency probe", slug=ORG_SLUG)
    ws = Workspace.objects.create(org=org, name="Probe", slug="probe")
    team = Team.objects.create(org=org, name="Probe team")
    sessions = []
    for n in range(admins):
        user = User.objects.create_user(email=f"admin{n}@{ORG_SLUG}.test", password=None)
        OrgMembership.objects.create(org=org, user=user, role="admin")
        session = importlib.import_module(settings.SESSION_ENGINE).SessionStore()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.create()
        sessions.append(session.session_key)
    people = []
    for n in range(PEOPLE):
        user = User.objects.create_user(email=f"person{n}@{ORG_SLUG}.test", password=None)
        OrgMembership.objects.create(org=org, user=user, role="user")
        people.append(user)
    return org, ws, team, people, sessions


def plan(n: int, org, ws, team, people, exports: int, writes: int) -> list[tuple[str, str, dict]]:
    """The n-th request of the mix: (kind, path, POST data or None for a GET)."""
    base = f"/orgs/{org.slug}"
    person = people[(n // 4) % len(people)]
    if exports and n % max(1, (writes + exports) // exports) == 0:
        return ("export", f"{base}/w/{ws.slug}/audience/export.csv", None)
    kind = n % 4
    if kind == 0:
        data = {
            "name": f"Probe flow {n}",
            "destination_url": "https://example.com/",
            "status": "active",
        }
        return ("flow create", f"{base}/w/{ws.slug}/flows/new/", data)
    if kind == 1:
        role = ["viewer", "editor", "admin"][n % 3]
        data = {"role": role, FLAGS[0]: "on"} if role != "admin" else {"role": role}
        return ("workspace role", f"{base}/users/{person.pk}/workspaces/{ws.pk}/", data)
    if kind == 2:
        return ("org role", f"{base}/users/{person.pk}/role/", {"role": ["admin", "user"][n % 2]})
    return ("team member add", f"{base}/teams/{team.pk}/members/", {"email": person.email})


def request(port, session_key, kind, path, data, outcome: Outcome, lock: threading.Lock):
    csrf = get_random_string(32)
    headers = {"Cookie": f"sessionid={session_key}; csrftoken={csrf}", "X-CSRFToken": csrf}
    body = None
    if data is not None:
        body = urlencode(data)
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    started = time.perf_counter()
    try:
        connection.request("POST" if data is not None else "GET", path, body, headers)
        response = connection.getresponse()
        response.read()
        status = response.status
    except (OSError, http.client.HTTPException):
        status = 599  # no answer at all: counted with the server errors
    finally:
        connection.close()
    with lock:
        outcome.statuses.append(status)
        outcome.seconds.append(time.perf_counter() - started)
        outcome.kinds.append(kind)


def same_activity_keys() -> dict:
    """The activity log keys this process uses, as production's environment variables, so the
    server's entries verify here (the development keys are derived from SECRET_KEY)."""
    from audit import keys

    if settings.ACTIVITY_CHAIN_KEYS:
        return {
            "ACTIVITY_CHAIN_KEYS": settings.ACTIVITY_CHAIN_KEYS,
            "ACTIVITY_SIGNING_KEY": settings.ACTIVITY_SIGNING_KEY,
        }
    encode = lambda raw: base64.b64encode(raw).decode()  # noqa: E731
    return {
        "ACTIVITY_CHAIN_KEYS": ",".join(f"{k}:{encode(v)}" for k, v in keys.chain_keys().items()),
        "ACTIVITY_SIGNING_KEY": encode(keys._derived("checkpoint")),
    }


def crypto_keys() -> list[str]:
    from orgs import crypto

    return [*settings.FIELD_ENCRYPTION_KEYS, crypto.derived_key().decode()]


def start_gunicorn(port: int, workers: int) -> subprocess.Popen:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "flowadmin.settings.production",
        "SECRET_KEY": settings.SECRET_KEY,  # the sessions were signed with it
        **same_activity_keys(),
        # The keys this process encrypts with (production requires them to be listed).
        "FIELD_ENCRYPTION_KEYS": ",".join(crypto_keys()),
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "False",
        "STATIC_ROOT": os.environ.get("STATIC_ROOT") or tempfile.mkdtemp(prefix="fa-static-"),
    }
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
        cwd=settings.BASE_DIR,
        env=env,
        check=True,
    )
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "flowadmin.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--log-level",
            "warning",
        ],  # fmt: skip
        cwd=settings.BASE_DIR,
        env=env,
    )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if answers(port, "/healthz"):
            return server
        time.sleep(0.2)
    server.kill()
    raise RuntimeError(f"gunicorn did not answer /healthz on port {port} within 120 s")


def answers(port: int, path: str) -> bool:
    """Whether the server on `port` answers GET `path` with a 200: a worker has loaded the
    app (the port accepts connections before that, while the workers import Django)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    try:
        connection.request("GET", path)
        return connection.getresponse().status == 200
    except (OSError, http.client.HTTPException):
        return False
    finally:
        connection.close()


def percentile(values, fraction) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def run(*, writes=200, threads=20, exports=0, port=None, workers=4, out=print) -> int:
    """Run the probe; print the table; return 0 when no request got a 5xx, else 1."""
    from audit.integrity import verify_chain
    from audit.models import ActivityEntry
    from orgs.models import TeamMembership
    from workspaces.models import Flow

    call_command("migrate", verbosity=0)
    org, ws, team, people, sessions = seed(threads)
    first_seq = ActivityEntry.objects.filter(org_id=org.pk).order_by("-seq").first().seq
    port = port or free_port()
    total = writes + exports
    work = [plan(n, org, ws, team, people, exports, writes) for n in range(total)]
    outcome, lock = Outcome(), threading.Lock()
    barrier = threading.Barrier(threads)

    def worker(i):
        barrier.wait()
        for n in range(i, total, threads):
            kind, path, data = work[n]
            request(port, sessions[i], kind, path, data, outcome, lock)

    server = start_gunicorn(port, workers)
    try:
        started = time.perf_counter()
        pool = [threading.Thread(target=worker, args=(i,)) for i in range(threads)]
        for thread in pool:
            thread.start()
        for thread in pool:
            thread.join()
        elapsed = time.perf_counter() - started
    finally:
        server.terminate()
        try:
            server.wait(10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()

    errors = [s for s in outcome.statuses if s >= 500]
    entries = ActivityEntry.objects.filter(org_id=org.pk, seq__gt=first_seq)
    flows = Flow.objects.filter(workspace=ws).count()
    members = TeamMembership.objects.filter(team=team).count()
    out(f"Concurrency probe on {settings.DATABASES['default']['ENGINE'].rsplit('.', 1)[-1]}: ")
    out(f"  gunicorn: {workers} sync workers, production settings, port {port}")
    requests = f"{len(outcome.statuses)} ({writes} writes, {exports} exports)"
    out(f"  requests: {requests} over {threads} threads in {elapsed:.1f} s")
    statuses = Counter(outcome.statuses)
    out(f"  5xx: {len(errors)}; all answers: {dict(sorted(statuses.items()))}")
    p50, p99 = (percentile(outcome.seconds, q) * 1000 for q in (0.5, 0.99))
    out(f"  latency: p50 {p50:.0f} ms, p99 {p99:.0f} ms")
    flow_entries = entries.filter(entity_type="flow", action="created").count()
    member_entries = entries.filter(entity_type="team_member", action="created").count()
    out(f"  flows: {flows} rows, {flow_entries} created entries")
    out(f"  team members: {members} rows, {member_entries} created entries")
    out(f"  activity entries written: {entries.count()}; chain intact: {verify_chain(org.pk).ok}")
    return 1 if errors else 0
