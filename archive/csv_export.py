"""CSV export for spreadsheets: UTF-8 with a byte-order mark (without it Excel reads the
file as the local ANSI code page and garbles Chinese), one row per article, lists joined
with "、" (images by URL), times in ISO 8601.

Cells come from pages written by strangers, and spreadsheets run a cell that starts with
``=``, ``+``, ``-`` or ``@`` as a formula (``=HYPERLINK(…)`` sends data away). So such
cells, and those starting with a tab or carriage return, get a leading ``'`` as OWASP's
"CSV Injection" advice says; ``newsarchive export --csv-raw`` writes the text as stored.
JSON Lines and Parquet are never altered.
"""

from __future__ import annotations

import csv
import io
from datetime import datetime
from typing import Any, BinaryIO

from sqlalchemy.orm import Session

from archive.records import Record

#: Column order; names as in the JSON schema.
COLUMNS = (
    "id",
    "version",
    "site",
    "canonical_url",
    "title",
    "pretitle",
    "subtitle",
    "original_title",
    "published_at",
    "published_at_raw",
    "published_precision",
    "source",
    "authors",
    "editors",
    "body",
    "images",
    "breadcrumbs",
    "urls",
    "pages",
    "printed_page",
    "script",
    "encoding",
    "title_simplified",
    "body_simplified",
    "first_seen",
    "last_seen",
    "schema_version",
)
LIST_SEPARATOR = "、"
#: First characters that make a spreadsheet read a cell as a formula (OWASP CSV Injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralised(value: Any) -> Any:
    """``value`` made inert for spreadsheets: text starting like a formula gets a leading ``'``."""
    return "'" + value if isinstance(value, str) and value.startswith(FORMULA_STARTS) else value


def cell(value: Any) -> Any:
    """A record value as one CSV cell."""
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, list):
        return LIST_SEPARATOR.join(item["url"] if isinstance(item, dict) else str(item) for item in value)
    return value


class CsvWriter:
    """``raw`` writes cells as stored, formulas and all (``--csv-raw``)."""

    def __init__(self, stream: BinaryIO, session: Session | None = None, *, raw: bool = False) -> None:
        self.text = io.TextIOWrapper(stream, encoding="utf-8-sig", newline="")
        self.csv = csv.writer(self.text)
        self.csv.writerow(COLUMNS)
        self.raw = raw

    def write(self, records: list[Record]) -> None:
        if self.raw:
            self.csv.writerows([cell(record[name]) for name in COLUMNS] for record in records)
        else:
            self.csv.writerows([neutralised(cell(record[name])) for name in COLUMNS] for record in records)

    def close(self) -> None:
        self.text.flush()
        self.text.detach()  # the caller owns the stream
