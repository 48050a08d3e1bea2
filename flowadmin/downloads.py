"""File downloads the views stream, and the CSV lines they stream (`csv_stream`: the activity
log's export, the access report, a review's evidence, a workspace's audience)."""

import csv
import json

from django.http import StreamingHttpResponse
from django.utils.http import content_disposition_header


def csv_attachment(lines, filename):
    """A streamed CSV download of `lines` (str, e.g. from csv_stream): private,
    never cached, never sniffed as another type."""
    response = StreamingHttpResponse(lines, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = content_disposition_header(True, filename)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


# A spreadsheet would run a cell starting with one of these as a formula (CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


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
