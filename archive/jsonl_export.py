"""JSON Lines export: one ``schemas/article-export.v1.json`` record per line, UTF-8,
compact JSON.

On SQLite the database writes most of each line itself (``json_object``, handed over as
bytes) and Python only escapes the two long texts, on bytes: building a dict per article,
converting its times and dumping it again cost five times what reading the row costs,
and JSONL is the format downstream tools pull in bulk.
Other databases get the records dumped by :func:`encode`, with the same key order and
separators, so a file is byte for byte the same whichever database wrote it (tested).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Sequence
from datetime import datetime
from typing import BinaryIO, NamedTuple

from sqlalchemy import LargeBinary, cast, literal_column
from sqlalchemy.orm import Session

from archive.filters import Filters
from archive.records import COLUMNS, SCHEMA_VERSION, Batch, Record, record_batches, selection_batches

#: Columns holding JSON text, embedded as JSON rather than as strings.
_JSON_COLUMNS = ("images", "breadcrumbs")
#: Time columns (stored as UTC text ``YYYY-MM-DD HH:MM:SS.ffffff`` on SQLite) and the
#: fixed offset each is exported in, as :mod:`archive.records` does.
_TIME_COLUMNS = {"published_at": 8, "first_seen": 0, "last_seen": 0}


def _default(value: object) -> str:
    if isinstance(value, datetime):
        return value.isoformat()
    raise TypeError(f"cannot export {type(value).__name__} as JSON")


def encode(record: Record | object) -> bytes:
    """A record (or any JSON value) as compact JSON, UTF-8 (a line without the newline)."""
    return json.dumps(record, ensure_ascii=False, separators=(",", ":"), default=_default).encode("utf-8")


def _sqlite_time(column: str, hours: int) -> str:
    """``datetime.isoformat()`` in SQL: microseconds only when not zero, then the offset."""
    value = f"article.{column}"
    return (
        f"strftime('%Y-%m-%dT%H:%M:%S', {value}, '+{hours} hours') || "
        f"CASE WHEN substr({value}, 21, 6) IN ('', '000000') THEN '' ELSE '.' || substr({value}, 21, 6) END || "
        f"'+{hours:02d}:00'"
    )


def _sqlite_people(role: str) -> str:
    return (
        "json((SELECT json_group_array(name) FROM (SELECT p.name FROM article_person ap JOIN person p "
        f"ON p.id = ap.person_id WHERE ap.article_id = article.id AND ap.role = '{role}' ORDER BY ap.position)))"
    )


def _sqlite_value(column: str) -> str:
    if column in _JSON_COLUMNS:
        return f"json(article.{column})"
    if column in _TIME_COLUMNS:
        return _sqlite_time(column, _TIME_COLUMNS[column])
    return f"article.{column}"


def _sqlite_fields() -> list[tuple[str, str]]:
    """(key, SQL value) of every record field, in :func:`archive.records.record_batches` order."""
    return [
        ("schema_version", str(SCHEMA_VERSION)),
        ("id", "article.id"),
        ("version", "article.current_version"),
        ("site", "site.name"),
        *((column, _sqlite_value(column)) for column in COLUMNS),
        ("authors", _sqlite_people("author")),
        ("editors", _sqlite_people("editor")),
        ("urls", "json((SELECT json_group_array(url) FROM (SELECT url FROM article_url u "
         "WHERE u.article_id = article.id ORDER BY u.id)))"),
    ]  # fmt: skip


class _Segment(NamedTuple):
    """A piece of the line: ``sql`` read as bytes, turned into JSON by ``convert``,
    after ``prefix`` (the key, for single fields)."""

    prefix: bytes
    sql: str
    convert: Callable[[bytes | None], bytes]


def _members(raw: bytes | None) -> bytes:
    """The members of a ``json_object`` (without its braces)."""
    return raw[1:-1] if raw else b""


def _json_string(raw: bytes | None) -> bytes:
    """UTF-8 text as a JSON string, the bytes ``json.dumps(ensure_ascii=False)`` gives.
    Byte-level replacing is safe: UTF-8 continuation bytes are never ASCII."""
    if raw is None:
        return b"null"
    if len(raw.translate(None, _RARE_ESCAPES)) != len(raw):  # a C loop; a regex search is 20 times slower
        return encode(raw.decode("utf-8"))
    return b'"' + raw.replace(b"\\", b"\\\\").replace(b'"', b'\\"').replace(b"\n", b"\\n") + b'"'


def _stored_json(raw: bytes | None) -> bytes:
    """Stored JSON minified by SQLite, re-encoded when it has ``\\u`` escapes (JSON columns
    are stored ASCII-only; the export writes characters as they are)."""
    if raw is None:
        return b"null"
    return encode(json.loads(raw)) if b"\\u" in raw else raw


def _sqlite_segments() -> list[_Segment]:
    """The line as SQL pieces: runs of small fields as one ``json_object`` each; long
    texts escaped in Python (SQLite escapes JSON a character at a time, ``bytes.replace``
    does not) and stored JSON separately, as above."""
    segments: list[_Segment] = []
    small: list[str] = []
    for key, value in _sqlite_fields():
        if key in _LARGE_TEXTS or key in _JSON_COLUMNS:
            if small:
                segments.append(_Segment(b"", f"json_object({', '.join(small)})", _members))
                small = []
            convert = _json_string if key in _LARGE_TEXTS else _stored_json
            segments.append(_Segment(f'"{key}":'.encode(), value, convert))
        else:
            small.append(f"'{key}', {value}")
    if small:
        segments.append(_Segment(b"", f"json_object({', '.join(small)})", _members))
    return segments


#: Text columns too long to have SQLite escape them.
_LARGE_TEXTS = ("body", "body_simplified")
_SEGMENTS = _sqlite_segments()
#: Control characters other than the newline: texts with these take the slow, general path.
_RARE_ESCAPES = bytes(code for code in range(0x20) if code != 0x0A)


def _sqlite_line(pieces: Sequence[bytes | None]) -> bytes:
    return b"{" + b",".join(segment.prefix + segment.convert(piece) for segment, piece in zip(_SEGMENTS, pieces)) + b"}"


def jsonl_batches(session: Session, filters: Filters, consumer: str | None = None) -> Iterator[Batch]:
    """Batches of encoded lines for :class:`JsonlWriter` (see the module docstring)."""
    if session.get_bind().dialect.name != "sqlite":
        for batch in record_batches(session, filters, consumer):
            yield Batch([encode(record) for record in batch.items], batch.versions)
        return
    # bytes: no decoding and re-encoding in Python
    pieces = [cast(literal_column(segment.sql), LargeBinary) for segment in _SEGMENTS]
    for rows in selection_batches(session, filters, consumer, *pieces):
        yield Batch([_sqlite_line(row[2:]) for row in rows], [(row[0], row[1]) for row in rows])


class JsonlWriter:
    """Writes the lines of :func:`jsonl_batches`."""

    def __init__(self, stream: BinaryIO, session: Session | None = None) -> None:
        self.stream = stream

    def write(self, lines: list[bytes]) -> None:
        if lines:
            self.stream.write(b"\n".join(lines) + b"\n")

    def close(self) -> None:
        self.stream.flush()
