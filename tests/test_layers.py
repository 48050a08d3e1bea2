"""The import contracts of .importlinter (README "Layout"): the code keeps them, and they are
not vacuous — one forbidden import added to the real graph breaks them."""

from copy import deepcopy
from pathlib import Path

import grimp
import pytest
from importlinter import configuration
from importlinter.application import use_cases
from importlinter.domain.contract import registry

CONFIG = Path(__file__).resolve().parent.parent / ".importlinter"


@pytest.fixture(scope="module")
def contracts():
    configuration.configure()
    options = use_cases.read_user_options(str(CONFIG))
    use_cases._register_contract_types(options)
    built = {
        contract_options["id"]: registry.get_contract_class(contract_options["type"])(
            name=contract_options["name"],
            session_options=options.session_options,
            contract_options=contract_options,
        )
        for contract_options in options.contracts_options
    }
    graph = grimp.build_graph(*options.session_options["root_packages"], cache_dir=None)
    return built, graph


def kept(contracts, *extra_imports) -> dict[str, bool]:
    built, graph = contracts
    graph = deepcopy(graph)
    for importer, imported in extra_imports:
        graph.add_import(importer=importer, imported=imported)
    return {
        name: contract.check(deepcopy(graph), verbose=False).kept
        for name, contract in built.items()
    }


def test_the_code_keeps_every_contract(contracts):
    assert kept(contracts) == {"layers": True, "orgs-core": True}


@pytest.mark.parametrize(
    "importer, imported",
    [
        ("orgs.services", "workspaces.services"),
        ("orgs.models", "workspaces.views.flows"),
        ("orgs.selectors", "workspaces.views.manage.members"),
        ("orgs.permissions", "workspaces.services.content"),
    ],
)
def test_orgs_core_importing_workspaces_services_or_views_breaks_them(
    contracts, importer, imported
):
    assert kept(contracts, (importer, imported)) == {"layers": False, "orgs-core": False}


@pytest.mark.parametrize(
    "importer, imported",
    [
        ("orgs.permissions", "orgs.models"),  # the policy imports no model
        ("orgs.roles", "orgs.models"),
        ("orgs.models", "orgs.services"),
        ("workspaces.selectors.manage", "orgs.forms"),  # selectors return data, views build forms
        ("workspaces.services", "workspaces.views.flows"),
        ("orgs.services", "orgs.admin"),
    ],
)
def test_an_import_up_the_layers_breaks_them(contracts, importer, imported):
    assert kept(contracts, (importer, imported))["layers"] is False
