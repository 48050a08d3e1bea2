"""The product's rules as one table (SPEC §3.3, §4, §7): who gets what at every URL.

The personas are the demo users of SPEC §7 plus an anonymous visitor, defined once below with
what SPEC §3 gives each of them. Every URL row names the capability it needs; the answer each
persona must get follows from the two:

    anonymous                          → 302 to the login page, with ?next= the URL
    cannot see the org / workspace     → 404
    sees it, lacks the capability      → 403, naming the role or flag that would allow it
    has it                             → 200 for a GET (or the row's redirect);
                                         a POST goes through (302) and changes something

Three columns, one test item per row in each:

    GET         every persona;
    POST        every persona, each in a savepoint: a refusal changes nothing, an allowed POST
                changes something (so the refusals are real);
    foreign id  each id in the URL swapped for one of another workspace or another org, the
                org or workspace slug swapped for one that does not exist, and the other org's
                admin sent to the same route of their own org with this org's ids: 404 where
                the persona would be let in, and nothing changed.

And the policy matrix without the database: every persona × capability answered from memory
with 0 queries (`test_policy_matrix`).
"""

import re
import shutil
import sys
from dataclasses import dataclass, field
from datetime import timedelta
from urllib.parse import urlencode

import pytest
from django.conf import settings
from django.db import connection, transaction
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from orgs import domains
from orgs.models import Organization, Team, User
from orgs.permissions import CAPABILITIES, FLAGS, ORG, WORKSPACE, requirement
from orgs.permissions import _build_access as build_access
from orgs.reviews.models import AccessReviewItem
from orgs.reviews.services import review_start
from tests import demo_snapshot
from tests.factories import (
    DomainFactory,
    FlowFactory,
    IntegrationInstallationFactory,
    InvitationFactory,
    OrgMembershipFactory,
    TeamAccessFactory,
    TeamFactory,
    TeamMembershipFactory,
    UserFactory,
    WorkspaceMembershipFactory,
)
from tests.workspaces.content.conftest import make_content
from tests.workspaces.content.images import PDF, upload
from workspaces.models import Flow

# --- the personas and what SPEC §3 gives them ----------------------------------------------

VIEW, MANAGE, ASSETS = "ws.view", "ws.manage", "ws.manage_assets"
FLOWS, KITS, AUDIENCE = "ws.manage_flows", "ws.manage_brand_kits", "ws.view_audience"
WS_ADMIN_CAPS = frozenset({VIEW, MANAGE, ASSETS, FLOWS, KITS, AUDIENCE})
WS_EDITOR_CAPS = frozenset({VIEW, ASSETS, FLOWS, KITS})
WORKSPACES = {"acme": ("marketing", "sales", "events"), "globex": ("main",)}


@dataclass(frozen=True)
class Persona:
    email: str | None  # None: anonymous
    orgs: dict = field(default_factory=dict)  # org slug → org role
    workspaces: dict = field(default_factory=dict)  # "org/ws" → capabilities there

    def capabilities(self, org: str, ws: str) -> frozenset | None:
        """What the persona may do in org/ws; None when they cannot see it."""
        if ws not in WORKSPACES.get(org, ()):
            return None
        if self.orgs.get(org) == "admin":
            return WS_ADMIN_CAPS  # an Org Admin is Workspace Admin everywhere (SPEC §3.1)
        return self.workspaces.get(f"{org}/{ws}")


ANONYMOUS = "anonymous"
ORG_ADMIN = "org admin"
WS_ADMIN = "workspace admin"
EDITOR = "editor"
VIEWER = "viewer"
AUDIENCE_VIEWER = "audience viewer"
FLOWS_MANAGER = "flows manager"
TEAM_MEMBER = "team member"
ORG_USER = "org user"
OTHER_ORG_ADMIN = "other org admin"
SUPERUSER = "superuser"

MEMBER = {"acme": "user"}
PERSONAS = {
    ANONYMOUS: Persona(None),
    ORG_ADMIN: Persona("admin@acme.test", {"acme": "admin"}),
    WS_ADMIN: Persona("wsadmin@acme.test", MEMBER, {"acme/marketing": WS_ADMIN_CAPS}),
    EDITOR: Persona("editor@acme.test", MEMBER, {"acme/marketing": WS_EDITOR_CAPS}),
    VIEWER: Persona("viewer@acme.test", MEMBER, {"acme/marketing": {VIEW}}),
    AUDIENCE_VIEWER: Persona("audience@acme.test", MEMBER, {"acme/marketing": {VIEW, AUDIENCE}}),
    FLOWS_MANAGER: Persona("flows@acme.test", MEMBER, {"acme/marketing": {VIEW, FLOWS}}),
    # Workspace Editor of sales through the team Field Sales
    TEAM_MEMBER: Persona("teamuser@acme.test", MEMBER, {"acme/sales": WS_EDITOR_CAPS}),
    ORG_USER: Persona("outsider@acme.test", MEMBER),  # in no workspace
    OTHER_ORG_ADMIN: Persona("admin@globex.test", {"globex": "admin"}),
    SUPERUSER: Persona("ops@flowadmin.test"),  # a Django superuser, member of nothing
}


def expected_status(persona: Persona, capability: str, org: str, ws: str | None, ok: int) -> int:
    """SPEC §3.3, written out independently of the policy module."""
    if persona.email is None:
        return 302
    if ws is None:
        role = persona.orgs.get(org) if org in WORKSPACES else None
        if role is None:
            return 404
        return ok if role == "admin" or CAPABILITIES[capability].member_ok else 403
    caps = persona.capabilities(org, ws)
    if not caps or VIEW not in caps:
        return 404
    return ok if capability in caps else 403


