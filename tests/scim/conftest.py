import json

import pytest

from audit.models import ActivityEntry
from orgs.scim import tokens
from tests.factories import OrganizationFactory, OrgMembershipFactory, UserFactory

SCIM = "application/scim+json"
USER_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:User"
GROUP_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:Group"
PATCH_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
ERROR_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:Error"
ROLE_URN = "urn:ietf:params:scim:schemas:extension:flowadmin:2.0:User"


class ScimClient:
    """Django's test client speaking SCIM to one org with one bearer token."""

    def __init__(self, client, org, token, ip="127.0.0.1"):
        self.client, self.org, self.token, self.ip = client, org, token, ip

    def url(self, path):
        return f"/scim/v2/{self.org.slug}/{path}"

    def _call(self, method, path, body=None, raw=None, headers=None, **params):
        data = raw if raw is not None else (json.dumps(body) if body is not None else None)
        kwargs = {"HTTP_AUTHORIZATION": f"Bearer {self.token}", "REMOTE_ADDR": self.ip}
        for name, value in (headers or {}).items():
            kwargs["HTTP_" + name.upper().replace("-", "_")] = value
        call = getattr(self.client, method)
        if method == "get":
            return call(self.url(path), params, **kwargs)
        return call(self.url(path), data=data, content_type=SCIM, **kwargs)

    def get(self, path, **params):
        return self._call("get", path, **params)

    def post(self, path, body=None, **kw):
        return self._call("post", path, body, **kw)

    def put(self, path, body=None, **kw):
        return self._call("put", path, body, **kw)

    def patch(self, path, body=None, **kw):
        return self._call("patch", path, body, **kw)

    def delete(self, path, **kw):
        return self._call("delete", path, **kw)


def patch_op(*operations):
    return {"schemas": [PATCH_SCHEMA], "Operations": list(operations)}


def assert_scim_error(response, status, scim_type=None):
    assert response.status_code == status, response.content
    body = response.json()
    assert body["schemas"] == [ERROR_SCHEMA]
    assert body["status"] == str(status)
    if scim_type:
        assert body["scimType"] == scim_type
    return body


def log_entries(org, **filters):
    return list(ActivityEntry.objects.filter(org_id=org.pk, **filters).order_by("seq"))


@pytest.fixture
def org(db):
    org = OrganizationFactory(name="Initech", slug="initech")
    OrgMembershipFactory(org=org, user=UserFactory(email="boss@initech.com"), role="admin")
    return org


@pytest.fixture
def token_text(org):
    _token, text = tokens.token_create(actor=None, org=org, name="Okta")
    return text


@pytest.fixture
def scim(client, org, token_text):
    return ScimClient(client, org, token_text)
