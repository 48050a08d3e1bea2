"""Bad query parameters answer 400 (or are ignored), never 500: every
console GET route — found by walking the URL configuration, so a new route is covered — with
every query parameter the app reads set to a date overflow, a NUL byte, a 10,000-character
string, a repeated value and other junk; and path ids too large for a BIGINT are a 404."""

import dataclasses
import importlib
import re
from datetime import timedelta

import pytest
from django.conf import settings
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from orgs.models import Domain, Invitation, Team
from orgs.reviews.models import AccessReview
from orgs.reviews.services import review_start
from tests.factories import DomainFactory, InvitationFactory
from workspaces.models import (
    Asset,
    AudienceContact,
    BrandKit,
    Flow,
    FlowTemplate,
    TeamAccess,
    WorkspaceMembership,
)

pytestmark = pytest.mark.django_db

# The GET forms and filters the console parses query strings with; every `X(request.GET)` /
# `X.from_query(request.GET)` in the source must be one of these (test_every_get_form_is_walked).
GET_FORMS = {
    "ActivityFilterForm": "audit.filters",
    "AudienceFilters": "workspaces.selectors.content",
    "FlowFilterForm": "workspaces.forms.flows",
    "MemberFilterForm": "orgs.member_forms",
    "MemberSearchForm": "workspaces.views.manage.members",
    "PeriodForm": "workspaces.forms.flows",
}
SOURCE = [
    path
    for app in ("orgs", "workspaces", "audit", "flowadmin")
    for path in (settings.BASE_DIR / app).rglob("*.py")
    if "migrations" not in path.parts
]
# request.GET["x"], request.GET.get("x"), params.integer(request.GET, "x"), params.text(…)
READ_DIRECTLY = re.compile(
    r"""request\.GET(?:\.get|\.getlist)?[(\[]["'](\w+)["']"""
    r"""|params\.\w+\(request\.GET, ["'](\w+)["']"""
)
PARSED_BY = re.compile(r"([A-Z]\w+)(?:\.from_query)?\(request\.GET\)")  # a class
# Helper functions handed the whole request.GET, and the parameters each reads.
HELPERS = {"problem": set(), "parse_scope": {"scope"}}
HANDED_TO = re.compile(r"\b([a-z_]\w*)\(request\.GET\)")


def _fields(name: str) -> set[str]:
    cls = getattr(importlib.import_module(GET_FORMS[name]), name)
    if dataclasses.is_dataclass(cls):
        return {field.name for field in dataclasses.fields(cls)}
    return set(cls.base_fields)


def read_parameters() -> list[str]:
    """Every query parameter the app reads: `request.GET[...]`/`.get(...)` in the source, and
    the fields of the GET forms (so a new parameter is walked without editing this list)."""
    names = set()
    for path in SOURCE:
        for groups in READ_DIRECTLY.findall(path.read_text()):
            names |= {name for name in groups if name}
    for form in GET_FORMS:
        names |= _fields(form)
    for read in HELPERS.values():
        names |= read
    return sorted(names)


PARAMETERS = read_parameters()
BAD_VALUES = {
    "date_overflow": ["9999-12-31"],
    "nul": ["a\x00b"],
    "long": ["x" * 10_000],
    "repeated": ["1", "2"],
    "superscript_digit": ["²"],
    "huge_number": ["9" * 40],
    "negative": ["-1"],
}
BIG_ID = str(2**63)


def console_routes():
    """Every route under /orgs/<org>/ as a path template with its converters."""

    def walk(patterns, prefix):
        for entry in patterns:
            route = prefix + str(entry.pattern)
            if isinstance(entry, URLResolver):
                yield from walk(entry.url_patterns, route)
            elif isinstance(entry, URLPattern):
                yield route

    return [r for r in walk(get_resolver().url_patterns, "/") if r.startswith("/orgs/")]