# --- the URL table -------------------------------------------------------------------------


def pdf():
    return upload("brochure.pdf", PDF, "application/pdf")


KIT = {"primary_color": "#112233", "secondary_color": "#445566", "accent_color": "#778899"}


@dataclass(frozen=True)
class Row:
    """One URL: relative to the org (/orgs/<org>/) or the workspace (/orgs/<org>/w/<ws>/) for
    each place in `where`, or absolute when it starts with "/". {placeholders} are ids of the
    place's objects (the `places` fixture)."""

    path: str
    rule: str | dict  # the capability it needs, or {persona: status} for everybody
    where: tuple = ("acme/marketing",)
    get: bool = True
    post: dict | None = None  # valid data: were the POST let in, something would change
    ok: int = 200  # a GET's answer when let in
    post_ok: int = 302  # a POST's answer when let in
    goes_to: str | None = None  # where an allowed GET / POST redirects (a regex, relative)
    refusals_only: bool = False  # POST only as the personas the row refuses

    @property
    def id(self) -> str:
        return self.path or "(root)"


ORG_ROWS = [
    Row("", "org.view_console", where=("acme", "globex")),
    Row("workspaces/", "org.view_console", where=("acme",), post={"name": "Brand New"}),
    Row(
        "workspaces/{ws}/delete/", "org.manage_workspaces", ("acme",), post={"confirm": "marketing"}
    ),
    Row("teams/", "org.manage_teams", ("acme",), post={"name": "Night shift"}),
    Row("teams/{team}/", "org.manage_teams", ("acme",)),
    Row(
        "teams/{team}/members/",
        "org.manage_teams",
        ("acme",),
        get=False,
        post={"email": "{candidate}"},
    ),
    Row(
        "teams/{team}/members/{member}/until/",
        "org.manage_teams",
        ("acme",),
        get=False,
        post={"until": "2099-01-31"},
    ),
    Row("teams/{team}/members/{member}/remove/", "org.manage_teams", ("acme",), post={}),
    Row(
        "teams/{team}/access/",
        "org.manage_teams",
        ("acme",),
        get=False,
        post={"workspace": "{other_ws}", "role": "viewer"},
    ),
    Row(
        "teams/{team}/access/{granted}/",
        "org.manage_teams",
        ("acme",),
        get=False,
        post={"role": "admin"},
    ),
    Row("teams/{team}/access/{granted}/remove/", "org.manage_teams", ("acme",), post={}),
    # The reviewers of an open review (the `places` fixture's); {reviewer} reviews its org roles.
    Row(
        "reviews/{review}/reviewers/",
        "org.manage_reviews",
        ("acme",),
        get=False,
        refusals_only=True,
        post={"scope": "org", "email": "editor@acme.test"},
    ),
    Row(
        "reviews/{review}/reviewers/remove/",
        "org.manage_reviews",
        ("acme",),
        get=False,
        post={"scope": "org", "user": "{reviewer}"},
    ),
    Row(
        "teams/{team}/settings/",
        "org.manage_teams",
        ("acme",),
        post={"name": "Renamed", "description": "x"},
    ),
    Row("teams/{team}/delete/", "org.manage_teams", ("acme",), post={}),
    Row("users/", "org.manage_users", ("acme",)),
    Row("users/?q=eddie&sort=-email&page=1", "org.manage_users", ("acme",)),
    Row("users/{viewer}/", "org.manage_users", ("acme",)),
    Row("users/{viewer}/role/", "org.manage_users", ("acme",), get=False, post={"role": "admin"}),
    Row(
        "users/{viewer}/workspaces/{ws}/",
        "org.manage_users",
        ("acme",),
        get=False,
        post={"role": "admin"},
    ),
    Row("users/{viewer}/remove/", "org.manage_users", ("acme",), post={}),
    Row(
        "users/invite/",
        "org.manage_users",
        ("acme",),
        post={"email": "new@acme.test", "role": "admin"},
    ),
    Row("access.csv", "org.export_access", ("acme",)),
    Row("invitations/", "org.manage_users", ("acme",)),
    Row("invitations/?status=expired", "org.manage_users", ("acme",)),
    Row("invitations/{invitation}/resend/", "org.manage_users", ("acme",), get=False, post={}),
    Row("invitations/{invitation}/revoke/", "org.manage_users", ("acme",), post={}),
    Row("activity/", "org.view_activity", ("acme",)),
    Row("activity/export.csv", "org.view_activity", ("acme",)),
    Row("activity/integrity/", "org.view_activity", ("acme",)),
    Row("settings/", "org.manage_settings", ("acme",), post={"description": "Changed"}),
    Row("settings/integrations/", "org.manage_settings", ("acme",)),
    Row(
        "settings/integrations/activity-stream/",
        "org.manage_settings",
        ("acme",),
        post={"destination": "sink"},
    ),
    Row(
        "settings/integrations/{app}/",
        "org.manage_settings",
        ("acme",),
        post={"portal_id": "9", "access_token": "new"},
    ),
    Row(
        "settings/integrations/segment/",
        "org.manage_settings",
        ("acme",),
        post={"write_key": "wk-123"},
    ),
    Row(
        "settings/integrations/{app}/enabled/",
        "org.manage_settings",
        ("acme",),
        get=False,
        post={"enabled": "off"},
    ),
    Row("settings/integrations/{app}/uninstall/", "org.manage_settings", ("acme",), post={}),
    Row("settings/sso/", "org.manage_settings", ("acme",)),
    Row(
        "settings/domains/", "org.manage_settings", ("acme",), post={"hostname": "new.acme.example"}
    ),
    Row("settings/domains/{domain}/verify/", "org.manage_settings", ("acme",), get=False, post={}),
    Row("settings/domains/{domain}/remove/", "org.manage_settings", ("acme",), post={}),
    # a new token is shown once, on the page itself
    Row("settings/scim/", "org.manage_settings", ("acme",), post={"name": "Okta"}, post_ok=200),
]

