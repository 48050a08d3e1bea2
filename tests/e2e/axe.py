"""axe-core (axe-playwright-python) accessibility check shared by the browser tests."""

from axe_playwright_python.sync_playwright import Axe


def axe_violations(page) -> list[tuple[str, str, list[str]]]:
    """What axe-core finds on `page`: (rule id, impact, the first three targets) per rule."""
    violations = Axe().run(page).response["violations"]
    return [
        (v["id"], v["impact"], [" ".join(node["target"]) for node in v["nodes"][:3]])
        for v in violations
    ]


def no_axe_violations(page):
    """Assert axe-core finds no violation on `page` (lists the rule ids and first targets)."""
    found = axe_violations(page)
    assert found == [], found
