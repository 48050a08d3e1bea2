"""scim2-tester (python-scim's RFC 7643/7644 compliance checker, not written here) against a
live server on loopback with a real bearer token. Every check must pass or be skipped for a
reason listed in NOT_APPLICABLE (also in the README)."""

import uuid
from typing import Annotated

import pytest
from pydantic import Field
from scim2_models import Required, ResourceType, ScimProvider, Uniqueness

from orgs.scim import schema, tokens
from tests.factories import OrganizationFactory, OrgMembershipFactory, UserFactory

ROLE_URN = "urn:ietf:params:scim:schemas:extension:flowadmin:2.0:User"
# Checks that do not apply to flowadmin, with why (README "Provisioning with SCIM"). Keys are
# (check, attribute or None); anything else that errors fails the test.
NOT_APPLICABLE = {
    ("check_remove_attribute", "active"): "a SCIM User is an org member or not: `active` "
    "cannot be unset, so removing it leaves the state as it is",
    ("check_remove_attribute", ROLE_URN): "every member has an Org Role: removing the "
    "extension keeps the member's role",
    ("search_with_attributes", None): "POST /.search across resource types answers 501; "
    "/Users/.search and /Groups/.search are supported",
}


class FreshEmails(list):
    """Field examples that are a new email address each time one is picked: scim2-tester fills
    userName with a random UUID unless the field gives examples, and here userName is the
    member's email address."""

    def __len__(self):
        return 1_000_000

    def __getitem__(self, index):
        return f"{uuid.uuid4().hex[:12]}@scim-tester.com"


class CheckerUser(schema.UserResource):
    """The published User, with email examples for userName (client side only)."""

    user_name: Annotated[str | None, Required.true, Uniqueness.server] = Field(
        None, examples=FreshEmails()
    )


def checker_provider():
    """What the server publishes (orgs.scim.schema), userName filled with emails."""
    user = CheckerUser[schema.OrgRoleExtension]
    return ScimProvider(
        models=[CheckerUser, schema.OrgRoleExtension, schema.GroupResource],
        resource_types=[
            ResourceType.from_resource(user),
            ResourceType.from_resource(schema.GroupResource),
        ],
    )


@pytest.fixture
def live_scim(live_server, transactional_db):
    pytest.importorskip("scim2_tester", reason="pip install -r requirements-dev.txt")
    httpx2 = pytest.importorskip("httpx2")
    from scim2_client.engines.httpx2 import SyncSCIMClient

    org = OrganizationFactory(name="Compliance", slug="compliance")
    OrgMembershipFactory(org=org, user=UserFactory(email="owner@compliance.com"), role="admin")
    _token, text = tokens.token_create(actor=None, org=org, name="scim2-tester")
    http = httpx2.Client(
        base_url=f"{live_server.url}/scim/v2/{org.slug}/",
        headers={"Authorization": f"Bearer {text}"},
        timeout=30,
    )
    yield SyncSCIMClient(http, provider=checker_provider())
    http.close()


@pytest.mark.slow
def test_scim2_tester_passes(live_scim):
    from scim2_tester import Status, check_server

    results = check_server(live_scim)
    unexpected = []
    for result in results:
        data = result.data if isinstance(result.data, dict) else {}
        key = (result.title, data.get("urn"))
        line = f"{result.status.name:8} {result.resource_type or '-':6} {key}: {result.reason}"
        print(line)
        if result.status == Status.SUCCESS:
            continue
        if key not in NOT_APPLICABLE and (result.title, None) not in NOT_APPLICABLE:
            unexpected.append(line)
    assert not unexpected, "\n".join(unexpected)
    assert sum(r.status == Status.SUCCESS for r in results) > 60