ACME = ("acme/marketing", "acme/sales", "acme/events")
EVERY_WORKSPACE = (*ACME, "globex/main")
WORKSPACE_ROWS = [
    Row("", VIEW, EVERY_WORKSPACE, ok=302, goes_to="flows/"),
    Row("flows/", VIEW, EVERY_WORKSPACE),
    Row(
        "flows/new/",
        FLOWS,
        ("acme/marketing", "acme/sales"),
        goes_to=r"flows/\d+/",
        post={
            "name": "Matrix flow",
            "destination_url": "https://example.com/m",
            "status": "active",
        },
    ),
    Row("flows/{flow}/", VIEW, ("acme/marketing", "acme/sales", "globex/main")),
    Row(
        "flows/{flow}/edit/",
        FLOWS,
        goes_to="flows/{flow}/",
        post={"name": "Renamed", "destination_url": "https://example.com/new", "status": "paused"},
    ),
    Row("flows/{flow}/delete/", FLOWS, post={}, goes_to="flows/"),
    Row("flows/{flow}/qr.svg", VIEW),
    Row("flows/{flow}/qr.png", VIEW),
    Row("analytics/", VIEW),
    Row("templates/", VIEW),
    Row(
        "templates/new/",
        FLOWS,
        post={"name": "Webinar", "default_destination": "https://example.com/w"},
    ),
    Row("templates/{template}/", VIEW),
    Row(
        "templates/{template}/edit/",
        FLOWS,
        post={"name": "Renamed", "default_destination": "", "description": "new"},
    ),
    Row("templates/{template}/delete/", FLOWS, post={}),
    Row("assets/", VIEW),
    Row("assets/new/", ASSETS, post={"file": pdf, "name": "Brochure"}),
    Row("assets/{asset}/", VIEW),
    Row("assets/{asset}/download/", VIEW),
    Row("assets/{asset}/delete/", ASSETS, post={}),
    Row("brand-kits/", VIEW),
    Row("brand-kits/new/", KITS, post={"name": "Autumn", **KIT, "font": "Inter"}),
    Row("brand-kits/{kit}/", VIEW),
    Row("brand-kits/{kit}/logo/", VIEW),
    Row("brand-kits/{kit}/edit/", KITS, post={"name": "Main brand 2", **KIT, "font": ""}),
    Row("brand-kits/{kit}/delete/", KITS, post={}),
    Row("audience/", AUDIENCE),
    Row("audience/?q=ann&tag=vip&page=1", AUDIENCE),
    Row("audience/export.csv", AUDIENCE),
    Row("audience/{contact}/delete/", AUDIENCE, post={}),
    Row("audience/{contact}/tags/", AUDIENCE, get=False, post={"tag": "newsletter"}),
    Row("audience/{contact}/tags/?untag", AUDIENCE, get=False, post={"remove": "vip"}),
    # The Manage page, in every acme workspace
    Row("manage/", MANAGE, ACME, ok=302, goes_to="manage/members/"),
    Row("manage/members/", MANAGE, ACME),
    Row("manage/members/add/", MANAGE, ACME, post={"user": "{candidate_id}", "role": "admin"}),
    Row("manage/members/add/?q=out", MANAGE, ACME),
    Row("manage/members/{membership}/", MANAGE, ACME, get=False, post={"role": "admin"}),
    Row(
        "manage/members/{membership}/?flags",
        MANAGE,
        ACME,
        get=False,
        post={"role": "viewer", "audience_viewer": "on"},
    ),
    Row("manage/members/{membership}/remove/", MANAGE, ACME, post={}),
    Row("manage/teams/", MANAGE, ACME),
    Row("manage/teams/add/", MANAGE, ACME, get=False, post={"team": "{spare}", "role": "admin"}),
    Row("manage/teams/{team_access}/", MANAGE, ACME, get=False, post={"role": "admin"}),
    Row("manage/teams/{team_access}/remove/", MANAGE, ACME, post={}),
    Row("manage/domains/", MANAGE, ACME),
    Row("manage/domains/use/", MANAGE, ACME, get=False, post={"domain": "{org_domain}"}),
    Row("manage/domains/add/", MANAGE, ACME, get=False, post={"hostname": "new.{ws_slug}.example"}),
    Row("manage/domains/{ws_domain}/verify/", MANAGE, ACME, get=False, post={}),
    Row("manage/domains/{ws_domain}/remove/", MANAGE, ACME, post={}),
    Row("manage/integrations/", MANAGE, ACME),
    Row(
        "manage/integrations/install/hubspot/",
        MANAGE,
        ACME,
        post={"portal_id": "1", "access_token": "tok"},
    ),
    Row("manage/integrations/{installation}/", MANAGE, ACME, post={"write_key": "new-key"}),
    Row(
        "manage/integrations/{installation}/enabled/",
        MANAGE,
        ACME,
        get=False,
        post={"enabled": "0"},
    ),
    Row("manage/integrations/{installation}/uninstall/", MANAGE, ACME, post={}),
    Row(
        "manage/settings/",
        MANAGE,
        ACME,
        post={"name": "Taken over", "slug": "taken-over", "description": "x"},
    ),
]

