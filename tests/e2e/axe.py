"""axe-core (axe-playwright-python) accessibility check shared by the browser tests."""

import json

from axe_playwright_python.sync_playwright import DEFAULT_OPTIONS, Axe

AXE_SCRIPT = Axe().axe_script  # axe-core's axe.min.js, about 550 kB
RUN = f"axe.run({json.dumps(DEFAULT_OPTIONS)})"


def load_axe_in(context) -> None:
    """Have axe-core loaded in every document of the Playwright BrowserContext `context` as
    it starts, for a test that checks many pages: its script is sent to the browser once,
    instead of before each check (what axe-playwright-python's `Axe.run` does)."""
    context.add_init_script(script=AXE_SCRIPT)


def axe_violations(page) -> list[tuple[str, str, list[str]]]:
    """What axe-core finds on `page`: (rule id, impact, the first three targets) per rule.
    Loads axe-core into the page first unless `load_axe_in` did."""
    if page.evaluate("typeof window.axe === 'undefined'"):
        page.evaluate(AXE_SCRIPT)
    violations = page.evaluate(RUN)["violations"]
    return [
        (v["id"], v["impact"], [" ".join(node["target"]) for node in v["nodes"][:3]])
        for v in violations
    ]


def no_axe_violations(page):
    """Assert axe-core finds no violation on `page` (lists the rule ids and first targets)."""
    found = axe_violations(page)
    assert found == [], found
