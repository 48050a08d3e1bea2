"""The requests Okta sends to a SCIM 2.0 app (developer.okta.com, "SCIM 2.0 protocol
reference" and "Build a SCIM provisioning integration"): look up by userName, create, read,
update the profile with PUT, deactivate and reactivate with PATCH `active`, and Push Groups
(create, rename, add and remove members, delete). Each step is checked against the console's
state and the activity log."""

import pytest

from orgs.models import OrgMembership, Team, TeamMembership, User

from .conftest import GROUP_SCHEMA, USER_SCHEMA, log_entries, patch_op

pytestmark = pytest.mark.django_db

OKTA_ACTOR = "scim:okta"


def okta_user(email, given="Ann", family="Lee", active=True):
    """Okta's create/replace body: its default app user mapping."""
    return {
        "schemas": [USER_SCHEMA],
        "userName": email,
        "name": {"givenName": given, "familyName": family},
        "emails": [{"primary": True, "value": email, "type": "work"}],
        "displayName": f"{given} {family}",
        "locale": "en-US",
        "externalId": "00u1abcdEFGH",
        "groups": [],
        "password": "t1meMa$heen",
        "active": active,
    }


def new_entries(org, since):
    return [(e.actor_email, e.action, e.entity_type, e.entity_label) for e in log_entries(org)][
        since:
    ]


def test_okta_user_lifecycle(scim, org):
    start = len(log_entries(org))
    # 1. Okta first checks whether the user exists.
    found = scim.get("Users", filter='userName eq "ann@initech.com"', startIndex=1, count=100)
    assert found.status_code == 200
    assert found.json()["totalResults"] == 0 and found.json()["Resources"] == []

    # 2. Create.
    created = scim.post("Users", okta_user("ann@initech.com"))
    assert created.status_code == 201, created.content
    body = created.json()
    uid = body["id"]
    assert body["userName"] == "ann@initech.com" and body["active"] is True
    assert created["Location"].endswith(f"/scim/v2/initech/Users/{uid}")
    assert created["ETag"] == body["meta"]["version"]
    ann = User.objects.get(email="ann@initech.com")
    assert ann.full_name == "Ann Lee"
    assert OrgMembership.objects.get(org=org, user=ann).role == "user"
    assert ("scim:okta", "created", "org_member", "ann@initech.com") in new_entries(org, start)

    # 3. Read back, and find by userName in another case.
    assert scim.get(f"Users/{uid}").json()["name"] == {"givenName": "Ann", "familyName": "Lee"}
    found = scim.get("Users", filter='userName eq "ANN@initech.com"').json()
    assert [r["id"] for r in found["Resources"]] == [uid]

    # 4. Profile update: Okta sends the whole user with PUT.
    step = len(log_entries(org))
    updated = scim.put(f"Users/{uid}", {**okta_user("ann@initech.com", family="Smith"), "id": uid})
    assert updated.status_code == 200, updated.content
    ann.refresh_from_db()
    assert ann.full_name == "Ann Smith"
    assert updated.json()["name"]["familyName"] == "Smith"
    assert all(actor == OKTA_ACTOR for actor, *_ in new_entries(org, step))

    # 5. Deactivate: the member leaves the org through the console's service.
    step = len(log_entries(org))
    off = scim.patch(f"Users/{uid}", patch_op({"op": "replace", "value": {"active": False}}))
    assert off.status_code == 200, off.content
    assert off.json()["active"] is False
    assert not OrgMembership.objects.filter(org=org, user=ann).exists()
    assert (OKTA_ACTOR, "deleted", "org_member", "ann@initech.com") in new_entries(org, step)
    # … and is still there for Okta, inactive.
    assert scim.get(f"Users/{uid}").json()["active"] is False

    # 6. Reactivate.
    on = scim.patch(f"Users/{uid}", patch_op({"op": "replace", "value": {"active": True}}))
    assert on.status_code == 200, on.content
    assert OrgMembership.objects.get(org=org, user=ann).role == "user"
    assert new_entries(org, step)[-1] == (OKTA_ACTOR, "created", "org_member", "ann@initech.com")


def test_okta_push_groups(scim, org):
    ids = [scim.post("Users", okta_user(f"u{n}@initech.com")).json()["id"] for n in range(3)]
    step = len(log_entries(org))
    # Push Groups: look up, create empty, rename, add members, remove one, delete.
    assert scim.get("Groups", filter='displayName eq "Engineering"').json()["totalResults"] == 0
    created = scim.post("Groups", {"schemas": [GROUP_SCHEMA], "displayName": "Engineering"})
    assert created.status_code == 201, created.content
    gid = created.json()["id"]
    team = Team.objects.get(pk=gid)
    assert team.managed_by_idp and team.org == org

    renamed = scim.patch(
        f"Groups/{gid}",
        patch_op({"op": "replace", "value": {"id": gid, "displayName": "Engineers"}}),
    )
    assert renamed.status_code == 200, renamed.content
    team.refresh_from_db()
    assert team.name == "Engineers"

    added = scim.patch(
        f"Groups/{gid}",
        patch_op(
            {
                "op": "add",
                "path": "members",
                "value": [
                    {"value": uid, "display": f"u{n}@initech.com"} for n, uid in enumerate(ids)
                ],
            }
        ),
    )
    assert added.status_code == 200, added.content
    assert sorted(m["value"] for m in added.json()["members"]) == sorted(ids)
    assert TeamMembership.objects.filter(team=team).count() == 3

    removed = scim.patch(
        f"Groups/{gid}", patch_op({"op": "remove", "path": f'members[value eq "{ids[0]}"]'})
    )
    assert removed.status_code == 200, removed.content
    members = set(TeamMembership.objects.filter(team=team).values_list("user_id", flat=True))
    assert members == {int(ids[1]), int(ids[2])}

    entries = new_entries(org, step)
    assert (OKTA_ACTOR, "created", "team", "Engineering") in entries
    assert (OKTA_ACTOR, "created", "team_member", "u1@initech.com in Engineers") in entries
    assert (OKTA_ACTOR, "deleted", "team_member", "u0@initech.com in Engineers") in entries

    assert scim.delete(f"Groups/{gid}").status_code == 204
    assert not Team.objects.filter(pk=gid).exists()
    assert scim.get(f"Groups/{gid}").status_code == 404
    assert new_entries(org, step)[-1][:3] == (OKTA_ACTOR, "deleted", "team")