EVERYONE = {name: 200 for name in PERSONAS} | {ANONYMOUS: 302}
ACME_USERS = [WS_ADMIN, EDITOR, VIEWER, AUDIENCE_VIEWER, FLOWS_MANAGER, TEAM_MEMBER, ORG_USER]


def answers(ok=(), forbidden=()):
    """{persona: status}: `ok` → 200, `forbidden` → 403, anonymous → 302, the rest → 404."""
    table = dict.fromkeys(PERSONAS, 404) | {ANONYMOUS: 302}
    return table | dict.fromkeys(forbidden, 403) | dict.fromkeys(ok, 200)


# Access reviews: an open review of all acme's workspaces (the `places` fixture); Marketing is
# reviewed by its admin, the other parts by the Org Admin; other members review nothing in it.
REVIEW_CONSOLE = answers(ok=[ORG_ADMIN], forbidden=ACME_USERS)
REVIEW_QUEUE = answers(ok=[ORG_ADMIN, WS_ADMIN], forbidden=ACME_USERS[1:])
VIEWER_ITEM_DECISION = answers(ok=[WS_ADMIN], forbidden=[ORG_ADMIN, *ACME_USERS[1:]])
OTHER_ROWS = [
    Row("/", EVERYONE),
    Row("/healthz", {name: 200 for name in PERSONAS}),
    # SCIM takes a bearer token only: a console session opens nothing there.
    Row("/scim/v2/acme/Users", {name: 401 for name in PERSONAS}),
    Row("/s/{code}", {name: 302 for name in PERSONAS}),
    Row("/s/doesnotexist", {name: 404 for name in PERSONAS}),
    Row("/admin/", {name: 302 for name in PERSONAS} | {SUPERUSER: 200}),
    Row("/orgs/nope/", answers()),  # no such org, for everybody
    Row("/orgs/acme/w/nope/assets/", answers()),  # no such workspace
    Row("/orgs/acme/reviews/", answers(ok=[ORG_ADMIN, *ACME_USERS])),  # each sees their own
    Row(
        "/orgs/acme/reviews/new/",
        REVIEW_CONSOLE,
        refusals_only=True,
        post={"name": "R", "deadline": "2099-01-01T10:00"},
    ),
    Row("/orgs/acme/reviews/{review}/", REVIEW_CONSOLE),
    Row("/orgs/acme/reviews/{review}/evidence.csv", REVIEW_CONSOLE),
    Row("/orgs/acme/reviews/{review}/queue/", REVIEW_QUEUE),
    Row(
        "/orgs/acme/reviews/{review}/close/", REVIEW_CONSOLE, get=False, post={}, refusals_only=True
    ),
    Row(
        "/orgs/acme/reviews/{review}/items/{item}/",
        VIEWER_ITEM_DECISION,
        get=False,
        refusals_only=True,
        post={"decision": "remove", "confirmed": "1"},
    ),
]


def _org_row(row: Row) -> Row:
    return Row(**{**row.__dict__, "where": tuple(f"{org}/" for org in row.where)})


ROWS = [*map(_org_row, ORG_ROWS), *WORKSPACE_ROWS, *OTHER_ROWS]


def places_of(row: Row):
    """(org, ws or None, url template) for each place of the row."""
    if row.path.startswith("/"):
        yield None, None, row.path
        return
    for place in row.where:
        org, ws = place.split("/")
        base = f"/orgs/{org}/w/{ws}/" if ws else f"/orgs/{org}/"
        yield org, ws or None, base + row.path


def clean(url: str) -> str:
    """Drop the row-naming query marks (`?untag`, `?flags`): same URL, another POST."""
    return re.sub(r"\?(untag|flags)$", "", url)


def expected(row: Row, persona: str, org, ws, method: str) -> int:
    if isinstance(row.rule, dict):
        return row.rule[persona]
    ok = row.post_ok if method == "post" else row.ok
    return expected_status(PERSONAS[persona], row.rule, org, ws, ok)


# --- the objects the URLs point at -----------------------------------------------------------


@pytest.fixture(scope="module")
def _matrix_places(_demo_database, django_db_blocker, tmp_path_factory):
    """The objects the URLs point at, built once per module (per xdist worker) on top of the
    committed demo, in a transaction left open for the module: each test's own transaction is
    a savepoint inside it, so its rollback brings back these objects as built, and the
    module's end rolls them back (the committed demo stays as it was). Yields
    (the ids by place, the DNS answers, the folder of their media files, each persona's
    session: `sessions_of_personas`)."""
    workdir = tmp_path_factory.mktemp("matrix")
    with django_db_blocker.unblock():
        if not demo_snapshot.committed():
            demo_snapshot.recommit()
        atomic = transaction.atomic()
        atomic._from_testcase = True  # as Django's TestCase.setUpClass: durable blocks nest
        atomic.__enter__()
        try:
            with override_settings(
                MEDIA_ROOT=workdir / "media", ACTIVITY_CHECKPOINT_DIR=workdir / "checkpoints"
            ):
                txt = {}
                built = build_places(txt)
                sessions = sessions_of_personas()
        except BaseException:
            atomic.__exit__(*sys.exc_info())
            raise
    yield built, txt, workdir / "media", sessions
    with django_db_blocker.unblock():
        transaction.set_rollback(True)
        atomic.__exit__(None, None, None)


