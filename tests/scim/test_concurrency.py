"""SCIM requests meeting on the server (PostgreSQL, threads behind a barrier): an IdP retrying
a create, and two deactivations of the last two admins."""

import pytest
from django.test import Client

from orgs.models import OrgMembership, ScimUser
from orgs.scim import tokens
from tests.concurrency import run_at_once
from tests.factories import OrganizationFactory, OrgMembershipFactory

from .conftest import USER_SCHEMA, ScimClient, patch_op

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def org_and_token():
    org = OrganizationFactory(slug="racing")
    _token, text = tokens.token_create(actor=None, org=org, name="Okta")
    return org, text


def client_for(org, text):
    return ScimClient(Client(), org, text)


def test_the_same_user_created_twice_at_once(org_and_token):
    org, text = org_and_token
    OrgMembershipFactory(org=org, role="admin")
    body = {"schemas": [USER_SCHEMA], "userName": "twin@racing.com", "active": True}
    outcomes = run_at_once(
        [lambda: client_for(org, text).post("Users", body).status_code for _ in range(2)]
    )
    assert sorted(outcomes) == [201, 409]
    assert ScimUser.objects.filter(org=org, user__email="twin@racing.com").count() == 1
    assert OrgMembership.objects.filter(org=org, user__email="twin@racing.com").count() == 1


def test_deactivating_the_last_two_admins_at_once_keeps_one(org_and_token):
    org, text = org_and_token
    ids = []
    for email in ("a@racing.com", "b@racing.com"):
        scim = client_for(org, text)
        extension = "urn:ietf:params:scim:schemas:extension:flowadmin:2.0:User"
        body = {
            "schemas": [USER_SCHEMA, extension],
            "userName": email,
            extension: {"orgRole": "admin"},
        }
        ids.append(scim.post("Users", body).json()["id"])
    off = patch_op({"op": "replace", "value": {"active": False}})
    outcomes = run_at_once(
        [
            lambda uid=uid: client_for(org, text).patch(f"Users/{uid}", off).status_code
            for uid in ids
        ]
    )
    assert sorted(outcomes) == [200, 400]
    assert OrgMembership.objects.filter(org=org, role="admin").count() == 1
