"""`python -m bench.scim [--users N] [--groups N] [--port P] [--workers W]`: provision N users
and N groups through the SCIM API with one token, over HTTP on loopback, and print the time per
request (p50/p99 by kind) and the total.

What it does, against DATABASE_URL (migrated; `make bench-scim`):
1. resets the org `scim-bench` (its admin, a fresh SCIM token named "bench");
2. starts gunicorn (W sync workers, default 2) on 127.0.0.1:P (default: a free port), with the
   token's rate limit raised so the limiter does not pace the run (it would answer 429);
3. one client, one keep-alive connection, requests in sequence as an IdP pushes them:
   POST /Users × N (Okta's create body), POST /Groups × G (empty), then one PATCH per group
   adding its share of the users (N/G members per request), then GET /Users at the maximum
   page size until every user is read;
4. checks the org ends with N + 1 members and G managed teams, prints the table.
"""

from __future__ import annotations

import argparse
import math
import os
import sys
import time
from collections import defaultdict
from pathlib import Path

ORG_SLUG = "scim-bench"
ADMIN_EMAIL = "admin@scim-bench.example.com"
USER_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:User"
GROUP_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:Group"
PATCH_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:PatchOp"


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m bench.scim", description=__doc__.split("\n")[0])
    p.add_argument("--users", type=int, default=10_000, help="users to create (default 10,000)")
    p.add_argument("--groups", type=int, default=100, help="groups to create (default 100)")
    p.add_argument("--port", type=int, default=0, help="gunicorn's port (default: a free one)")
    p.add_argument("--workers", type=int, default=2, help="gunicorn workers (default 2)")
    return p


def percentile(values: list[float], share: float) -> float:
    """The `share` (0–1) percentile of `values`, nearest-rank (seconds in, seconds out)."""
    ordered = sorted(values)
    rank = math.ceil(share * len(ordered))  # 1-based
    return ordered[min(max(rank, 1), len(ordered)) - 1]


def reset_org():
    """A fresh `scim-bench` org with its admin; returns (org, token text)."""
    from orgs import services
    from orgs.models import Organization, User
    from orgs.scim import tokens

    Organization.objects.filter(slug=ORG_SLUG).delete()
    admin = User.objects.filter(email=ADMIN_EMAIL).first() or User.objects.create_user(
        email=ADMIN_EMAIL
    )
    org = services.org_create(actor=None, name="SCIM bench", slug=ORG_SLUG, admin=admin)
    _token, text = tokens.token_create(actor=None, org=org, name="bench")
    return org, text


class Timer:
    def __init__(self, session, base):
        self.session, self.base = session, base
        self.times: dict[str, list[float]] = defaultdict(list)

    def call(self, kind, method, path, expect, **kwargs):
        started = time.perf_counter()
        response = self.session.request(method, self.base + path, **kwargs)
        self.times[kind].append(time.perf_counter() - started)
        if response.status_code != expect:
            raise SystemExit(
                f"{method} {path}: {response.status_code} (expected {expect}): "
                f"{response.text[:300]}"
            )
        return response.json() if response.content else None


def provision(timer: Timer, users: int, groups: int, say) -> None:
    ids = []
    for n in range(users):
        email = f"person{n:05d}@scim-bench.example.com"
        body = {
            "schemas": [USER_SCHEMA],
            "userName": email,
            "name": {"givenName": "Person", "familyName": f"{n:05d}"},
            "emails": [{"primary": True, "value": email, "type": "work"}],
            "displayName": f"Person {n:05d}",
            "externalId": f"00u{n:08d}",
            "active": True,
        }
        ids.append(timer.call("POST /Users", "POST", "Users", 201, json=body)["id"])
        if (n + 1) % 1000 == 0:
            say(f"  {n + 1:,} users")
    share = max(1, users // groups) if groups else 0
    for g in range(groups):
        body = {"schemas": [GROUP_SCHEMA], "displayName": f"Group {g:03d}", "externalId": f"g{g}"}
        gid = timer.call("POST /Groups", "POST", "Groups", 201, json=body)["id"]
        members = [{"value": uid} for uid in ids[g * share : (g + 1) * share]]
        patch = {
            "schemas": [PATCH_SCHEMA],
            "Operations": [{"op": "add", "path": "members", "value": members}],
        }
        timer.call(f"PATCH /Groups (+{share} members)", "PATCH", f"Groups/{gid}", 200, json=patch)
    say(f"  {groups} groups")
    start, read = 1, 0
    while read < users + 1:
        page = timer.call(
            "GET /Users (200 per page)", "GET", "Users", 200, params={"startIndex": start}
        )
        read += page["itemsPerPage"]
        start += page["itemsPerPage"]
        if not page["itemsPerPage"]:
            break


def run(argv=None) -> int:
    args = parser().parse_args(argv)
    import requests
    from django.conf import settings
    from django.db import connection

    from orgs.models import OrgMembership, Team
    from tests.services import free_port, running

    def say(text):
        print(text, flush=True)

    org, token = reset_org()
    port = args.port or free_port()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "SCIM_RATE_LIMIT": "1000000",
    }
    log = Path(settings.BASE_DIR) / "bench" / "scim-gunicorn.log"
    gunicorn = [
        str(Path(sys.executable).parent / "gunicorn"),
        "flowadmin.wsgi",
        "-b",
        f"127.0.0.1:{port}",
        "-w",
        str(args.workers),
        "--keep-alive",
        "30",
    ]
    base = f"http://127.0.0.1:{port}/scim/v2/{ORG_SLUG}/"
    say(
        f"SCIM bench on {connection.vendor} ({settings.DATABASES['default']['NAME']}): "
        f"{args.users:,} users, {args.groups} groups, gunicorn {args.workers} workers, "
        f"load average before {os.getloadavg()[0]:.2f}"
    )
    with running(gunicorn, env=env, log=log, ready_url=base + "ServiceProviderConfig"):
        session = requests.Session()
        session.headers.update(
            {"Authorization": f"Bearer {token}", "Content-Type": "application/scim+json"}
        )
        timer = Timer(session, base)
        started = time.perf_counter()
        provision(timer, args.users, args.groups, say)
        total = time.perf_counter() - started
        load = os.getloadavg()
    members = OrgMembership.objects.filter(org=org).count()
    teams = Team.objects.filter(org=org, managed_by_idp=True).count()
    say("")
    say(f"{'request':34} {'count':>7} {'p50 ms':>8} {'p99 ms':>8} {'max ms':>8}")
    for kind, values in timer.times.items():
        say(
            f"{kind:34} {len(values):7,} {percentile(values, 0.5) * 1000:8.1f} "
            f"{percentile(values, 0.99) * 1000:8.1f} {max(values) * 1000:8.1f}"
        )
    requests_made = sum(len(v) for v in timer.times.values())
    say(
        f"\ntotal: {requests_made:,} requests in {total:.1f} s ({requests_made / total:.1f}/s); "
        f"org now has {members:,} members and {teams} managed teams; "
        f"load average (1/5/15 min) {load[0]:.2f} / {load[1]:.2f} / {load[2]:.2f}"
    )
    if members != args.users + 1 or teams != args.groups:
        say("bench: the org does not have the members and teams provisioned.")
        return 1
    return 0


def main(argv=None) -> int:
    from bench.__main__ import setup_django

    setup_django()
    return run(argv)


if __name__ == "__main__":
    sys.exit(main())