@pytest.fixture
def places(demo, _matrix_places, monkeypatch, settings):
    """Per place ("acme/marketing", "acme/" for the org, …): the ids its URLs' placeholders
    stand for, one object of each kind (built once per module, `_matrix_places`). DNS answers
    every domain's verification."""
    built, txt, media, _sessions = _matrix_places
    monkeypatch.setattr(domains, "lookup_txt", lambda name: txt.get(name, []))
    shutil.copytree(media, settings.MEDIA_ROOT, dirs_exist_ok=True)
    return built


def build_places(txt: dict) -> dict:
    """Create the matrix's objects over the demo; `txt` receives the DNS TXT answers of the
    domains it creates. Returns {place: {placeholder: id or value}}."""
    acme = Organization.objects.get(slug="acme")
    globex = Organization.objects.get(slug="globex")
    demo = {u.email: u for u in User.objects.all()}

    def pending_domain(**kwargs):
        domain = DomainFactory(**kwargs)
        txt[domain.txt_record_name] = [domain.verification_token]
        return domain

    def org_ids(org, team, member, granted, other_ws, candidate, user):
        return {
            "ws": granted.pk if org.slug == "globex" else org.workspaces.get(slug="marketing").pk,
            "team": team.pk,
            "member": member.pk,
            "granted": granted.pk,
            "other_ws": other_ws.pk,
            "candidate": candidate.email,
            "candidate_id": candidate.pk,
            "viewer": user.pk,
            "domain": pending_domain(org=org, hostname=f"go.{org.slug}.example").pk,
            "app": IntegrationInstallationFactory(org=org, app="hubspot").app,
            "invitation": InvitationFactory(org=org, invited_by=user).pk,
        }

    field_sales = Team.objects.get(org=acme, name="Field Sales")
    acme_ws = {ws.slug: ws for ws in acme.workspaces.all()}
    acme_ids = org_ids(
        acme,
        field_sales,
        field_sales.members.get(),
        acme_ws["sales"],
        acme_ws["events"],
        demo["outsider@acme.test"],
        demo["viewer@acme.test"],
    )
    acme_ids["spare"] = TeamFactory(org=acme, name="Spare").pk
    acme_ids["org_domain"] = DomainFactory(
        org=acme, hostname="links.acme.example", verified=True
    ).pk

    main = globex.workspaces.get(slug="main")
    globex_team = TeamFactory(org=globex, name="Globex crew")
    globex_user = UserFactory(email="crew@globex.test")
    OrgMembershipFactory(org=globex, user=globex_user)
    TeamMembershipFactory(team=globex_team, user=globex_user)
    globex_ids = org_ids(
        globex, globex_team, globex_user, main, main, demo["admin@globex.test"], globex_user
    )
    globex_ids["spare"] = TeamFactory(org=globex, name="Globex spare").pk
    globex_ids["org_domain"] = DomainFactory(org=globex, verified=True).pk

    extra = UserFactory(email="extra@acme.test", full_name="Ext Ra")
    OrgMembershipFactory(org=acme, user=extra)
    designers = TeamFactory(org=acme, name="Designers")
    result = {"acme/": acme_ids, "globex/": globex_ids}
    for org, ws, who, team, ids in [
        (acme, acme_ws["marketing"], extra, designers, acme_ids),
        (acme, acme_ws["sales"], extra, designers, acme_ids),
        (acme, acme_ws["events"], extra, designers, acme_ids),
        (globex, main, globex_user, globex_team, globex_ids),
    ]:
        content = make_content(ws, prefix="" if ws.slug == "marketing" else f"{ws.slug} ")
        flow = Flow.objects.filter(workspace=ws, status="active").order_by(
            "pk"
        ).first() or FlowFactory(workspace=ws)
        result[f"{org.slug}/{ws.slug}"] = {
            **ids,
            "ws_slug": ws.slug,
            "flow": flow.pk,
            "code": flow.short_code,
            "template": content.template.pk,
            "asset": content.asset.pk,
            "kit": content.kit.pk,
            "contact": content.contact.pk,
            "membership": WorkspaceMembershipFactory(workspace=ws, user=who, role="viewer").pk,
            "team_access": TeamAccessFactory(team=team, workspace=ws, role="viewer").pk,
            "ws_domain": pending_domain(org=org, workspace=ws, hostname=f"ln.{ws.slug}.example").pk,
            "installation": IntegrationInstallationFactory(org=org, workspace=ws, app="segment").pk,
        }
    # an open review in each org; its Org Admin reviews the org roles ({reviewer})
    for org in (acme, globex):
        review = review_start(
            actor="system", org=org, name="Matrix review", deadline=timezone.now() + timedelta(7)
        )
        reviewer = demo[f"admin@{org.slug}.test"]
        assert review.reviewers.filter(workspace=None, user=reviewer).exists()
        result[f"{org.slug}/"] |= {"review": review.pk, "reviewer": reviewer.pk}
    item = AccessReviewItem.objects.get(
        review_id=result["acme/"]["review"], email="viewer@acme.test", workspace__slug="marketing"
    )
    result[None] = {**result["acme/marketing"], "review": item.review_id, "item": item.pk}
    return result


def ids_for(places, org, ws):
    return places[None] if org is None else places[f"{org}/{ws or ''}"]


def post_data(row: Row, ids: dict) -> dict:
    return {
        key: value() if callable(value) else str(value).format(**ids)
        for key, value in row.post.items()
    }


