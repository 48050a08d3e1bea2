"""Streaming the activity log out as CSV or JSON lines, in constant memory: entries are read
from a server-side cursor (PostgreSQL) in chunks and written out one line at a time."""

from __future__ import annotations

import csv
import json

EXPORT_FIELDS = (
    ("time", "created_at"),
    ("actor_email", "actor_email"),
    ("ip", "ip"),
    ("workspace", "workspace_name"),
    ("action", "action"),
    ("entity_type", "entity_type"),
    ("entity_id", "entity_id"),
    ("entity_label", "entity_label"),
    ("changes", "changes"),
    ("seq", "seq"),
    ("hash", "hash"),
)
HEADER = [name for name, _ in EXPORT_FIELDS]
CHUNK_SIZE = 2000
# A spreadsheet would run a cell starting with one of these as a formula (CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _rows(entries):
    columns = [column for _, column in EXPORT_FIELDS]
    for values in entries.values_list(*columns).iterator(chunk_size=CHUNK_SIZE):
        row = dict(zip(HEADER, values, strict=True))
        row["time"] = row["time"].isoformat()
        yield row


def _cell(value):
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


class _Line:
    """A file-like object whose write() hands back the line (csv.writer → generator)."""

    def write(self, value):
        return value


def csv_stream(header, rows):
    """CSV text lines (str, with line ending) for `header` then each row of `rows` (iterables
    of cells), one line at a time so a response or a command can stream it. Cells a spreadsheet
    would run as formulas get a leading apostrophe; dicts and lists become JSON."""
    writer = csv.writer(_Line())
    yield writer.writerow(header)
    for row in rows:
        yield writer.writerow([_cell(value) for value in row])


def csv_lines(entries):
    return csv_stream(HEADER, ([row[name] for name in HEADER] for row in _rows(entries)))


def jsonl_lines(entries):
    for row in _rows(entries):
        yield json.dumps(row, ensure_ascii=False) + "\n"
