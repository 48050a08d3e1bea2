"""Every page of SPEC §4, for an Org Admin, a Workspace Admin and a Viewer, at 390, 768 and
1280 px: no page is wider than the viewport, and axe-core (axe-playwright-python, which ships
axe-core) finds no violation at 390 and 1280.

One test per persona walks all of that persona's pages in one browser context, loads each
page once and checks it at every width in turn (the viewport resized: the layout follows
the CSS media queries; no script reads the width), and reports every problem at once. As
each page is resized, not reloaded, UI state (an open menu or dialog, a typed filter) carries
over from one width to the next: app.js never reads the viewport's width, so it resets none.
`make screenshots` runs this file with SCREENSHOTS_DIR set and writes a full-page PNG of
every page at every width there.
"""

import os
from pathlib import Path

import pytest

from tests.conftest import sign_in
from tests.e2e.axe import axe_violations, load_axe_in
from tests.e2e.pages import PERSONAS, WIDTHS, pages_for

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

AXE_WIDTHS = (390, 1280)
SCREENSHOTS_DIR = os.environ.get("SCREENSHOTS_DIR")


@pytest.mark.parametrize("email", PERSONAS)
def test_every_page_fits_and_passes_axe(demo, chromium, live_server, email):
    context = chromium.new_context(base_url=live_server.url, viewport=viewport(WIDTHS[0]))
    load_axe_in(context)
    page = context.new_page()
    page.set_default_timeout(10_000)
    sign_in(page, email)
    problems = []
    for name, path in pages_for(email) + [("404", "/orgs/acme/nothing-here/")]:
        page.set_viewport_size(viewport(WIDTHS[0]))
        page.goto(path)
        page.wait_for_load_state("load")
        for width in WIDTHS:
            page.set_viewport_size(viewport(width))
            problems += [f"{name} {path}: {problem}" for problem in check(page, email, name)]
    context.close()
    assert not problems, "\n".join(problems)


# Boxes that scroll sideways (a table in .table-scroll wider than the page): the page keeps
# the viewport's width, yet what does not fit is cut off at the box's edge. A box meant to
# scroll says so: a focusable region with a label (role="region", as the evidence table).
CUT_OFF = """
[...document.querySelectorAll("body *")].filter(box => {
  const overflow = getComputedStyle(box).overflowX;
  return (overflow === "auto" || overflow === "scroll") && box.scrollWidth > box.clientWidth + 1
    && box.getAttribute("role") !== "region" && box.getClientRects().length > 0;
}).map(box => [
  box.tagName.toLowerCase() + (box.id ? "#" + box.id : "")
    + [...box.classList].map(name => "." + name).join("")
    + (box.firstElementChild ? " > " + box.firstElementChild.tagName.toLowerCase()
       + [...box.firstElementChild.classList].map(name => "." + name).join("") : ""),
  box.scrollWidth, box.clientWidth,
])
"""


def viewport(width: int) -> dict:
    return {"width": width, "height": 900}


def check(page, email: str, name: str) -> list[str]:
    """What is wrong with the page at its viewport's width: wider than the viewport, and at
    AXE_WIDTHS what axe-core finds; writes the screenshot when SCREENSHOTS_DIR is set."""
    width = page.viewport_size["width"]
    problems = []
    scroll, inner = page.evaluate("[document.scrollingElement.scrollWidth, window.innerWidth]")
    if scroll > inner:
        problems.append(f"{scroll} px wide at {inner}")
    for what, wide, shown in page.evaluate(CUT_OFF):
        problems.append(f"{what} is {wide} px wide in {shown} px: cut off, scrolls sideways")
    if width in AXE_WIDTHS:
        for rule, impact, targets in axe_violations(page):
            problems.append(f"at {width} px axe {rule} ({impact}): {', '.join(targets)}")
    if SCREENSHOTS_DIR:
        folder = Path(SCREENSHOTS_DIR) / email.split("@")[0]
        folder.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(folder / f"{name}-{width}.png"), full_page=True)
    return problems
