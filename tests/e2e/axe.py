"""axe-core (axe-playwright-python) accessibility check shared by the browser tests."""

from axe_playwright_python.sync_playwright import Axe


def no_axe_violations(page):
    """Assert axe-core finds no violation on `page` (lists the rule ids and first targets)."""
    violations = Axe().run(page).response["violations"]
    found = [(v["id"], [" ".join(node["target"]) for node in v["nodes"][:3]]) for v in violations]
    assert found == [], found
