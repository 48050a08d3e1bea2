"""Names compare the way people read them: NFKC and case folding, on SQLite
as on PostgreSQL, for team and workspace names (unique per org) and member search."""

import pytest

from orgs import services
from orgs.errors import ServiceError
from orgs.names import fold
from tests.factories import OrganizationFactory, OrgMembershipFactory, TeamFactory, UserFactory
from workspaces import services as workspace_services
from workspaces.models import Workspace

pytestmark = pytest.mark.django_db

SAME = [
    ("ÜBER TEAM", "über team"),
    ("Café", "Cafe\u0301"),  # precomposed é vs e + combining acute accent
    ("Ｆｉｅｌｄ Ｓａｌｅｓ", "Field Sales"),  # full-width
    ("Straße", "STRASSE"),
    ("  Field   Sales ", "field sales"),
]


@pytest.mark.parametrize("a,b", SAME)
def test_fold_makes_them_one_name(a, b):
    assert fold(a) == fold(b)


@pytest.mark.parametrize("a,b", SAME)
def test_a_team_name_is_unique_as_people_read_it(a, b):
    org = OrganizationFactory()
    services.team_create(actor=None, org=org, name=a)
    with pytest.raises(ServiceError, match="already has a team"):
        services.team_create(actor=None, org=org, name=b)


def test_renaming_a_team_to_anothers_name_is_refused():
    org = OrganizationFactory()
    TeamFactory(org=org, name="Field Sales")
    team = TeamFactory(org=org, name="Other")
    with pytest.raises(ServiceError):
        services.team_update(actor=None, team=team, name="ＦＩＥＬＤ sales")


@pytest.mark.parametrize("a,b", SAME)
def test_a_workspace_name_is_unique_as_people_read_it(a, b):
    org = OrganizationFactory()
    workspace_services.workspace_create(actor=None, org=org, name=a)
    with pytest.raises(ServiceError) as refused:
        workspace_services.workspace_create(actor=None, org=org, name=b)
    assert refused.value.code == "duplicate_name"


def test_the_database_refuses_a_duplicate_workspace_name():
    from django.db import IntegrityError, transaction

    org = OrganizationFactory()
    Workspace.objects.create(org=org, name="Marketing", slug="marketing")
    with pytest.raises(IntegrityError), transaction.atomic():
        Workspace.objects.create(org=org, name="MARKETING", slug="marketing-2")


def test_a_second_marketing_is_a_field_error_in_the_console(client, demo, acme):
    client.force_login(demo["admin@acme.test"])
    response = client.post("/orgs/acme/workspaces/", {"name": "marketing", "slug": ""})
    assert response.status_code == 400  # refused: the form again
    assert "already a workspace called" in " ".join(response.context["form"].errors["name"])
    assert acme.workspaces.filter(name_key="marketing").count() == 1


def test_the_same_name_in_two_orgs_is_fine():
    for org in (OrganizationFactory(), OrganizationFactory()):
        workspace_services.workspace_create(actor=None, org=org, name="Marketing")


@pytest.mark.parametrize("q", ["ångström", "ÅNGSTRÖM", "Ａｎｄｅｒｓ", "angstrom"])
def test_member_search_folds_on_every_database(client, demo, acme, q):
    user = UserFactory(full_name="Anders Ångström", email="anders@acme.test")
    OrgMembershipFactory(org=acme, user=user)
    client.force_login(demo["admin@acme.test"])
    page = client.get("/orgs/acme/users/", {"q": q}).content.decode()
    if q == "angstrom":  # no accent folding: å is not a
        assert "anders@acme.test" not in page
    else:
        assert "anders@acme.test" in page


@pytest.mark.parametrize(("name", "found"), [("Ärger Ltd", True), ("Anger Ltd", False)])
def test_raw_fold_contains_takes_a_named_placeholder(name, found):
    from django.db import connection

    from orgs.lookups import fold_contains_sql, fold_pattern

    condition = fold_contains_sql(connection, "%(name)s", placeholder="%(q)s")
    assert condition.count("%(q)s") == 1 and "%s" not in condition  # the column kept as given
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT 1 WHERE {condition}", {"name": name, "q": fold_pattern(connection, "ärg")}
        )
        assert bool(cursor.fetchall()) is found
