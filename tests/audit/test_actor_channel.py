"""One channel for who acts: every service records the `actor` it was given,
whoever calls it and from where — never "anonymous" or "system" for a person who can be named."""

import pytest

from audit.models import ActivityEntry
from orgs import invitations, services
from tests.factories import OrganizationFactory, OrgMembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "Str0ng-enough-passphrase"


def actors_since(pk):
    return list(
        ActivityEntry.objects.filter(pk__gt=pk)
        .order_by("pk")
        .values_list("entity_type", "actor_email")
    )


def last_pk():
    return ActivityEntry.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


def test_a_service_called_outside_a_request_records_its_actor():
    org = OrganizationFactory()
    admin = UserFactory(email="boss@example.test")
    OrgMembershipFactory(org=org, user=admin, admin=True)
    start = last_pk()
    services.team_create(actor=admin, org=org, name="Ops")
    assert actors_since(start) == [("team", "boss@example.test")]


def test_a_named_actor_is_recorded_as_named():
    org = OrganizationFactory()
    start = last_pk()
    services.team_create(actor="expiry", org=org, name="Ops")
    assert actors_since(start) == [("team", "expiry")]


def test_a_service_needs_its_actor():
    with pytest.raises(TypeError, match="actor"):
        services.team_create(org=OrganizationFactory(), name="Ops")


def test_nested_services_record_their_own_actor_argument():
    org = OrganizationFactory()
    a, b = UserFactory(email="a@example.test"), UserFactory(email="b@example.test")
    OrgMembershipFactory(org=org, user=a, admin=True)
    start = last_pk()
    services.member_add(actor=a, org=org, user=b)
    services.org_role_set(actor=b, org=org, user=b, role="admin")
    assert actors_since(start) == [
        ("org_member", "a@example.test"),
        ("org_member", "b@example.test"),
    ]


def test_sign_up_through_an_invitation_is_logged_as_the_new_person(client, acme):
    marketing = acme.workspaces.get(slug="marketing")
    admin = acme.memberships.get(role="admin").user
    issued = invitations.invitation_create(
        actor=admin, org=acme, email="joiner@acme.test", workspace_roles=[(marketing, "editor")]
    )
    start = last_pk()
    data = {"full_name": "Jo Iner", "password1": PASSWORD, "password2": PASSWORD}
    assert client.post(f"/invitations/{issued.token}/", data).status_code == 302
    assert sorted(actors_since(start)) == [
        ("invitation", "joiner@acme.test"),
        ("org_member", "joiner@acme.test"),
        ("workspace_member", "joiner@acme.test"),
    ]
    client.force_login(admin)
    export = client.get("/orgs/acme/activity/export.csv?email=joiner@acme.test")
    assert b"joiner@acme.test" in b"".join(export.streaming_content)


def test_a_just_in_time_sso_join_names_the_new_person_with_source_sso():
    from orgs.models import Domain, DomainStatus

    org = OrganizationFactory()
    Domain.objects.create(org=org, hostname="jit.test", status=DomainStatus.VERIFIED)
    sso = services.sso_configure(
        actor=None,
        org=org,
        protocol="oidc",
        entity_id="https://idp.jit.test",
        metadata_url="https://idp.jit.test/.well-known/openid-configuration",
        client_id="flowadmin",
        client_secret="s3cret",
        hostnames=["jit.test"],
        enforced=False,
    )
    start = last_pk()
    invitations.sso_join(actor=None, sso=sso, email="New.Person@JIT.test")
    assert actors_since(start) == [
        ("org_member", "new.person@jit.test"),
        ("sso_join", "new.person@jit.test"),
    ]
    join = ActivityEntry.objects.get(pk__gt=start, entity_type="sso_join")
    assert join.changes["source"] == [None, "sso"]


def test_two_factor_changes_name_the_person_in_each_of_their_orgs():
    person = UserFactory(email="careful@example.test")
    orgs = [OrganizationFactory(), OrganizationFactory()]
    for org in orgs:
        OrgMembershipFactory(org=org, user=person)
    start = last_pk()
    assert services.two_factor_changed(actor=person, change="TOTP added") == 2
    entries = ActivityEntry.objects.filter(pk__gt=start)
    assert {(e.org_id, e.entity_type, e.actor_email) for e in entries} == {
        (org.pk, "two_factor", "careful@example.test") for org in orgs
    }


def test_only_entry_points_open_an_actor_context():
    """Services name their actor (`@service`, `as_actor`); `acting_as` (which replaces the
    whole context) is for the places a request, command, task or SCIM call starts."""
    from django.conf import settings

    entry_points = {
        "audit/context.py",
        "flowadmin/middleware.py",
        "orgs/management/base.py",
        "orgs/scim/protocol.py",
        "bench/seeding.py",
    }
    base = settings.BASE_DIR
    users = {
        str(path.relative_to(base))
        for folder in ("audit", "bench", "flowadmin", "orgs", "workspaces")
        for path in (base / folder).rglob("*.py")
        if "acting_as" in path.read_text() or "actor_for_user(" in path.read_text()
    }
    assert users <= entry_points, sorted(users - entry_points)
