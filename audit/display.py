"""How an entry's changes read on the page: a one-line summary and the full before/after."""

from __future__ import annotations

import json

SUMMARY_FIELDS = 3
MAX_VALUE_CHARS = 60


def field_label(name: str) -> str:
    return name.replace("_", " ")


def show(value, limit: int | None = MAX_VALUE_CHARS) -> str:
    """A value as text: — for nothing, yes/no for flags, lists joined, long text shortened."""
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        text = ", ".join(show(item, None) for item in value) or "none"
    elif isinstance(value, dict):
        text = json.dumps(value, ensure_ascii=False, sort_keys=True)
    else:
        text = str(value)
    if limit is not None and len(text) > limit:
        text = text[: limit - 1] + "…"
    return text


def summarize(entry) -> str:
    """e.g. "role: user → admin · flows manager: no → yes", "+2 more" beyond three fields."""
    rows = entry.change_rows
    parts = []
    for name, old, new in rows[:SUMMARY_FIELDS]:
        label = field_label(name)
        if entry.action == "updated":
            parts.append(f"{label}: {show(old)} → {show(new)}")
        elif entry.action == "deleted":
            parts.append(f"{label}: {show(old)}")
        else:
            parts.append(f"{label}: {show(new)}")
    if len(rows) > SUMMARY_FIELDS:
        parts.append(f"+{len(rows) - SUMMARY_FIELDS} more")
    return " · ".join(parts)