def state():
    """Every row the console can write (the activity log included), to compare a refused
    POST's before and after: {model label: [row tuple, …] ordered by primary key}, the column
    values as the database returns them (one SELECT per table, without the ORM's per-value
    conversions, which made this the matrix's main cost). The scans, written only by visitors,
    are counted."""
    from django.apps import apps

    result = {}
    with connection.cursor() as cursor:
        for label in ("orgs", "workspaces", "audit"):
            for model in apps.get_app_config(label).get_models():
                table = connection.ops.quote_name(model._meta.db_table)
                if model._meta.model_name in ("scan", "scanday"):
                    cursor.execute(f"SELECT COUNT(*) FROM {table}")
                else:
                    pk = connection.ops.quote_name(model._meta.pk.column)
                    cursor.execute(f"SELECT * FROM {table} ORDER BY {pk}")
                result[model._meta.label] = cursor.fetchall()
    return result


def sessions_of_personas() -> dict:
    """{persona: session key} for each persona with an email: one signed-in session each,
    stored like any other (the matrix swaps the client's cookie between them instead of
    signing in and out for every request, which cost more than the requests themselves)."""
    sessions = {}
    for name, persona in PERSONAS.items():
        if persona.email:
            browser = Client()
            browser.force_login(User.objects.get(email=persona.email))
            sessions[name] = browser.cookies[settings.SESSION_COOKIE_NAME].value
    return sessions


@pytest.fixture
def log_in(client, _matrix_places):
    """log_in(persona): the test client is that persona from now on (anonymous: no session)."""
    sessions = _matrix_places[3]

    def as_persona(persona: str):
        client.cookies.clear()
        if persona in sessions:
            client.cookies[settings.SESSION_COOKIE_NAME] = sessions[persona]

    return as_persona


def check(response, row, persona, org, ws, method, url, ids, mismatches):
    """Compare one answer with the table; add what differs to `mismatches`."""
    want = expected(row, persona, org, ws, method)
    got = response.status_code
    where = f"{persona}: {method.upper()} {url}"
    if got != want:
        mismatches.append(f"{where} → {got}, expected {want}")
        return
    if isinstance(row.rule, str) and got == 302 and PERSONAS[persona].email is None:
        login = f"{reverse('login')}?{urlencode({'next': url}, safe='/')}"
        if response["Location"] != login:
            mismatches.append(f"{where} → {response['Location']}, expected {login}")
    elif got == 403 and isinstance(row.rule, str):
        reason = escape(requirement(row.rule))
        if reason not in response.content.decode():
            mismatches.append(f"{where}: the 403 page does not say {reason!r}")
    elif got == 302 and row.goes_to:
        target = f"/orgs/{org}/w/{ws}/" + row.goes_to.format(**ids)
        if not re.fullmatch(target, response["Location"]):
            mismatches.append(f"{where} → {response['Location']}, expected {target}")


def allowed(row, persona, org, ws) -> bool:
    """The table lets this persona's POST through."""
    return bool(PERSONAS[persona].email) and expected(row, persona, org, ws, "post") == row.post_ok


# --- column 1: GET --------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("row", [r for r in ROWS if r.get], ids=lambda r: r.id)
def test_get(client, log_in, places, row):
    mismatches = []
    for org, ws, template in places_of(row):
        ids = ids_for(places, org, ws)
        url = template.format(**ids)
        for persona in PERSONAS:
            log_in(persona)
            check(client.get(url), row, persona, org, ws, "get", url, ids, mismatches)
    assert not mismatches, "\n".join(mismatches)


# --- column 2: POST -------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("row", [r for r in ROWS if r.post is not None], ids=lambda r: r.id)
def test_post(client, log_in, places, row):
    mismatches = []
    for org, ws, template in places_of(row):
        ids = ids_for(places, org, ws)
        url = clean(template.format(**ids))
        for persona in PERSONAS:
            if row.refusals_only and expected(row, persona, org, ws, "post") == 200:
                continue
            with transaction.atomic():
                log_in(persona)
                before = state()
                response = client.post(url, post_data(row, ids))
                check(response, row, persona, org, ws, "post", url, ids, mismatches)
                changed = state() != before
                if changed != allowed(row, persona, org, ws):
                    what = "changed something" if changed else "changed nothing"
                    mismatches.append(f"{persona}: POST {url} {what}")
                transaction.set_rollback(True)
    assert not mismatches, "\n".join(mismatches)


# --- column 3: foreign ids ------------------------------------------------------------------

PLACEHOLDER = re.compile(r"\{(\w+)\}")
OTHER_PLACE = {
    "acme/marketing": ("acme/sales", "globex/main"),
    "acme/sales": ("acme/marketing", "globex/main"),
    "acme/events": ("acme/marketing", "globex/main"),
    "acme/": ("globex/",),
}
NOT_FOUND_IDS = {"app": "nope"}  # names that are no object at all


def foreign_variants(template: str, ids: dict, place: str, places):
    """(what, url) for each swap of the URL's ids: one at a time, then all at once, with ids
    of each other place; then the org and workspace slugs swapped for unknown ones."""
    names = PLACEHOLDER.findall(template)
    for other in OTHER_PLACE[place]:
        foreign = places[other]
        swaps = [[name] for name in names] + ([names] if len(names) > 1 else [])
        for swap in swaps:
            values = {**ids, **{name: foreign[name] for name in swap}}
            if any(values[name] != ids[name] for name in swap):
                yield f"{'+'.join(swap)} of {other}", template.format(**values)
    for name in names:
        if name in NOT_FOUND_IDS:
            yield f"unknown {name}", template.format(**{**ids, name: NOT_FOUND_IDS[name]})
    org, ws = place.split("/")
    url = template.format(**ids)
    yield "unknown org", url.replace(f"/orgs/{org}/", "/orgs/nope/", 1)
    if ws:
        yield "unknown workspace", url.replace(f"/w/{ws}/", "/w/nope/", 1)