def ids(acme):
    marketing = {"workspace__slug": "marketing", "workspace__org": acme}
    domain = Domain.objects.filter(org=acme).first() or DomainFactory(org=acme)
    invitation = Invitation.objects.filter(org=acme).first() or InvitationFactory(org=acme)
    review = AccessReview.objects.filter(org=acme).first() or review_start(
        actor="system", org=acme, name="Review", deadline=timezone.now() + timedelta(days=1)
    )
    return {
        "org_slug": "acme",
        "ws_slug": "marketing",
        "flow_id": Flow.objects.filter(**marketing).first().pk,
        "template_id": FlowTemplate.objects.filter(**marketing).first().pk,
        "asset_id": Asset.objects.filter(**marketing).first().pk,
        "brand_kit_id": BrandKit.objects.filter(**marketing).first().pk,
        "contact_id": AudienceContact.objects.filter(**marketing).first().pk,
        "team_id": Team.objects.filter(org=acme).first().pk,
        "user_id": acme.memberships.first().user_id,
        "workspace_id": acme.workspaces.get(slug="marketing").pk,
        "membership_id": WorkspaceMembership.objects.filter(**marketing).first().pk,
        "access_id": (TeamAccess.objects.filter(workspace__org=acme).first()).pk,
        "domain_id": domain.pk,
        "invitation_id": invitation.pk,
        "review_id": review.pk,
        "item_id": review.items.first().pk,
        "installation_id": 1,
        "pk": acme.pk,
        "app_key": "hubspot",
        "kind": "orgs",
        "filename": "a.png",
    }


def fill(route, values):
    """The route with its parameters filled (an id no fixture names is 1: a 404 is fine)."""
    return re.sub(r"<(?:\w+:)?(\w+)>", lambda m: str(values.get(m.group(1), 1)), route)


@pytest.fixture
def admin_client(client, demo):
    client.force_login(demo["admin@acme.test"])
    return client


def test_every_get_form_is_walked():
    parsed = set()
    for path in SOURCE:
        parsed |= set(PARSED_BY.findall(path.read_text()))
    assert parsed <= set(GET_FORMS), "add the new GET form to GET_FORMS"
    helpers = set()
    for path in SOURCE:
        helpers |= set(HANDED_TO.findall(path.read_text())) - {"from_query"}  # GET_FORMS
    assert helpers <= set(HELPERS), "add the new helper and the parameters it reads to HELPERS"
    for name in ("q", "since", "template", "two_factor", "find", "part", "scope", "decision"):
        assert name in PARAMETERS


def test_the_walk_covers_the_console(demo):
    routes = console_routes()
    assert len(routes) > 60
    assert any("activity" in route for route in routes)
    assert any("audience/export.csv" in route for route in routes)


@pytest.mark.parametrize("case", list(BAD_VALUES))
def test_every_console_get_survives_bad_parameters(admin_client, acme, case):
    values = ids(acme)
    query = {name: BAD_VALUES[case] for name in PARAMETERS}
    failures = []
    for route in console_routes():
        url = fill(route, values)
        response = admin_client.get(url, query)
        if response.status_code >= 500:
            failures.append((url, response.status_code))
        if case in ("nul", "long"):
            assert response.status_code == 400, url
    assert failures == []


def test_the_activity_overflow_is_a_field_error(admin_client):
    response = admin_client.get("/orgs/acme/activity/", {"until": "9999-12-31"})
    assert response.status_code == 200
    assert "Enter a date between" in response.content.decode()
    export = admin_client.get("/orgs/acme/activity/export.csv", {"until": "9999-12-31"})
    assert export.status_code < 500


def test_path_ids_beyond_a_bigint_are_not_found(admin_client, acme):
    values = {**ids(acme)}
    checked = 0
    for route in console_routes():
        names = re.findall(r"<id:(\w+)>", route)
        if not names:
            continue
        url = fill(route, {**values, **dict.fromkeys(names, BIG_ID)})
        assert admin_client.get(url).status_code == 404, url
        checked += 1
    assert checked > 20


# --- commands: a too-long value is a one-line error on both databases -------------------------

LONG = "n" * 300


@pytest.mark.parametrize(
    "args",
    [
        ["create_org", LONG, "--admin", "new@example.test"],
        ["create_org", "Fine", "--admin", "a" * 300 + "@example.test"],
        ["invite", "acme", "a" * 300 + "@example.test"],
        [
            "set_sso",
            "acme",
            "--protocol",
            "saml",
            "--entity-id",
            "e" * 600,
            "--metadata-url",
            "https://idp.example.test/metadata",
        ],
    ],
)
def test_commands_refuse_over_long_values_in_one_line(demo, args):
    from django.core.management import CommandError, call_command

    with pytest.raises(CommandError) as refused:
        call_command(*args)
    assert "\n" not in str(refused.value)
    assert "too long" in str(refused.value)
