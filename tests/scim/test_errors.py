"""Refused requests: each answers a SCIM error body with the right status and changes
nothing (no row, no activity entry)."""

import pytest

from audit.models import ActivityEntry
from orgs.models import OrgMembership, ScimUser, Team, User
from orgs.scim import tokens
from tests.factories import DomainFactory, OrganizationFactory

from .conftest import GROUP_SCHEMA, USER_SCHEMA, ScimClient, assert_scim_error, patch_op

pytestmark = pytest.mark.django_db


def user(email, **extra):
    return {"schemas": [USER_SCHEMA], "userName": email, **extra}


@pytest.fixture
def snapshot(org):
    def take():
        return (
            ActivityEntry.objects.count(),
            User.objects.count(),
            list(OrgMembership.objects.order_by("pk").values_list("user_id", "role")),
            ScimUser.objects.count(),
            list(Team.objects.values_list("name", flat=True)),
        )

    return take


@pytest.mark.parametrize(
    ("raw", "scim_type"),
    [
        (
            '{"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": ',
            "invalidSyntax",
        ),
        ("[1, 2]", "invalidSyntax"),
        ("\xff\xfe", "invalidSyntax"),
    ],
)
def test_malformed_json(scim, snapshot, raw, scim_type):
    before = snapshot()
    assert_scim_error(scim.post("Users", raw=raw), 400, scim_type)
    assert snapshot() == before


def test_unknown_attribute(scim, snapshot):
    before = snapshot()
    body = assert_scim_error(
        scim.post("Users", user("cy@initech.com", favouriteColour="teal")), 400, "invalidSyntax"
    )
    assert "favouriteColour" in body["detail"]
    assert snapshot() == before


def test_unknown_attribute_in_patch(scim, snapshot):
    uid = scim.post("Users", user("cy@initech.com")).json()["id"]
    before = snapshot()
    response = scim.patch(
        f"Users/{uid}", patch_op({"op": "replace", "path": "shoeSize", "value": 9})
    )
    assert_scim_error(response, 400)
    assert snapshot() == before


@pytest.mark.parametrize(
    "expression",
    [
        'name.familyName eq "Lee"',
        'userName sw "a"',
        'userName eq "a" or userName eq "b"',
        "userName eq",
    ],
)
def test_unsupported_filter(scim, expression):
    assert_scim_error(scim.get("Users", filter=expression), 400, "invalidFilter")


def test_user_of_another_orgs_domain(scim, snapshot):
    DomainFactory(org=OrganizationFactory(slug="umbrella"), hostname="umbrella.com", verified=True)
    before = snapshot()
    body = assert_scim_error(scim.post("Users", user("alice@umbrella.com")), 400, "invalidValue")
    assert "umbrella.com" in body["detail"]
    assert snapshot() == before


def test_patch_removing_the_last_admin(scim, org, snapshot):
    boss = User.objects.get(email="boss@initech.com")
    before = snapshot()
    for operation in (
        {"op": "replace", "value": {"active": False}},
        {
            "op": "replace",
            "path": "urn:ietf:params:scim:schemas:extension:flowadmin:2.0:User:orgRole",
            "value": "user",
        },
    ):
        response = scim.patch(f"Users/{boss.pk}", patch_op(operation))
        assert "at least one Org Admin" in assert_scim_error(response, 400, "mutability")["detail"]
    assert_scim_error(scim.delete(f"Users/{boss.pk}"), 400, "mutability")
    assert snapshot() == before


def test_duplicate_user_and_group(scim, snapshot):
    scim.post("Users", user("dee@initech.com"))
    scim.post("Groups", {"schemas": [GROUP_SCHEMA], "displayName": "Ops"})
    before = snapshot()
    assert_scim_error(scim.post("Users", user("DEE@initech.com")), 409, "uniqueness")
    assert_scim_error(scim.post("Groups", {"schemas": [GROUP_SCHEMA], "displayName": "ops"}), 409)
    assert snapshot() == before


def test_group_member_must_be_an_active_user(scim, snapshot):
    before = snapshot()
    body = {"schemas": [GROUP_SCHEMA], "displayName": "Ops", "members": [{"value": "999999"}]}
    assert_scim_error(scim.post("Groups", body), 400, "invalidValue")
    assert snapshot() == before


def test_missing_resources_and_methods(scim):
    assert_scim_error(scim.get("Users/999999"), 404)
    assert_scim_error(scim.get("Users/not-a-number"), 404)
    assert_scim_error(scim.get("Groups/1"), 404)
    assert_scim_error(scim.delete("Users"), 405)
    assert_scim_error(scim.get("Bulk"), 404)


def test_if_match_mismatch_is_412(scim, snapshot):
    uid = scim.post("Users", user("eve@initech.com")).json()["id"]
    before = snapshot()
    response = scim.patch(
        f"Users/{uid}",
        patch_op({"op": "replace", "value": {"active": False}}),
        headers={"If-Match": 'W/"stale"'},
    )
    assert_scim_error(response, 412)
    assert snapshot() == before
    etag = scim.get(f"Users/{uid}")["ETag"]
    assert scim.get(f"Users/{uid}", headers={"If-None-Match": etag}).status_code == 304
    ok = scim.patch(
        f"Users/{uid}",
        patch_op({"op": "replace", "value": {"active": False}}),
        headers={"If-Match": etag},
    )
    assert ok.status_code == 200 and ok["ETag"] != etag


# --- tokens ---------------------------------------------------------------------------------


def test_bad_tokens_get_401_without_revealing_the_org(client, org, token_text):
    other = OrganizationFactory(slug="hooli")
    _t, other_text = tokens.token_create(actor=None, org=other, name="Okta")
    cases = [
        ScimClient(client, org, "scim_wrong"),  # unknown token, existing org
        ScimClient(client, OrganizationFactory.build(slug="nope"), token_text),  # no such org
        ScimClient(client, org, other_text),  # another org's token
    ]
    bodies = {assert_scim_error(c.get("Users"), 401)["detail"] for c in cases}
    assert len(bodies) == 1
    missing = client.get(f"/scim/v2/{org.slug}/Users")
    assert missing.status_code == 401 and missing["WWW-Authenticate"].startswith("Bearer")


def test_revoked_token_stops_working(scim, org):
    assert scim.get("Users").status_code == 200
    tokens.token_revoke(actor=None, token=tokens.active_token(org, "okta"))
    assert_scim_error(scim.get("Users"), 401)


def test_rate_limited(scim, settings):
    settings.SCIM_RATE_LIMIT = (3, 60)
    statuses = [scim.get("ServiceProviderConfig").status_code for _ in range(5)]
    assert statuses[:3] == [200, 200, 200] and statuses[3:] == [429, 429]


def test_failed_authentications_are_rate_limited(client, org, settings):
    settings.SCIM_FAILED_AUTH_LIMIT = 2
    bad = ScimClient(client, org, "", ip="10.0.0.42")  # its own counter
    statuses = [bad.get("Users").status_code for _ in range(4)]
    assert statuses == [401, 401, 429, 429]
