"""JSON Lines export: one ``schemas/article-export.v1.json`` record per line, UTF-8,
compact JSON.

On SQLite the database writes most of each line itself (``json_object``, handed over as
bytes) and Python only escapes the two long texts, on bytes: profiled, the general path
spent most of its time building a dict per article, converting its times, decoding the
stored JSON columns and dumping it all again, and JSONL is the format downstream tools
pull in bulk. Other databases take that general path (records dumped by :func:`encode`);
both give the same bytes, key order and separators included (tested).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Sequence
from datetime import datetime
from typing import BinaryIO, NamedTuple

from sqlalchemy import LargeBinary, cast, literal_column
from sqlalchemy.orm import Session

from archive.filters import Filters
from archive.records import COLUMNS, SCHEMA_VERSION, Batch, Record, people_of, record_batches, selection_batches, urls_of
from models.schema import Article

#: Columns holding JSON text, embedded as JSON rather than as strings.
_JSON_COLUMNS = ("images", "breadcrumbs")
#: Time columns (stored as UTC text ``YYYY-MM-DD HH:MM:SS.ffffff`` on SQLite) and the
#: fixed offset each is exported in, as :mod:`archive.records` does.
_TIME_COLUMNS = {"published_at": 8, "first_seen": 8, "last_seen": 8}


def _default(value: object) -> str:
    if isinstance(value, datetime):
        return value.isoformat()
    raise TypeError(f"cannot export {type(value).__name__} as JSON")


#: One encoder for every call (``json.dumps`` with options builds a new one each time).
_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), default=_default)


def encode(value: Record | dict[str, list[str]] | str) -> bytes:
    """A record (or any JSON value) as compact JSON, UTF-8 (a line without the newline)."""
    return _ENCODER.encode(value).encode("utf-8")


def _sqlite_time(column: str, hours: int) -> str:
    """``datetime.isoformat()`` in SQL: microseconds only when not zero, then the offset
    (UTC needs only the text rearranged; date arithmetic costs more)."""
    value = f"article.{column}"
    if hours:
        shifted = f"strftime('%Y-%m-%dT%H:%M:%S', {value}, '+{hours} hours')"
    else:
        shifted = f"replace(substr({value}, 1, 19), ' ', 'T')"
    return (
        f"{shifted} || "
        f"CASE WHEN substr({value}, 21, 6) IN ('', '000000') THEN '' ELSE '.' || substr({value}, 21, 6) END || "
        f"'+{hours:02d}:00'"
    )


def _sqlite_value(column: str) -> str:
    if column in _JSON_COLUMNS:
        return f"json(article.{column})"
    if column in _TIME_COLUMNS:
        return _sqlite_time(column, _TIME_COLUMNS[column])
    # the column's SQL, or the expression a derived attribute reads (body_simplified, see models.schema)
    return str(getattr(Article, column).expression.compile(compile_kwargs={"literal_binds": True}))


def _sqlite_fields() -> list[tuple[str, str]]:
    """(key, SQL value) of every article column, in :func:`archive.records.record_batches`
    order; the people and URLs that follow are read per batch (:func:`_lists`)."""
    return [
        ("schema_version", str(SCHEMA_VERSION)),
        ("id", "article.id"),
        ("version", "article.current_version"),
        ("site", "site.name"),
        *((column, _sqlite_value(column)) for column in COLUMNS),
    ]


class _Segment(NamedTuple):
    """A piece of the line: ``sql`` read as bytes, a batch at a time turned into JSON
    (with ``prefix``, the key, in front) by ``convert``."""

    prefix: bytes
    sql: str
    convert: Callable[[bytes, Sequence[bytes | None]], list[bytes]]


def _members(prefix: bytes, objects: Sequence[bytes | None]) -> list[bytes]:
    """The members of each ``json_object`` (without its braces)."""
    return [raw[1:-1] if raw else b"" for raw in objects]


def _json_strings(prefix: bytes, texts: Sequence[bytes | None]) -> list[bytes]:
    """UTF-8 texts as JSON strings, the bytes ``json.dumps(ensure_ascii=False)`` gives.

    Byte-level replacing is safe (UTF-8 continuation bytes are never ASCII), and each
    check runs once over the whole batch: per text, Python's call overhead would cost
    more than the C loops themselves.
    """
    batch = b"".join(text for text in texts if text)
    if len(batch.translate(None, _RARE_ESCAPES)) != len(batch):  # some text needs the general encoder
        return [prefix + (encode(text.decode("utf-8")) if text is not None else b"null") for text in texts]
    replacements = [(old, new) for old, new in _ESCAPES if old in batch]
    out = []
    for text in texts:
        if text is None:
            out.append(prefix + b"null")
            continue
        for old, new in replacements:
            text = text.replace(old, new)
        out.append(prefix + b'"' + text + b'"')
    return out


def _stored_json(prefix: bytes, values: Sequence[bytes | None]) -> list[bytes]:
    """Stored JSON minified by SQLite, re-encoded when it has ``\\u`` escapes (JSON columns
    are stored ASCII-only; the export writes characters as they are)."""
    return [
        prefix + (b"null" if raw is None else encode(json.loads(raw)) if b"\\u" in raw else raw) for raw in values
    ]


def _sqlite_segments() -> list[_Segment]:
    """The line as SQL pieces: runs of small fields as one ``json_object`` each; long
    texts escaped in Python (SQLite escapes JSON a character at a time; ``bytes.replace``
    does not) and stored JSON separately, as above."""
    segments: list[_Segment] = []
    small: list[str] = []
    for key, value in _sqlite_fields():
        if key in _LARGE_TEXTS or key in _JSON_COLUMNS:
            if small:
                segments.append(_Segment(b"", f"json_object({', '.join(small)})", _members))
                small = []
            convert = _json_strings if key in _LARGE_TEXTS else _stored_json
            segments.append(_Segment(f'"{key}":'.encode(), value, convert))
        else:
            small.append(f"'{key}', {value}")
    if small:
        segments.append(_Segment(b"", f"json_object({', '.join(small)})", _members))
    return segments


#: Text columns too long to have SQLite escape them.
_LARGE_TEXTS = ("body", "body_simplified")
_SEGMENTS = _sqlite_segments()
#: Control characters other than the newline: texts with these take the general encoder.
_RARE_ESCAPES = bytes(code for code in range(0x20) if code != 0x0A)
#: The escapes of everything else; the backslash first, so no escape is escaped again.
_ESCAPES = ((b"\\", b"\\\\"), (b'"', b'\\"'), (b"\n", b"\\n"))


def _lists(session: Session, ids: list[int]) -> list[bytes]:
    """The authors, editors and urls members of each article's line: two queries a batch
    (subqueries per row cost SQLite more than Python's encoding of short lists)."""
    people, urls = people_of(session, ids), urls_of(session, ids)
    empty: dict[str, list[str]] = {}
    lists = (
        {"authors": credits.get("author", []), "editors": credits.get("editor", []), "urls": urls.get(id_, [])}
        for id_, credits in ((id_, people.get(id_, empty)) for id_ in ids)
    )
    return [encode(members)[1:-1] for members in lists]  # one encoder call per article, braces dropped


def _sqlite_lines(rows: Sequence[Sequence[bytes | None]], lists: list[bytes]) -> list[bytes]:
    """Lines from rows of segment values, converted a column at a time, then ``lists``."""
    columns = [segment.convert(segment.prefix, values) for segment, values in zip(_SEGMENTS, zip(*rows))]
    return [b"{" + b",".join((*parts, tail)) + b"}" for *parts, tail in zip(*columns, lists)]


def jsonl_batches(session: Session, filters: Filters, consumer: str | None = None) -> Iterator[Batch]:
    """Batches of encoded lines for :class:`JsonlWriter` (see the module docstring)."""
    if session.get_bind().dialect.name != "sqlite":
        for batch in record_batches(session, filters, consumer):
            yield Batch([encode(record) for record in batch.items], batch.versions)
        return
    # bytes: no decoding and re-encoding in Python
    pieces = [cast(literal_column(segment.sql), LargeBinary) for segment in _SEGMENTS]
    for rows in selection_batches(session, filters, consumer, *pieces):
        ids = [row[0] for row in rows]
        yield Batch(_sqlite_lines([row[2:] for row in rows], _lists(session, ids)), [(row[0], row[1]) for row in rows])


class JsonlWriter:
    """Writes the lines of :func:`jsonl_batches`."""

    def __init__(self, stream: BinaryIO, session: Session | None = None) -> None:
        self.stream = stream

    def write(self, lines: list[bytes]) -> None:
        if lines:
            self.stream.write(b"\n".join(lines) + b"\n")

    def close(self) -> None:
        self.stream.flush()