def data_variants(row: Row, ids: dict, place: str, places):
    """POST data naming another org's objects (the URL's own ids kept)."""
    names = [
        n
        for value in row.post.values()
        if isinstance(value, str)
        for n in PLACEHOLDER.findall(value)
        if n != "ws_slug"
    ]
    other = OTHER_PLACE[place][-1]
    if names:
        yield f"data of {other}", post_data(row, {**ids, **{n: places[other][n] for n in names}})


FOREIGN_ROWS = [
    r for r in ROWS if isinstance(r.rule, str) and (PLACEHOLDER.search(r.path) or r.post)
]


@pytest.mark.django_db
@pytest.mark.parametrize("row", FOREIGN_ROWS, ids=lambda r: r.id)
def test_foreign_ids(client, log_in, places, row):
    """Whoever the row lets in gets 404 for another place's ids (and another org's admin for
    this org's ids in their own org), and a POST changes nothing."""
    admin_of = {"acme": ORG_ADMIN, "globex": OTHER_ORG_ADMIN}
    mismatches = []

    def refused(persona, method, url, data=None, statuses=(404,)):
        with transaction.atomic():
            log_in(persona)
            before = state()
            response = getattr(client, method)(clean(url), (data or {}) if method == "post" else {})
            if response.status_code not in statuses:
                mismatches.append(
                    f"{persona}: {method.upper()} {url} → "
                    f"{response.status_code}, expected {statuses}"
                )
            if state() != before:
                mismatches.append(f"{persona}: {method.upper()} {url} changed something")
            transaction.set_rollback(True)

    methods = [m for m, on in (("get", row.get), ("post", row.post is not None)) if on]
    for org, ws, template in places_of(row):
        place = f"{org}/{ws or ''}"
        if place not in OTHER_PLACE:
            continue
        ids = ids_for(places, org, ws)
        data = post_data(row, ids) if row.post is not None else None
        for _what, url in foreign_variants(template, ids, place, places):
            for method in methods:
                refused(admin_of[org], method, url, data)
        # the same route in the other org, as its admin, with this org's ids
        if set(PLACEHOLDER.findall(template)) - set(NOT_FOUND_IDS):
            mirror = template.replace(f"/orgs/{org}/", "/orgs/globex/", 1)
            mirror = mirror.replace(f"/w/{ws}/", "/w/main/", 1) if ws else mirror
            for method in methods:
                refused(OTHER_ORG_ADMIN, method, mirror.format(**ids), data)
        if row.post is not None:
            for _what, foreign_data in data_variants(row, ids, place, places):
                refused(
                    admin_of[org], "post", template.format(**ids), foreign_data, (200, 400, 404)
                )
    assert not mismatches, "\n".join(mismatches)


# --- methods --------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    "row",
    [r for r in WORKSPACE_ROWS if r.post is None and r.ok == 200 and "?" not in r.path],
    ids=lambda r: r.id,
)
def test_read_only_pages_refuse_post(client, log_in, places, row):
    org, ws, template = next(places_of(row))
    log_in(ORG_ADMIN)
    assert client.post(template.format(**ids_for(places, org, ws))).status_code == 405


@pytest.mark.django_db
def test_pages_refuse_other_methods(client, log_in, places):
    log_in(ORG_ADMIN)
    urls = [
        t.format(**ids_for(places, o, w))
        for r in WORKSPACE_ROWS
        if r.get and r.post is not None
        for o, w, t in places_of(r)
    ]
    assert {url: client.put(url).status_code for url in urls} == dict.fromkeys(urls, 405)


# --- the policy matrix, without the database --------------------------------------------------


ORG_IDS = {"acme": 1, "globex": 2}
WS_IDS = {"acme/marketing": 11, "acme/sales": 12, "acme/events": 13, "globex/main": 21}
EDITOR_FLAGS = {"flows_manager": True, "brand_kits_manager": True}
# The demo's grants (SPEC §7), as the access query returns them: (kind, place, role, flags, team)
GRANTS = {
    WS_ADMIN: [("direct", "acme/marketing", "admin", dict.fromkeys(FLAGS, True), None)],
    EDITOR: [("direct", "acme/marketing", "editor", EDITOR_FLAGS, None)],
    VIEWER: [("direct", "acme/marketing", "viewer", {}, None)],
    AUDIENCE_VIEWER: [("direct", "acme/marketing", "viewer", {"audience_viewer": True}, None)],
    FLOWS_MANAGER: [("direct", "acme/marketing", "viewer", {"flows_manager": True}, None)],
    TEAM_MEMBER: [("team", "acme/sales", "editor", EDITOR_FLAGS, "Field Sales")],
}


def access_rows(name: str) -> list[tuple]:
    """The rows the one access query returns for a persona:
    (kind, org id, org id, workspace id, role, *flags in FLAGS order, team name, and the
    grant's and its org membership's end: None, for good)."""
    no_flags = [False] * len(FLAGS)
    rows = [
        ("org", ORG_IDS[org], ORG_IDS[org], None, role, *no_flags, None, None, None)
        for org, role in PERSONAS[name].orgs.items()
    ]
    for kind, place, role, flags, team in GRANTS.get(name, []):
        org = ORG_IDS[place.split("/")[0]]
        values = [flags.get(flag, False) for flag in FLAGS]
        rows.append((kind, org, org, WS_IDS[place], role, *values, team, None, None))
    return rows


