"""OrgMembership's copies of its user's full name, email and last login (migration orgs.0012),
which the users page sorts by, follow the user through every door that writes one — the
/admin/, SCIM, SSO, an invitation, a command, a sign-in, a raw UPDATE, bulk inserts — and sort
exactly as the user's own columns did (on PostgreSQL, by the database's collation)."""

import datetime
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.paginator import Paginator
from django.db import connection
from django.db.models import F
from django.utils import timezone

from orgs import accounts, invitations, people
from orgs.models import USER_COPIES, Domain, DomainStatus, OrgMembership, User
from orgs.scim import tokens
from orgs.views.users import MEMBERS_PER_PAGE
from tests.factories import (
    OrganizationFactory,
    OrgMembershipFactory,
    SSOConfigurationFactory,
)
from tests.orgs.test_admin_services import post_form, user_url
from tests.scim.conftest import USER_SCHEMA, ScimClient

pytestmark = pytest.mark.django_db

TRICKY_NAMES = [
    "",  # no name: sorts first (the page shows the email)
    " leading space",
    "Zoë Åberg",
    "zoe aberg",
    "Zoe Aberg",
    "Émile Zola",
    "emile zola",
    "Ängel",
    "angel",
    "Anna-Lena Ørsted",
    "Anna Lena",
    "ANNA",
    "ß Straße",
    "ss",
    "Ōsaka 大阪",
    "ǅemal",
    "O'Brien",
    "o’brien",
    "1 Number",
    "ﬁne ligature",
]


def copies_match(user) -> bool:
    """Whether each membership of `user` holds the user's current values."""
    user.refresh_from_db()
    wanted = (user.full_name, user.email, user.last_login)
    rows = OrgMembership.objects.filter(user=user).values_list(*USER_COPIES)
    return bool(rows) and all(row == wanted for row in rows)


def member_page(org, sort, number):
    """The MemberRows of page `number` as the users page paginates them."""
    ids = people.membership_ids(org, sort=sort)
    page = Paginator(ids, MEMBERS_PER_PAGE).get_page(number)
    return people.member_page_rows(org, page.object_list, sort=sort)


def emails_in_order(org, sort="name") -> list[str]:
    rows = member_page(org, sort, 1)
    return [row.email for row in rows]


@pytest.fixture
def trio():
    """An org with Anna, Bert and Carl (and its admin, "Org Admin")."""
    org = OrganizationFactory()
    admin = OrgMembershipFactory(org=org, admin=True, user__full_name="Org Admin").user
    for name in ("Anna", "Bert", "Carl"):
        OrgMembershipFactory(org=org, user__full_name=name, user__email=f"{name.lower()}@x.test")
    return org, admin


def test_a_new_membership_takes_its_users_values(trio):
    org, _admin = trio
    anna = User.objects.get(email="anna@x.test")
    assert copies_match(anna)
    assert emails_in_order(org) == ["anna@x.test", "bert@x.test", "carl@x.test", _admin.email]


def test_a_rename_by_the_account_service_moves_the_member(trio):
    org, admin = trio
    anna = User.objects.get(email="anna@x.test")
    accounts.user_update(actor=admin, user=anna, full_name="Zelda")
    assert copies_match(anna)
    assert emails_in_order(org)[-1] == "anna@x.test"


def test_a_rename_in_the_admin_site_moves_the_member(client, demo, acme):
    client.force_login(demo["ops@flowadmin.test"])
    editor = demo["editor@acme.test"]
    response = post_form(client, user_url(editor), full_name="ZZZ Last", email="aaa@acme.test")
    assert response.status_code == 200
    assert copies_match(editor)
    assert emails_in_order(acme, sort="-name")[0] == "aaa@acme.test"


def test_a_rename_by_scim_moves_the_member(client, trio):
    org, _admin = trio
    _token, text = tokens.token_create(actor=None, org=org, name="Okta")
    scim = ScimClient(client, org, text)
    body = {
        "schemas": [USER_SCHEMA],
        "userName": "dora@initech.com",
        "name": {"givenName": "Dora", "familyName": "A"},
        "emails": [{"primary": True, "value": "dora@initech.com", "type": "work"}],
        "active": True,
    }
    created = scim.post("Users", body)
    assert created.status_code == 201, created.content
    uid = created.json()["id"]
    dora = User.objects.get(email="dora@initech.com")
    assert copies_match(dora) and emails_in_order(org)[0] == "anna@x.test"
    renamed = scim.put(f"Users/{uid}", {**body, "name": {"givenName": "Aaron", "familyName": "A"}})
    assert renamed.status_code == 200, renamed.content
    assert copies_match(dora)
    assert emails_in_order(org)[0] == "dora@initech.com"


def test_a_person_joining_by_sso_or_an_invitation_is_sorted_by_name(trio):
    org, admin = trio
    sso = SSOConfigurationFactory(org=org, protocol="oidc")
    sso.domains.add(Domain.objects.create(org=org, hostname="x.test", status=DomainStatus.VERIFIED))
    joined = invitations.sso_join(actor=None, sso=sso, email="ben@x.test", full_name="Ben")
    issued = invitations.invitation_create(actor=admin, org=org, email="al@y.test", send=False)
    accepted = invitations.invitation_accept(
        actor=None, token=issued.token, full_name="Al", password="a-Long-pass-123"
    )
    assert copies_match(joined) and copies_match(accepted.user)
    assert emails_in_order(org)[:3] == ["al@y.test", "anna@x.test", "ben@x.test"]


