"""Migration orgs.0012's KeepUserCopies: it runs its SQL only where the router migrates the
app and the vendor is one it has SQL for, and deconstructs without its SQL."""

import importlib
from types import SimpleNamespace
from unittest import mock

import pytest

copies = importlib.import_module("orgs.migrations.0012_membership_user_copies")


class NoOrgs:
    def allow_migrate(self, db, app_label, **hints):
        return app_label != "orgs"


def editor(vendor):
    return SimpleNamespace(
        connection=SimpleNamespace(vendor=vendor, alias="default"), execute=mock.Mock()
    )


def test_it_deconstructs_without_sql():
    assert copies.KeepUserCopies().deconstruct() == ("KeepUserCopies", [], {})


@pytest.mark.parametrize("direction", ["database_forwards", "database_backwards"])
def test_another_vendor_runs_nothing(direction):
    schema_editor = editor("mysql")
    getattr(copies.KeepUserCopies(), direction)("orgs", schema_editor, None, None)
    schema_editor.execute.assert_not_called()


@pytest.mark.parametrize("direction", ["database_forwards", "database_backwards"])
def test_a_router_that_does_not_migrate_orgs_runs_nothing(settings, direction):
    settings.DATABASE_ROUTERS = [f"{__name__}.NoOrgs"]
    schema_editor = editor("sqlite")
    getattr(copies.KeepUserCopies(), direction)("orgs", schema_editor, None, None)
    schema_editor.execute.assert_not_called()


def test_sqlite_runs_the_backfill_and_triggers():
    schema_editor = editor("sqlite")
    copies.KeepUserCopies().database_forwards("orgs", schema_editor, None, None)
    assert schema_editor.execute.call_count == 1 + len(copies.COPY_SQL["sqlite"][0])
