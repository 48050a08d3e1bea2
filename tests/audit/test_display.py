"""audit.display: the page's cells formatted once a page give what each formatted alone gave."""

import datetime
import html
import json

import pytest

from audit import display
from audit.models import ActivityEntry


def old_show(value, limit=display.MAX_VALUE_CHARS):
    """display.show as it was before its fast path for text (the reference)."""
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        text = ", ".join(old_show(item, None) for item in value) or "none"
    elif isinstance(value, dict):
        text = json.dumps(value, ensure_ascii=False, sort_keys=True)
    else:
        text = str(value)
    if limit is not None and len(text) > limit:
        text = text[: limit - 1] + "…"
    return text


TRICKY = [
    None,
    "",
    " ",
    True,
    False,
    1,
    0,
    1.0,
    0.0,
    float("nan"),
    "1",
    "True",
    "—",
    "<b>&'\"</b>",
    "x" * 59,
    "x" * 60,
    "x" * 61,
    "é" * 80,
    [],
    [None, True, "<a>"],
    {"b": [1, "<"], "a": None},
    {},
]


@pytest.mark.parametrize("limit", [None, display.MAX_VALUE_CHARS, 5])
def test_show_is_as_before(limit):
    for value in TRICKY:
        assert display.show(value, limit) == old_show(value, limit), value


def test_cells_kept_for_a_page_are_what_each_value_gives_alone():
    cells = {}
    for _ in range(2):  # the second time from what the first kept
        for value in TRICKY:
            assert display._cell(value, cells) == html.escape(old_show(value, None)), value
    # equal values of different types are kept apart: 1, 1.0 and True read differently
    assert display._cell(True, cells) == "yes" and display._cell(1, cells) == "1"
    assert display._cell(1.0, cells) == "1.0"


def entry(pk, changes, action="updated", **fields):
    values = {
        "actor_email": "ada@acme.test",
        "workspace_name": "Sales",
        "entity_type": "flow",
        "entity_label": "Poster",
        **fields,
    }
    return ActivityEntry(
        id=pk,
        created_at=datetime.datetime(2026, 12, 6, 12, pk, tzinfo=datetime.UTC),
        action=action,
        changes=changes,
        **values,
    )


def test_a_page_of_rows_is_its_rows_formatted_one_by_one():
    entries = [
        entry(1, {"on": [1, True], "size": [1.0, 0]}),
        entry(2, {"on": [True, 1], "name": ["", None]}),
        entry(3, {"tags": [["<a>"], {"k": 1}], "name": [None, "<b>"]}, action="created"),
        entry(4, {"note": ["x" * 70, "x" * 70]}, action="deleted"),
        entry(5, {}),
        entry(6, {"a": [None, 1]}, workspace_name="", entity_label=None, actor_email="system"),
        entry(7, {}, workspace_name=None, entity_label="", entity_type="team", actor_email="<x>@y"),
        entry(8, {}, workspace_name="<b>", entity_label="1", action="exported", actor_email=""),
        entry(9, {}, workspace_name="—", entity_label="yes", entity_type="brand_kit"),
    ]
    actions = {"updated": "Updated", "created": "Created", "deleted": "Deleted"}
    # one by one as before: each value escaped where it is used
    alone = "".join(
        display.ROW.format(
            iso=e.created_at.isoformat(),
            shown=e.created_at.strftime("%Y-%m-%d %H:%M:%S"),
            actor=display.breakable_email(e.actor_email),
            workspace=html.escape(e.workspace_name or "—"),
            action=html.escape(e.action),
            action_label=html.escape(actions.get(e.action, e.action)),
            entity_type=html.escape(e.entity_type_label),
            entity_label=html.escape(e.entity_label or "—"),
            changes=display.entry_row(e, actions, datetime.UTC).split('<td class="changes">')[1][
                : -len("</td></tr>\n")
            ],
        )
        for e in entries
    )
    shared, cells = {}, {}
    together = "".join(display.entry_row(e, actions, datetime.UTC, shared, cells) for e in entries)
    assert together == alone
    assert "<td>1</td><td>yes</td>" in together and "<td>yes</td><td>1</td>" in together
    assert "<td>1.0</td><td>0</td>" in together
    assert '<td class="actor">&lt;x&gt;<wbr>@y</td><td>—</td>' in together
    assert "<td>&lt;b&gt;</td>" in together and "<br>yes</td>" in together
    assert "<td>&lt;a&gt;</td>" in together and "{&quot;k&quot;: 1}" in together
