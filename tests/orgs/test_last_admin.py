"""The last Org Admin can't be demoted or removed — from the services, the Django admin site,
the set_role command, and under two concurrent requests on PostgreSQL."""

import time
from datetime import timedelta
from functools import partial
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from orgs import services
from orgs.errors import LastAdminError, ServiceError
from orgs.models import OrgMembership
from tests import concurrency
from tests.factories import OrgMembershipFactory

pytestmark = pytest.mark.django_db


def roles(org):
    return dict(OrgMembership.objects.filter(org=org).values_list("user__email", "role"))


def test_is_last_admin(acme, demo):
    assert services.is_last_admin(acme, demo["admin@acme.test"])
    assert not services.is_last_admin(acme, demo["editor@acme.test"])
    OrgMembership.objects.filter(org=acme, user=demo["editor@acme.test"]).update(role="admin")
    assert not services.is_last_admin(acme, demo["admin@acme.test"])


def test_sole_admin_id_is_one_query(acme, demo, django_assert_num_queries):
    with django_assert_num_queries(1):
        assert services.sole_admin_id(acme) == demo["admin@acme.test"].pk


@pytest.mark.parametrize(
    ("other", "sole"),
    [
        ({"admin": True}, False),  # two lasting admins: neither is the only one
        ({"admin": True, "user__is_active": False}, True),  # a deactivated admin
        ({"admin": True, "until": "future"}, True),  # an admin whose access ends
        ({}, True),  # a plain member
    ],
    ids=["admin", "inactive admin", "ending admin", "member"],
)
def test_sole_admin_id_counts_active_lasting_admins_of_the_org(acme, demo, other, sole):
    if other.get("until") == "future":
        other = {**other, "until": timezone.now() + timedelta(days=3)}
    OrgMembershipFactory(org=acme, **other)
    OrgMembershipFactory(admin=True)  # another org's admin
    expected = demo["admin@acme.test"].pk if sole else None
    assert services.sole_admin_id(acme) == expected


# --- the Django admin site ------------------------------------------------------------------


@pytest.fixture
def operator(client, demo):
    client.force_login(demo["ops@flowadmin.test"])
    return client


def admin_membership(acme, demo):
    return OrgMembership.objects.get(org=acme, user=demo["admin@acme.test"])


def change_form_data(membership, role):
    return {
        "role": role,
        "joined_at_0": membership.joined_at.strftime("%Y-%m-%d"),
        "joined_at_1": membership.joined_at.strftime("%H:%M:%S"),
    }


def test_admin_site_refuses_demoting_the_last_admin(operator, acme, demo):
    membership = admin_membership(acme, demo)
    url = f"/admin/orgs/orgmembership/{membership.pk}/change/"
    response = operator.post(url, change_form_data(membership, "user"))
    assert response.status_code == 200
    assert "Acme must keep at least one Org Admin" in response.content.decode()
    assert roles(acme)["admin@acme.test"] == "admin"


def test_admin_site_can_demote_one_of_two_admins(operator, acme, demo):
    OrgMembership.objects.filter(org=acme, user=demo["editor@acme.test"]).update(role="admin")
    membership = admin_membership(acme, demo)
    url = f"/admin/orgs/orgmembership/{membership.pk}/change/"
    response = operator.post(url, change_form_data(membership, "user"))
    assert response.status_code == 302
    assert roles(acme)["admin@acme.test"] == "user"


def test_admin_site_offers_no_delete_for_the_last_admin(operator, acme, demo):
    membership = admin_membership(acme, demo)
    url = f"/admin/orgs/orgmembership/{membership.pk}/delete/"
    assert operator.get(url).status_code == 403
    assert operator.post(url, {"post": "yes"}).status_code == 403
    assert OrgMembership.objects.filter(pk=membership.pk).exists()


def test_admin_site_bulk_delete_with_the_last_admin_is_refused(operator, acme, demo):
    membership = admin_membership(acme, demo)
    viewer = OrgMembership.objects.get(org=acme, user=demo["viewer@acme.test"])
    data = {"action": "delete_selected", "_selected_action": [membership.pk, viewer.pk]}
    assert operator.post("/admin/orgs/orgmembership/", {**data, "post": "yes"}).status_code == 403
    assert OrgMembership.objects.filter(pk__in=[membership.pk, viewer.pk]).count() == 2


def test_admin_site_bulk_delete_of_every_admin_changes_nothing(operator, acme, demo):
    OrgMembership.objects.filter(org=acme, user=demo["editor@acme.test"]).update(role="admin")
    admins = OrgMembership.objects.filter(org=acme, role="admin")
    response = operator.post(
        "/admin/orgs/orgmembership/",
        {
            "action": "delete_selected",
            "_selected_action": list(admins.values_list("pk", flat=True)),
            "post": "yes",
        },
        follow=True,
    )
    assert "Acme must keep at least one Org Admin" in response.content.decode()
    assert admins.count() == 2  # the batch is all or nothing


# --- set_role -------------------------------------------------------------------------------


def test_set_role_refuses_to_demote_the_last_of_two_admins_in_turn(acme, demo):
    OrgMembership.objects.filter(org=acme, user=demo["editor@acme.test"]).update(role="admin")
    call_command("set_role", "acme", "admin@acme.test", "--org-role", "user", stdout=StringIO())
    with pytest.raises(CommandError, match="Acme must keep at least one Org Admin"):
        call_command("set_role", "acme", "editor@acme.test", "--org-role", "user")
    assert roles(acme)["editor@acme.test"] == "admin"


# --- two admins at the same moment (PostgreSQL) ---------------------------------------------


def run_at_once(calls):
    """The calls at the same moment (tests.concurrency); the outcome of each: "ok" or the
    ServiceError that refused it."""

    def ok(call):
        call()
        return "ok"

    return concurrency.run_at_once([partial(ok, call) for call in calls], expected=(ServiceError,))


@pytest.fixture
def slow_lock(monkeypatch):
    """Each transaction lingers after reading the admins: without a lock both would see two
    admins and both writes would go through."""
    original = services._lock_admins

    def lock_then_linger(org):
        admins = original(org)
        time.sleep(0.4)
        return admins

    monkeypatch.setattr(services, "_lock_admins", lock_then_linger)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    "action",
    [
        lambda org, actor, target: services.org_role_set(
            actor=actor, org=org, user=target, role="user"
        ),
        lambda org, actor, target: services.member_remove(actor=actor, org=org, user=target),
    ],
    ids=["demote", "remove"],
)
def test_two_admins_acting_on_each_other_at_once_leave_one_admin(slow_lock, action):
    first = OrgMembershipFactory(admin=True)
    org = first.org
    second = OrgMembershipFactory(admin=True, org=org)
    a, b = first.user, second.user
    outcomes = run_at_once([lambda: action(org, a, b), lambda: action(org, b, a)])
    assert sorted(map(type, outcomes), key=str) == sorted([str, LastAdminError], key=str)
    assert OrgMembership.objects.filter(org=org, role="admin").count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_demote_and_remove_at_once_leave_one_admin(slow_lock):
    first = OrgMembershipFactory(admin=True)
    org = first.org
    second = OrgMembershipFactory(admin=True, org=org)
    outcomes = run_at_once(
        [
            lambda: services.org_role_set(actor=None, org=org, user=first.user, role="user"),
            lambda: services.member_remove(actor=None, org=org, user=second.user),
        ]
    )
    assert outcomes.count("ok") == 1
    assert OrgMembership.objects.filter(org=org, role="admin").count() == 1
