"""CSV downloads, safe to open in a spreadsheet.

A cell that starts with ``=``, ``+``, ``-``, ``@`` (or a tab or carriage return, or a full-width or
small form of those signs, such as "＝") is a formula to Excel and LibreOffice; such cells get a
leading apostrophe so they show as the text they are (OWASP "CSV injection").

The file is written to a temporary file while the request (and its database session) is open,
then sent from disk: memory stays small for a large export, and no query runs after the session
is closed, as it would in a streamed response.
"""

from __future__ import annotations

import csv
import io
import tempfile
import unicodedata
from collections.abc import Iterable

from flask import Response, send_file

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# Kept in memory up to this size, then spilled to disk.
_IN_MEMORY = 1024 * 1024


def safe_cell(value) -> str:
    text = "" if value is None else str(value)
    # Spreadsheets read the full-width and small forms ("＝", "﹢") as the signs they stand for:
    # NFKC folds them (and other compatibility forms) into those signs before the check.
    first = unicodedata.normalize("NFKC", text[:1])
    return "'" + text if first.startswith(_FORMULA_START) else text


def csv_response(filename: str, header: list[str], rows: Iterable[list]) -> Response:
    """A download of `rows` under `header`."""
    # Closed by the response once sent, so not in a `with` block.
    binary = tempfile.SpooledTemporaryFile(max_size=_IN_MEMORY)  # noqa: SIM115
    # utf-8-sig starts with a byte order mark, so Excel reads the file as UTF-8.
    text = io.TextIOWrapper(binary, encoding="utf-8-sig", newline="")
    writer = csv.writer(text)
    writer.writerow(header)
    for row in rows:
        writer.writerow([safe_cell(value) for value in row])
    text.flush()
    text.detach()
    binary.seek(0)
    response = send_file(
        binary, mimetype="text/csv", as_attachment=True, download_name=filename, etag=False
    )
    # An export is as sensitive as the pages it came from: never kept in a cache.
    response.headers["Cache-Control"] = "no-store"
    return response
