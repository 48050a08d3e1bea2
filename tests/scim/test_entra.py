"""The requests Microsoft Entra ID's provisioning service sends (learn.microsoft.com, "Tutorial:
Develop and plan provisioning for a SCIM endpoint", request/response examples): look up by
userName, create with the enterprise extension and `meta`, update with PATCH paths such as
`emails[type eq "work"].value` and capitalised ops, disable with `active` (also as the string
"False" older tenants send), delete, and groups (create, excludedAttributes=members lookup,
add/remove members with `value` lists, rename)."""

import pytest

from orgs.models import OrgMembership, Team, TeamMembership, User

from .conftest import GROUP_SCHEMA, ROLE_URN, USER_SCHEMA, log_entries, patch_op

pytestmark = pytest.mark.django_db

ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"


@pytest.fixture
def entra(client, org):
    from orgs.scim import tokens

    from .conftest import ScimClient

    _token, text = tokens.token_create(actor=None, org=org, name="Entra ID")
    return ScimClient(client, org, text)


def entra_user(email, external_id="0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef", role=None):
    body = {
        "schemas": [USER_SCHEMA, ENTERPRISE],
        "externalId": external_id,
        "userName": email,
        "active": True,
        "displayName": "Bo Chen",
        "title": "Engineer",
        "emails": [{"primary": True, "type": "work", "value": email}],
        "meta": {"resourceType": "User"},
        "name": {"formatted": "Bo Chen", "familyName": "Chen", "givenName": "Bo"},
        "roles": [],
        ENTERPRISE: {"department": "R&D", "employeeNumber": "42"},
    }
    if role:
        body["schemas"].append(ROLE_URN)
        body[ROLE_URN] = {"orgRole": role}
    return body


def actors(org, since):
    return {e.actor_email for e in log_entries(org)[since:]}


def test_entra_user_lifecycle(entra, org):
    assert entra.get("Users", filter='userName eq "bo@initech.com"').json()["totalResults"] == 0
    created = entra.post("Users", entra_user("bo@initech.com", role="admin"))
    assert created.status_code == 201, created.content
    uid = created.json()["id"]
    bo = User.objects.get(email="bo@initech.com")
    assert OrgMembership.objects.get(org=org, user=bo).role == "admin"
    assert created.json()[ROLE_URN] == {"orgRole": "admin"}
    found = entra.get("Users", filter='externalId eq "0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef"')
    assert [r["id"] for r in found.json()["Resources"]] == [uid]

    step = len(log_entries(org))
    updated = entra.patch(
        f"Users/{uid}",
        patch_op(
            {"op": "Replace", "path": 'emails[type eq "work"].value', "value": "bo@initech.com"},
            {"op": "Replace", "path": "name.familyName", "value": "Chan"},
            {"op": "Replace", "path": "displayName", "value": "Bo Chan"},
            {"op": "Replace", "path": f"{ROLE_URN}:orgRole", "value": "user"},
        ),
    )
    assert updated.status_code == 200, updated.content
    bo.refresh_from_db()
    assert bo.full_name == "Bo Chan"
    assert OrgMembership.objects.get(org=org, user=bo).role == "user"
    assert actors(org, step) == {"scim:entra id"}

    disabled = entra.patch(
        f"Users/{uid}", patch_op({"op": "Replace", "path": "active", "value": "False"})
    )
    assert disabled.status_code == 200, disabled.content
    assert not OrgMembership.objects.filter(org=org, user=bo).exists()

    enabled = entra.patch(
        f"Users/{uid}", patch_op({"op": "Replace", "path": "active", "value": True})
    )
    assert enabled.status_code == 200 and enabled.json()["active"] is True
    assert OrgMembership.objects.filter(org=org, user=bo).exists()

    step = len(log_entries(org))
    assert entra.delete(f"Users/{uid}").status_code == 204
    assert not OrgMembership.objects.filter(org=org, user=bo).exists()
    assert entra.get(f"Users/{uid}").status_code == 404
    entries = [(e.action, e.entity_type) for e in log_entries(org)[step:]]
    assert ("deleted", "org_member") in entries and ("deleted", "scim_user") in entries


def test_entra_groups(entra, org):
    ids = [
        entra.post("Users", entra_user(f"p{n}@initech.com", external_id=f"e{n}")).json()["id"]
        for n in range(2)
    ]
    created = entra.post(
        "Groups",
        {
            "schemas": [GROUP_SCHEMA],
            "externalId": "8aa1a0c0-c4c3-4bc0-b4a5-2ef676900159",
            "displayName": "Sales",
            "meta": {"resourceType": "Group"},
            "members": [],
        },
    )
    assert created.status_code == 201, created.content
    gid = created.json()["id"]
    team = Team.objects.get(pk=gid)
    assert team.managed_by_idp and team.external_id == "8aa1a0c0-c4c3-4bc0-b4a5-2ef676900159"

    lookup = entra.get(
        "Groups", excludedAttributes="members", filter='displayName eq "Sales"'
    ).json()
    assert lookup["totalResults"] == 1 and "members" not in lookup["Resources"][0]

    add = patch_op(
        {"op": "Add", "path": "members", "value": [{"$ref": None, "value": i} for i in ids]}
    )
    assert entra.patch(f"Groups/{gid}", add).status_code == 200
    assert TeamMembership.objects.filter(team=team).count() == 2

    remove = patch_op(
        {"op": "Remove", "path": "members", "value": [{"$ref": None, "value": ids[0]}]}
    )
    response = entra.patch(f"Groups/{gid}", remove)
    assert response.status_code == 200, response.content
    assert list(TeamMembership.objects.filter(team=team).values_list("user_id", flat=True)) == [
        int(ids[1])
    ]

    renamed = entra.patch(
        f"Groups/{gid}", patch_op({"op": "Replace", "path": "displayName", "value": "Sales EMEA"})
    )
    assert renamed.status_code == 200
    team.refresh_from_db()
    assert team.name == "Sales EMEA"
    assert {e.actor_email for e in log_entries(org, entity_type="team_member")} == {"scim:entra id"}
