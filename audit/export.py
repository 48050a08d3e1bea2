"""Streaming the activity log out as CSV or JSON lines, in constant memory: entries are read
from a server-side cursor (PostgreSQL) in chunks and written out one line at a time."""

from __future__ import annotations

import json

from flowadmin.downloads import csv_stream

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


def _rows(entries):
    columns = [column for _, column in EXPORT_FIELDS]
    for values in entries.values_list(*columns).iterator(chunk_size=CHUNK_SIZE):
        row = dict(zip(HEADER, values, strict=True))
        row["time"] = row["time"].isoformat()
        yield row


def csv_lines(entries):
    return csv_stream(HEADER, ([row[name] for name in HEADER] for row in _rows(entries)))


def jsonl_lines(entries):
    for row in _rows(entries):
        yield json.dumps(row, ensure_ascii=False) + "\n"