@pytest.mark.parametrize("name", PERSONAS)
def test_policy_matrix(name):
    """Persona × capability × org and workspace, answered by the policy from the loaded
    access alone: 0 queries (counted; without database access a query would raise, too)."""
    persona = PERSONAS[name]
    got, want, queries = {}, {}, []
    now = timezone.now()

    def count(execute, sql, params, many, context):
        queries.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        access = build_access(access_rows(name), now)
        for org, org_id in ORG_IDS.items():
            org_access = access.get(org_id)
            for cap in (c for c in CAPABILITIES.values() if c.level == ORG):
                got[org, cap.name] = bool(org_access and org_access.can(cap.name))
                allowed = expected_status(persona, cap.name, org, None, 200) == 200
                want[org, cap.name] = bool(persona.email) and allowed
            for ws in WORKSPACES[org]:
                ws_access = org_access and org_access.workspace(WS_IDS[f"{org}/{ws}"])
                for cap in (c for c in CAPABILITIES.values() if c.level == WORKSPACE):
                    got[f"{org}/{ws}", cap.name] = bool(ws_access and ws_access.can(cap.name))
                    want[f"{org}/{ws}", cap.name] = cap.name in (
                        persona.capabilities(org, ws) or ()
                    )
    assert queries == []
    assert got == want


# --- column 4: refused forms ------------------------------------------------------------------

# Rows whose form is refused by another answer than the page again, and why.
NOT_SHOWN_AGAIN = {
    # a tag is typed in the audience list's row: without JS the list comes back (302) with the
    # refusal as a message, with htmx the row's tag cell (200)
    "audience/{contact}/tags/": "the list again, the refusal as a message",
    # the review page lists its reviewers: a refused one comes back as a message (302)
    "reviews/{review}/reviewers/": "the review page again, the refusal as a message",
    # removing a reviewer names them in a button: no form (an id not of a reviewer: 404)
    "reviews/{review}/reviewers/remove/": "no form: a button naming the reviewer",
    # removing a tag names it in a button: no form to show again
    "audience/{contact}/tags/?untag": "no form: a tag not on the contact is removed already",
    # an on/off switch, no form: anything but on/off (0/1) is a bad request (400, no page)
    "settings/integrations/{app}/enabled/": "a switch, no form: 400 without a page",
    "manage/integrations/{installation}/enabled/": "a switch, no form: 400 without a page",
}
# The invalid body of a form whose fields, left blank, are a valid answer.
INVALID = {
    "teams/{team}/members/{member}/until/": {"until": "31/31/2099"},
    "settings/": {"description": "x" * 5000},
    "settings/integrations/activity-stream/": {"destination": "nowhere"},
    "manage/members/{membership}/?flags": {"role": "owner", "audience_viewer": "on"},
    "users/{viewer}/workspaces/{ws}/": {"role": "owner"},  # blank: no direct role
    "manage/domains/use/": {"domain": "0"},  # blank: the default host
    "/orgs/acme/reviews/{review}/items/{item}/": {"decision": "maybe"},
}
# Forms whose page hx-posts only their workspace finder (action=find): the form itself
# posts without htmx.
FINDER_ONLY = {"users/invite/", "/orgs/acme/reviews/new/"}
FORM_ROWS = [r for r in ROWS if r.post and r.id not in NOT_SHOWN_AGAIN]


def lets_in(row, persona, org, ws) -> bool:
    """The row lets this persona's POST in (a row written for refusals: where it lets in)."""
    if isinstance(row.rule, dict):
        return bool(PERSONAS[persona].email) and row.rule[persona] == 200
    return allowed(row, persona, org, ws)


def shown_form_errors(response) -> bool:
    """The answer shows a form's errors: Django's error list, or a field marked invalid."""
    body = response.content.decode()
    return 'class="errorlist' in body or 'aria-invalid="true"' in body


@pytest.mark.django_db
@pytest.mark.parametrize("row", FORM_ROWS, ids=lambda r: r.id)
def test_refused_form(client, log_in, places, row):
    """Every console form, posted invalid by a persona it lets in, changes nothing and comes
    back with its errors: the page with status 400 to a plain POST; to htmx (which swaps no
    4xx answer) 200, and the part to swap when the page posts that form with htmx."""
    org, ws, template = next(places_of(row))
    ids = ids_for(places, org, ws)
    url = clean(template.format(**ids))
    persona = next(p for p in PERSONAS if lets_in(row, p, org, ws))
    data = INVALID.get(row.id) or dict.fromkeys(row.post, "")
    answers = {}
    for name, headers in (("plain", {}), ("htmx", {"HX-Request": "true"})):
        with transaction.atomic():
            log_in(persona)
            before = state()
            response = client.post(url, data, headers=headers)
            body = response.content.decode()
            answers[name] = (response.status_code, shown_form_errors(response), "<html" in body)
            if name == "plain":
                posted_with_htmx = f'hx-post="{escape(url)}"' in body and row.id not in FINDER_ONLY
            assert state() == before, f"{persona}: an invalid POST {url} changed something"
            transaction.set_rollback(True)
    assert answers == {"plain": (400, True, True), "htmx": (200, True, not posted_with_htmx)}


def test_refused_form_rows_named():
    """The exceptions and invalid bodies name rows of the table."""
    assert {*NOT_SHOWN_AGAIN, *INVALID, *FINDER_ONLY} <= {r.id for r in ROWS}
