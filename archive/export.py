"""Running an export: selection → format writer → file that appears only when complete.

The output is written to a temporary file beside the target and renamed at the end, so
a reader never sees half a file; a consumer's watermark is stored only after that
rename (or after the last byte reached stdout). Problems a user can fix (an existing
file, an unwritable folder) are found before any article is read.
"""

from __future__ import annotations

import os
import sys
import tempfile
from array import array
from collections.abc import Callable, Iterator
from contextlib import suppress
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import BinaryIO, Protocol

from sqlalchemy import bindparam, text
from sqlalchemy.orm import Session, sessionmaker

from archive.filters import Filters
from archive.records import Batch, Record, record_batches
from models.search import ExportWatermark

#: Watermark rows written per statement.
_WATERMARK_BATCH = 1000


class RecordWriter(Protocol):
    """Writes record batches to a binary stream; ``close`` finishes the format (footers)
    but leaves the stream open."""

    def write(self, records: list[Record]) -> None: ...  # or what the format's ``read`` yields

    def close(self) -> None: ...


@dataclass(frozen=True, slots=True)
class ExportFormat:
    """One ``--format``: ``open(stream, session)`` makes its writer (the session lets a
    format read more than the records, e.g. raw captures); ``read`` selects the batches
    the writer is given (records, unless the format has a faster way)."""

    suffix: str
    open: Callable[[BinaryIO, Session], RecordWriter]
    #: Formats that must seek (Parquet's footer) cannot stream to a pipe.
    seekable_output: bool = False
    read: Callable[[Session, Filters, str | None], Iterator[Batch]] = record_batches


class ExportError(Exception):
    """An export that cannot start; the message says what to do."""


def prepare_output(out: Path | None, fmt: ExportFormat, force: bool) -> Path | None:
    """Check the target before any work: ``None`` for stdout. Raises :class:`ExportError`."""
    if out is None:
        if fmt.seekable_output:
            raise ExportError("this format cannot be written to stdout: give --out FILE")
        return None
    if out.is_dir():
        raise ExportError(f"{out} is a folder: give a file name, e.g. {out / ('articles' + fmt.suffix)}")
    if out.exists() and not force:
        raise ExportError(f"{out} already exists: pass --force to replace it, or choose another --out")
    if not out.parent.is_dir():
        raise ExportError(f"folder {out.parent} does not exist: create it first")
    if not os.access(out.parent, os.W_OK):
        raise ExportError(f"cannot write to folder {out.parent}: choose an --out where you have write permission")
    return out


def run_export(
    sessions: sessionmaker[Session],
    fmt: ExportFormat,
    filters: Filters,
    out: Path | None,
    consumer: str | None = None,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Export the selection to ``out`` (stdout when ``None``); returns the article count.
    Call :func:`prepare_output` first."""
    if out is None:
        count, exported = _write(sessions, fmt, filters, sys.stdout.buffer, consumer, progress)
        sys.stdout.buffer.flush()
    else:
        handle, temp_name = tempfile.mkstemp(dir=out.parent, prefix=f".{out.name}.", suffix=".part")
        os.chmod(temp_name, _created_mode())  # mkstemp makes 0600; an export is an ordinary file
        try:
            with os.fdopen(handle, "wb") as stream:
                count, exported = _write(sessions, fmt, filters, stream, consumer, progress)
                stream.flush()
                os.fsync(stream.fileno())
            os.replace(temp_name, out)
        except BaseException:
            with suppress(FileNotFoundError):
                os.unlink(temp_name)
            raise
    if consumer is not None:
        _store_watermark(sessions, consumer, exported)
    return count


def _created_mode() -> int:
    """The mode ``open()`` would give a new file: 0666 less the process umask (read once,
    as the umask can only be read by setting it)."""
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def _write(
    sessions: sessionmaker[Session],
    fmt: ExportFormat,
    filters: Filters,
    stream: BinaryIO,
    consumer: str | None,
    progress: Callable[[int], None] | None,
) -> tuple[int, array[int]]:
    """Write every batch; returns the count and the exported (article id, version) pairs,
    flattened (16 bytes per article: small beside the articles themselves)."""
    exported: array[int] = array("q")
    count = 0
    with sessions() as session:
        writer = fmt.open(stream, session)
        for batch in fmt.read(session, filters, consumer):
            writer.write(batch.items)
            if consumer is not None:
                for pair in batch.versions:
                    exported.extend(pair)
            count += len(batch.versions)  # one per article, whatever form the items take
            if progress:
                progress(count)
        writer.close()
    return count, exported


def _store_watermark(sessions: sessionmaker[Session], consumer: str, exported: array[int]) -> None:
    now = datetime.now(timezone.utc)
    upsert = text(
        "INSERT INTO export_watermark (consumer, article_id, version, exported_at) "
        "VALUES (:consumer, :article_id, :version, :exported_at) "
        "ON CONFLICT (consumer, article_id) DO UPDATE SET version = excluded.version, exported_at = excluded.exported_at"
    ).bindparams(bindparam("exported_at", type_=ExportWatermark.__table__.c.exported_at.type))
    with sessions.begin() as session:
        for start in range(0, len(exported), 2 * _WATERMARK_BATCH):
            pairs = exported[start : start + 2 * _WATERMARK_BATCH]
            rows = [
                {"consumer": consumer, "article_id": pairs[i], "version": pairs[i + 1], "exported_at": now}
                for i in range(0, len(pairs), 2)
            ]
            session.execute(upsert, rows)
