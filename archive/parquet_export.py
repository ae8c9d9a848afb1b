"""Parquet export with real column types (timestamps, integers, lists, image structs),
one row group per batch so memory stays flat.

Batches arrive column by column (:func:`archive.records.column_batches`): Arrow builds
its arrays from lists without a dict per article. What remains is mostly zstd
compressing the texts; dictionary encoding is asked only of columns with few distinct
values (a body never repeats, and trying costs time).
"""

from __future__ import annotations

from typing import BinaryIO

import pyarrow as pa
import pyarrow.parquet as pq
from sqlalchemy.orm import Session

from archive.records import Columns

_TEXT = pa.string()
_TEXTS = pa.list_(pa.string())
#: Every time in the article's zone, as the other formats (:mod:`archive.times`).
_CHINA_TIME = pa.timestamp("us", tz="Asia/Shanghai")

#: The ``schemas/article-export.v1.json`` fields as Arrow types.
SCHEMA = pa.schema(
    [
        ("schema_version", pa.int32()),
        ("id", pa.int64()),
        ("version", pa.int32()),
        ("site", _TEXT),
        ("canonical_url", _TEXT),
        ("urls", _TEXTS),
        ("title", _TEXT),
        ("pretitle", _TEXT),
        ("subtitle", _TEXT),
        ("original_title", _TEXT),
        ("published_at", _CHINA_TIME),
        ("published_at_raw", _TEXT),
        ("published_precision", _TEXT),
        ("source", _TEXT),
        ("authors", _TEXTS),
        ("editors", _TEXTS),
        ("body", _TEXT),
        ("images", pa.list_(pa.struct([("url", _TEXT), ("caption", _TEXT)]))),
        ("breadcrumbs", _TEXTS),
        ("pages", pa.int32()),
        ("printed_page", _TEXT),
        ("script", _TEXT),
        ("encoding", _TEXT),
        ("title_simplified", _TEXT),
        ("body_simplified", _TEXT),
        ("first_seen", _CHINA_TIME),
        ("last_seen", _CHINA_TIME),
    ]
)


#: Columns with few distinct values, where dictionary encoding pays.
_REPEATING = ["schema_version", "version", "site", "published_precision", "source", "pages", "printed_page",
              "script", "encoding"]


class ParquetWriter:
    def __init__(self, stream: BinaryIO, session: Session | None = None) -> None:
        self.writer = pq.ParquetWriter(stream, SCHEMA, compression="zstd", use_dictionary=_REPEATING)

    def write(self, columns: Columns) -> None:
        self.writer.write_table(pa.Table.from_pydict(columns, schema=SCHEMA))

    def close(self) -> None:
        self.writer.close()
