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


# Package __init__ modules a layer cannot name without taking in all their modules: they hold no
# code (flowadmin's loads the Celery app, as Celery's Django setup does).
PACKAGES = {"orgs", "workspaces", "audit", "flowadmin", "orgs.reviews", "orgs.scim"}


def test_every_module_is_in_a_layer(contracts):
    """A module in no layer is checked by nothing: each one of the four packages is a layer or
    inside one (import-linter's `exhaustive` needs `containers`, which check only within each
    container, not between the apps)."""
    built, graph = contracts
    layers = {tail.name for layer in built["layers"].layers for tail in layer.module_tails}
    placed = {
        module
        for module in graph.modules
        if any(module == layer or module.startswith(f"{layer}.") for layer in layers)
    }
    assert graph.modules - placed == PACKAGES
    for package in PACKAGES:
        assert graph.find_modules_directly_imported_by(package) <= {"flowadmin.celery"}, package


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
        # a model imports no service, selector, form or view
        ("workspaces.models.content", "workspaces.views.flows"),
        ("workspaces.models.access", "orgs.services"),
        ("audit.models", "audit.services"),
        ("orgs.reviews.models", "orgs.reviews.selectors"),
        # an app's primitives (errors, names, the actor context…) import no model or policy
        ("orgs.errors", "orgs.models"),
        ("audit.context", "audit.models"),
        ("orgs.names", "orgs.permissions"),
        # no app imports the project's top (settings, urls, middleware, the sidebar, Celery)
        ("workspaces.models.content", "flowadmin.middleware"),
        ("orgs.services", "flowadmin.celery"),
        ("audit.filters", "flowadmin.context_processors"),
    ],
)
def test_an_import_up_the_layers_breaks_them(contracts, importer, imported):
    assert kept(contracts, (importer, imported))["layers"] is False


@pytest.mark.parametrize(
    "importer, imported",
    [
        ("flowadmin.hosts", "orgs.models"),
        ("flowadmin.htmx", "orgs.decorators"),
        ("flowadmin.downloads", "audit.export"),
        ("flowadmin.escaping", "audit.display"),
        ("flowadmin.nav_urls", "orgs.selectors"),
        ("flowadmin.params", "audit.context"),
        ("flowadmin.model_rows", "workspaces.models"),
    ],
)
def test_the_shared_kernel_importing_an_app_breaks_them(contracts, importer, imported):
    assert kept(contracts, (importer, imported))["layers"] is False


@pytest.mark.parametrize(
    "importer, imported",
    [
        ("orgs.dashboard_rows", "workspaces.charts"),
        ("orgs.services", "workspaces.uploads"),
        ("orgs.apps", "workspaces.apps"),
    ],
)
def test_orgs_core_importing_any_workspaces_module_but_its_models_breaks_them(
    contracts, importer, imported
):
    assert kept(contracts, (importer, imported))["orgs-core"] is False


def test_orgs_core_forbids_every_workspaces_module_but_its_models(contracts):
    """The contract's forbidden list is written by hand: a new workspaces module (a file or a
    package in its directory) must be added to it, or orgs core could import it unchecked."""
    built, _graph = contracts
    directory = Path(__file__).resolve().parent.parent / "workspaces"
    modules = {
        f"workspaces.{path.stem}"
        for path in directory.iterdir()
        if (path.suffix == ".py" and path.stem != "__init__")
        or (path.is_dir() and (path / "__init__.py").exists())
    }
    forbidden = {module.expression for module in built["orgs-core"].forbidden_modules}
    assert forbidden == modules - {"workspaces.models"}
