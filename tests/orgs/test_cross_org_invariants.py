"""SPEC §2/§3.2 hold whoever writes: the models refuse rows that join two
orgs and keep the flag rules on save(); on PostgreSQL, triggers refuse the same rows written
with raw SQL (SQLite has no such triggers: there the model checks and services stand alone)."""

import pytest
from django.db import IntegrityError, connection, transaction

from orgs.errors import CrossOrgError
from orgs.models import OrgMembership, Team, TeamMembership
from workspaces.models import TeamAccess, Workspace, WorkspaceMembership

pytestmark = pytest.mark.django_db

EDITOR_FLAGS = {"flows_manager": True, "brand_kits_manager": True, "audience_viewer": False}


@pytest.fixture
def rows(acme, globex, demo):
    return {
        "marketing": acme.workspaces.get(slug="marketing"),
        "main": globex.workspaces.get(slug="main"),
        "field_sales": Team.objects.get(org=acme, name="Field Sales"),
        "globex_admin": demo["admin@globex.test"],
        "editor": demo["editor@acme.test"],
    }


def test_a_workspace_member_of_another_org_is_refused(rows):
    with pytest.raises(CrossOrgError):
        WorkspaceMembership(
            workspace=rows["marketing"], user=rows["globex_admin"], role="viewer"
        ).save()


def test_a_team_member_of_another_org_is_refused(rows, globex):
    team = Team.objects.create(org=globex, name="Globex team")
    with pytest.raises(CrossOrgError):
        TeamMembership(team=team, user=rows["editor"]).save()


def test_team_access_to_another_orgs_workspace_is_refused(rows):
    with pytest.raises(CrossOrgError):
        TeamAccess(team=rows["field_sales"], workspace=rows["main"], role="viewer").save()


@pytest.mark.parametrize("model", [Workspace, Team])
def test_a_workspace_or_team_cannot_move_to_another_org(acme, globex, model):
    obj = model.objects.filter(org=acme).first()
    obj.org = globex
    with pytest.raises(CrossOrgError):
        obj.save()


def test_a_role_change_on_save_applies_the_new_roles_defaults(rows):
    membership = WorkspaceMembership.objects.get(user=rows["editor"])
    membership.role = "viewer"
    membership.save()
    membership.refresh_from_db()
    assert membership.flags == dict.fromkeys(EDITOR_FLAGS, False)


def test_an_admin_grant_always_has_every_flag(rows):
    membership = WorkspaceMembership.objects.get(user=rows["editor"])
    membership.role, membership.audience_viewer = "admin", False
    membership.save()
    membership.refresh_from_db()
    assert membership.flags == dict.fromkeys(EDITOR_FLAGS, True)


def test_the_database_refuses_an_admin_grant_without_every_flag(rows):
    membership = WorkspaceMembership.objects.get(user=rows["editor"])
    with pytest.raises(IntegrityError), transaction.atomic():
        WorkspaceMembership.objects.filter(pk=membership.pk).update(role="admin")


# --- PostgreSQL: the triggers behind raw SQL ------------------------------------------------


def raw(sql, params):
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(sql, params)


@pytest.mark.postgres
def test_postgres_refuses_a_raw_cross_org_workspace_member(rows):
    with pytest.raises(IntegrityError, match="cross-organization"):
        raw(
            "INSERT INTO workspaces_workspacemembership (workspace_id, user_id, role, "
            "flows_manager, brand_kits_manager, audience_viewer, created_at) "
            "VALUES (%s, %s, 'viewer', false, false, false, now())",
            [rows["marketing"].pk, rows["globex_admin"].pk],
        )
    assert not WorkspaceMembership.objects.filter(user=rows["globex_admin"]).exists()


@pytest.mark.postgres
def test_postgres_refuses_a_raw_cross_org_team_member(rows, globex):
    team = Team.objects.create(org=globex, name="Globex team")
    with pytest.raises(IntegrityError, match="cross-organization"):
        raw(
            "INSERT INTO orgs_teammembership (team_id, user_id, added_at) VALUES (%s, %s, now())",
            [team.pk, rows["editor"].pk],
        )


@pytest.mark.postgres
def test_postgres_refuses_raw_cross_org_team_access(rows):
    with pytest.raises(IntegrityError, match="cross-organization"):
        raw(
            "INSERT INTO workspaces_teamaccess (team_id, workspace_id, role, flows_manager, "
            "brand_kits_manager, audience_viewer, created_at) "
            "VALUES (%s, %s, 'viewer', false, false, false, now())",
            [rows["field_sales"].pk, rows["main"].pk],
        )


@pytest.mark.postgres
@pytest.mark.parametrize("table", ["workspaces_workspace", "orgs_team"])
def test_postgres_refuses_a_raw_move_to_another_org(acme, globex, table):
    with pytest.raises(IntegrityError, match="cross-organization"):
        raw(f"UPDATE {table} SET org_id = %s WHERE org_id = %s", [globex.pk, acme.pk])


@pytest.mark.postgres
def test_postgres_refuses_removing_an_org_member_who_keeps_workspace_access(rows, acme):
    with pytest.raises(IntegrityError, match="cross-organization"):
        raw(
            "DELETE FROM orgs_orgmembership WHERE org_id = %s AND user_id = %s",
            [acme.pk, rows["editor"].pk],
        )
    assert OrgMembership.objects.filter(org=acme, user=rows["editor"]).exists()