def test_an_org_made_by_the_command_lists_its_admin(db):
    call_command("create_org", "Initech", "--admin", "boss@initech.test", stdout=StringIO())
    boss = User.objects.get(email="boss@initech.test")
    assert copies_match(boss)


def test_a_sign_in_moves_the_member_in_last_login_order(client, trio):
    org, _admin = trio
    bert = User.objects.get(email="bert@x.test")
    assert emails_in_order(org, sort="-last_login")[0] != "bert@x.test"
    client.force_login(bert)  # Django's update_last_login
    assert copies_match(bert)
    assert emails_in_order(org, sort="-last_login")[0] == "bert@x.test"


def test_a_raw_update_of_users_and_bulk_inserts_keep_the_copies(trio):
    org, _admin = trio
    User.objects.filter(email="carl@x.test").update(full_name="Aaa", last_login=timezone.now())
    assert emails_in_order(org)[0] == "carl@x.test"
    other = OrganizationFactory()
    users = User.objects.bulk_create(
        User(email=f"b{i}@x.test", full_name=f"B{i}") for i in range(3)
    )
    OrgMembership.objects.bulk_create(OrgMembership(org=other, user=u) for u in users)
    carl = User.objects.get(email="carl@x.test")
    OrgMembership.objects.create(org=other, user=carl)
    assert all(copies_match(u) for u in [*users, carl])
    assert emails_in_order(other) == ["carl@x.test", "b0@x.test", "b1@x.test", "b2@x.test"]


def test_a_save_of_a_membership_loaded_before_a_rename_keeps_the_new_name(trio):
    org, admin = trio
    membership = OrgMembership.objects.get(org=org, user__email="anna@x.test")
    accounts.user_update(actor=admin, user=membership.user, full_name="Zelda")
    membership.role = "admin"
    membership.save()  # writes every column, the stale copies too
    assert copies_match(membership.user)
    membership.user_full_name = "Forged"
    membership.save(update_fields=["user_full_name"])
    assert copies_match(membership.user)


def _old_order(org, sort: str) -> list[int]:
    """The membership ids in the order the page used before the copies: the user's columns."""
    descending = sort.startswith("-")
    if sort.lstrip("-") == "name":
        keys = [F("user__full_name"), F("user__email")]
        ordering = [k.desc() if descending else k.asc() for k in keys]
    else:
        login = F("user__last_login")
        ordering = [
            login.desc(nulls_last=True) if descending else login.asc(nulls_first=True),
            F("user__email").desc() if descending else F("user__email").asc(),
        ]
    members = OrgMembership.objects.filter(org=org).order_by(*ordering, "pk")
    return list(members.values_list("pk", flat=True))


@pytest.mark.parametrize("sort", ["name", "-name", "last_login", "-last_login"])
def test_the_order_is_the_users_columns_order(sort):
    """Accents, case, spaces, ligatures, punctuation and scripts sort as the user's columns
    sort (on PostgreSQL: the database's collation), across pages."""
    org = OrganizationFactory()
    now = timezone.now()
    users = User.objects.bulk_create(
        User(
            email=f"{chr(ord('a') + i % 26)}{i}@{'Ex' if i % 3 else 'ex'}.test",
            full_name=name,
            last_login=None if i % 4 == 0 else now - datetime.timedelta(hours=i % 5),
        )
        for i, name in enumerate(TRICKY_NAMES * 3)
    )
    OrgMembership.objects.bulk_create(OrgMembership(org=org, user=u) for u in users)
    shown = []
    for page in (1, 2, 3):
        rows = member_page(org, sort, page)
        shown += [row.membership_id for row in rows]
    assert shown == _old_order(org, sort)
    assert len(shown) == len(users)


def test_a_user_in_two_orgs_is_renamed_in_both(trio):
    org, admin = trio
    anna = User.objects.get(email="anna@x.test")
    OrgMembershipFactory(user=anna)
    accounts.user_update(actor=admin, user=anna, full_name="Zelda", email="zelda@x.test")
    assert OrgMembership.objects.filter(user=anna).count() == 2
    assert copies_match(anna)


def test_a_membership_written_before_its_user_takes_the_users_values(trio):
    """Foreign keys are checked at COMMIT: a raw restore may insert a membership first."""
    org, _admin = trio
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO orgs_orgmembership (org_id, user_id, role, joined_at, until,"
            " user_full_name, user_email, user_last_login)"
            " VALUES (%s, 999999, 'user', %s, NULL, '', '', NULL)",
            [org.pk, timezone.now()],
        )
    late = User.objects.create(pk=999999, email="late@x.test", full_name="Aaron Late")
    assert copies_match(late)
    assert emails_in_order(org)[0] == "late@x.test"


def test_the_default_order_is_the_users_email_order_without_reading_users(trio):
    org, _admin = trio
    memberships = OrgMembership.objects.filter(org=org)
    assert list(memberships) == list(memberships.order_by("org", "user__email"))
    assert '"orgs_user"' not in str(memberships.query)
