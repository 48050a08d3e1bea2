"""SPEC §8: every URL of SPEC §4 × every demo user of SPEC §7 (plus anonymous), checked against
the answers of SPEC §3.3; refused POSTs change nothing."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from orgs.models import Organization, Team, User
from orgs.reviews.models import AccessReview
from orgs.reviews.services import review_start
from workspaces.models import Asset, BrandKit, Flow, FlowTemplate

pytestmark = pytest.mark.django_db

ANON = "anonymous"
ADMIN, WSADMIN, EDITOR, VIEWER = (
    "admin@acme.test",
    "wsadmin@acme.test",
    "editor@acme.test",
    "viewer@acme.test",
)
AUDIENCE, FLOWS, TEAMUSER, OUTSIDER = (
    "audience@acme.test",
    "flows@acme.test",
    "teamuser@acme.test",
    "outsider@acme.test",
)
GLOBEX, OPS = "admin@globex.test", "ops@flowadmin.test"
USERS = [ANON, ADMIN, WSADMIN, EDITOR, VIEWER, AUDIENCE, FLOWS, TEAMUSER, OUTSIDER, GLOBEX, OPS]
ACME_USERS = [WSADMIN, EDITOR, VIEWER, AUDIENCE, FLOWS, TEAMUSER, OUTSIDER]
MARKETING_MEMBERS = [WSADMIN, EDITOR, VIEWER, AUDIENCE, FLOWS]


def answers(ok=(), forbidden=(), not_found=(), anonymous=302):
    """The status per user: `ok` → 200, `forbidden` → 403, everyone else logged in → 404."""
    table = {user: 404 for user in USERS}
    table[ANON] = anonymous
    table.update({user: 403 for user in forbidden})
    table.update({user: 200 for user in ok})
    table.update({user: 404 for user in not_found})
    return table


ORG_CONSOLE = answers(ok=[ADMIN], forbidden=ACME_USERS)
MARKETING_READ = answers(ok=[ADMIN, *MARKETING_MEMBERS])
MARKETING_FLOWS_WRITE = answers(ok=[ADMIN, WSADMIN, EDITOR, FLOWS], forbidden=[VIEWER, AUDIENCE])
MARKETING_ASSETS_WRITE = answers(ok=[ADMIN, WSADMIN, EDITOR], forbidden=[VIEWER, AUDIENCE, FLOWS])
MARKETING_BRAND_WRITE = answers(ok=[ADMIN, WSADMIN, EDITOR], forbidden=[VIEWER, AUDIENCE, FLOWS])
MARKETING_AUDIENCE = answers(ok=[ADMIN, WSADMIN, AUDIENCE], forbidden=[EDITOR, VIEWER, FLOWS])
MARKETING_MANAGE = answers(ok=[ADMIN, WSADMIN], forbidden=[EDITOR, VIEWER, AUDIENCE, FLOWS])
SALES_READ = answers(ok=[ADMIN, TEAMUSER])
SALES_MANAGE = answers(ok=[ADMIN], forbidden=[TEAMUSER])
GLOBEX_CONSOLE = answers(ok=[GLOBEX])
EVERYONE = {user: 200 for user in USERS} | {ANON: 302}
# An access review of all acme's workspaces (ids()): Marketing is reviewed by its admin, the
# other parts by the Org Admin; other members review nothing in it.
REVIEW_QUEUE = answers(ok=[ADMIN, WSADMIN], forbidden=[*ACME_USERS[1:]])
VIEWER_ITEM_DECISION = answers(ok=[WSADMIN], forbidden=[ADMIN, *ACME_USERS[1:]])


def ids():
    """The ids the URL table refers to, taken from the demo data."""
    in_marketing = {"workspace__slug": "marketing", "workspace__org__slug": "acme"}
    flow = Flow.objects.filter(**in_marketing).order_by("pk").first()
    return {
        "flow": flow.pk,
        "code": flow.short_code,
        "template": FlowTemplate.objects.filter(**in_marketing).order_by("pk").first().pk,
        "asset": Asset.objects.filter(**in_marketing).order_by("pk").first().pk,
        "kit": BrandKit.objects.filter(**in_marketing).order_by("pk").first().pk,
        "team": Team.objects.get(org__slug="acme", name="Field Sales").pk,
        "viewer": User.objects.get(email=VIEWER).pk,
        **_review(),
    }


def _review():
    """An open access review of acme (started on first use) and its item for viewer@ in
    Marketing."""
    review = AccessReview.objects.filter(org__slug="acme").first()
    if review is None:
        review = review_start(
            actor="system",
            org=Organization.objects.get(slug="acme"),
            name="Matrix review",
            deadline=timezone.now() + timedelta(days=7),
        )
    item = review.items.get(email=VIEWER, workspace__slug="marketing")
    return {"review": review.pk, "item": item.pk}


REDIRECT_FOR_ALLOWED = "redirect"
m = "/orgs/acme/w/marketing/"
URL_TABLE = [
    ("/", EVERYONE),
    ("/healthz", {user: 200 for user in USERS}),
    ("/orgs/acme/", ORG_CONSOLE),
    ("/orgs/acme/workspaces/", ORG_CONSOLE),
    ("/orgs/acme/teams/", ORG_CONSOLE),
    ("/orgs/acme/teams/{team}/", ORG_CONSOLE),
    ("/orgs/acme/teams/{team}/settings/", ORG_CONSOLE),
    ("/orgs/acme/users/", ORG_CONSOLE),
    ("/orgs/acme/users/{viewer}/", ORG_CONSOLE),
    ("/orgs/acme/access.csv", ORG_CONSOLE),
    ("/orgs/acme/invitations/", ORG_CONSOLE),
    ("/orgs/acme/activity/", ORG_CONSOLE),
    ("/orgs/acme/activity/export.csv", ORG_CONSOLE),
    ("/orgs/acme/activity/integrity/", ORG_CONSOLE),
    ("/orgs/acme/settings/", ORG_CONSOLE),
    ("/orgs/acme/settings/integrations/", ORG_CONSOLE),
    ("/orgs/acme/settings/integrations/activity-stream/", ORG_CONSOLE),
    ("/orgs/acme/settings/sso/", ORG_CONSOLE),
    ("/orgs/acme/settings/domains/", ORG_CONSOLE),
    ("/orgs/acme/settings/scim/", ORG_CONSOLE),
    ("/orgs/acme/reviews/", answers(ok=[ADMIN, *ACME_USERS])),  # each sees the reviews they do
    ("/orgs/acme/reviews/new/", ORG_CONSOLE),
    ("/orgs/acme/reviews/{review}/", ORG_CONSOLE),
    ("/orgs/acme/reviews/{review}/evidence.csv", ORG_CONSOLE),
    ("/orgs/acme/reviews/{review}/queue/", REVIEW_QUEUE),
    # SCIM takes a bearer token only: a console session opens nothing there.
    ("/scim/v2/acme/Users", {user: 401 for user in USERS}),
    ("/orgs/globex/", GLOBEX_CONSOLE),
    ("/orgs/nope/", answers()),
    (m, {**MARKETING_READ, **{u: 302 for u, s in MARKETING_READ.items() if s == 200}}),
    (f"{m}flows/", MARKETING_READ),
    (f"{m}flows/new/", MARKETING_FLOWS_WRITE),
    (f"{m}flows/{{flow}}/", MARKETING_READ),
    (f"{m}flows/{{flow}}/edit/", MARKETING_FLOWS_WRITE),
    (f"{m}flows/{{flow}}/delete/", MARKETING_FLOWS_WRITE),
    (f"{m}flows/{{flow}}/qr.svg", MARKETING_READ),
    (f"{m}flows/{{flow}}/qr.png", MARKETING_READ),
    (f"{m}templates/", MARKETING_READ),
    (f"{m}templates/new/", MARKETING_FLOWS_WRITE),
    (f"{m}templates/{{template}}/", MARKETING_READ),
    (f"{m}templates/{{template}}/edit/", MARKETING_FLOWS_WRITE),
    (f"{m}templates/{{template}}/delete/", MARKETING_FLOWS_WRITE),
    (f"{m}assets/", MARKETING_READ),
    (f"{m}assets/new/", MARKETING_ASSETS_WRITE),
    (f"{m}assets/{{asset}}/", MARKETING_READ),
    (f"{m}assets/{{asset}}/delete/", MARKETING_ASSETS_WRITE),
    (f"{m}brand-kits/", MARKETING_READ),
    (f"{m}brand-kits/new/", MARKETING_BRAND_WRITE),
    (f"{m}brand-kits/{{kit}}/", MARKETING_READ),
    (f"{m}brand-kits/{{kit}}/edit/", MARKETING_BRAND_WRITE),
    (f"{m}brand-kits/{{kit}}/delete/", MARKETING_BRAND_WRITE),
    (f"{m}audience/", MARKETING_AUDIENCE),
    (f"{m}audience/export.csv", MARKETING_AUDIENCE),
    (f"{m}analytics/", MARKETING_READ),
    (f"{m}manage/", {**MARKETING_MANAGE, ADMIN: 302, WSADMIN: 302}),
    (f"{m}manage/members/", MARKETING_MANAGE),
    (f"{m}manage/teams/", MARKETING_MANAGE),
    (f"{m}manage/domains/", MARKETING_MANAGE),
    (f"{m}manage/integrations/", MARKETING_MANAGE),
    (f"{m}manage/settings/", MARKETING_MANAGE),
    ("/orgs/acme/w/sales/flows/", SALES_READ),
    ("/orgs/acme/w/sales/flows/new/", answers(ok=[ADMIN, TEAMUSER])),
    ("/orgs/acme/w/sales/manage/members/", SALES_MANAGE),
    ("/orgs/acme/w/events/flows/", answers(ok=[ADMIN])),
    ("/orgs/globex/w/main/flows/{flow}/", answers()),  # acme's flow id under globex
    ("/orgs/globex/w/main/flows/", answers(ok=[GLOBEX])),
    ("/s/{code}", {user: 302 for user in USERS}),
    ("/s/doesnotexist", {user: 404 for user in USERS}),
    ("/admin/", {user: 302 for user in USERS} | {OPS: 200}),
]


@pytest.mark.parametrize("url,expected", URL_TABLE, ids=[url for url, _ in URL_TABLE])
def test_every_demo_user_gets_the_spec_answer(client, demo, url, expected):
    url = url.format(**ids())
    mismatches = []
    for email in USERS:
        client.logout()
        if email != ANON:
            client.force_login(demo[email])
        got = client.get(url).status_code
        if got != expected[email]:
            mismatches.append(f"{email}: GET {url} → {got}, expected {expected[email]}")
    assert not mismatches, "\n".join(mismatches)


@pytest.mark.parametrize(
    "url", [u for u, e in URL_TABLE if e[ANON] == 302 and "/s/" not in u and u != "/admin/"]
)
def test_anonymous_is_sent_to_login_with_next(client, demo, url):
    url = url.format(**ids())
    response = client.get(url)
    assert response["Location"] == f"{reverse('login')}?next={url}"


# --- refused POSTs change nothing ------------------------------------------------------------

POST_TABLE = [
    ("/orgs/acme/workspaces/", {"name": "Launch", "slug": "launch"}, ORG_CONSOLE),
    ("/orgs/acme/teams/", {"name": "Night shift"}, ORG_CONSOLE),
    ("/orgs/acme/teams/{team}/delete/", {}, ORG_CONSOLE),
    ("/orgs/acme/users/{viewer}/role/", {"role": "admin"}, ORG_CONSOLE),
    ("/orgs/acme/users/{viewer}/remove/", {}, ORG_CONSOLE),
    ("/orgs/acme/users/invite/", {"email": "new@acme.test", "role": "admin"}, ORG_CONSOLE),
    ("/orgs/acme/settings/", {"description": "changed"}, ORG_CONSOLE),
    ("/orgs/acme/settings/domains/", {"hostname": "go.acme.example"}, ORG_CONSOLE),
    ("/orgs/acme/settings/scim/", {"name": "Okta"}, ORG_CONSOLE),
    ("/orgs/acme/settings/integrations/activity-stream/", {"destination": "sink"}, ORG_CONSOLE),
    ("/orgs/acme/reviews/new/", {"name": "R", "deadline": "2099-01-01T10:00"}, ORG_CONSOLE),
    ("/orgs/acme/reviews/{review}/close/", {}, ORG_CONSOLE),
    ("/orgs/acme/reviews/{review}/reviewers/", {"scope": "org", "email": EDITOR}, ORG_CONSOLE),
    (
        "/orgs/acme/reviews/{review}/items/{item}/",
        {"decision": "remove", "confirmed": "1"},
        VIEWER_ITEM_DECISION,
    ),
    (f"{m}flows/new/", {"name": "X", "destination_url": "https://x.test/"}, MARKETING_FLOWS_WRITE),
    (f"{m}flows/{{flow}}/delete/", {}, MARKETING_FLOWS_WRITE),
    (f"{m}templates/{{template}}/delete/", {}, MARKETING_FLOWS_WRITE),
    (f"{m}brand-kits/{{kit}}/delete/", {}, MARKETING_BRAND_WRITE),
    (f"{m}assets/{{asset}}/delete/", {}, MARKETING_ASSETS_WRITE),
    (f"{m}manage/settings/", {"name": "Renamed", "slug": "renamed"}, MARKETING_MANAGE),
    (f"{m}manage/members/add/", {"email": OUTSIDER, "role": "admin"}, MARKETING_MANAGE),
]


def fingerprint():
    """Row counts and the newest id of every table the console writes, activity log included."""
    from django.apps import apps

    result = {}
    for label in ("orgs", "workspaces", "audit"):
        for model in apps.get_app_config(label).get_models():
            rows = model._base_manager.order_by("-pk").values_list("pk", flat=True)
            result[model._meta.label] = (rows.count(), rows.first())
    result["names"] = tuple(Team.objects.order_by("pk").values_list("name", flat=True)) + tuple(
        Flow.objects.order_by("pk").values_list("name", "status")
    )
    return result


@pytest.mark.parametrize("url,data,expected", POST_TABLE, ids=[u for u, _, _ in POST_TABLE])
def test_refused_posts_change_nothing(client, demo, url, data, expected):
    url = url.format(**ids())
    before = fingerprint()
    mismatches = []
    for email in USERS:
        if expected[email] == 200:
            continue
        client.logout()
        if email != ANON:
            client.force_login(demo[email])
        got = client.post(url, data).status_code
        if got != expected[email]:
            mismatches.append(f"{email}: POST {url} → {got}, expected {expected[email]}")
    assert not mismatches, "\n".join(mismatches)
    assert fingerprint() == before
