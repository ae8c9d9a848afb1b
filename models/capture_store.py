"""Where capture bodies live: in the database, or offloaded to WARC files on disk.

A capture's body starts in the database (``capture.body``, zstandard-compressed). At a
million articles those bodies are most of the archive (~35 KB a page), and nothing but
reparse, the WARC export and the capture view ever reads them, so
``newsarchive captures offload`` moves them into WARC 1.1 files — the format every web
archive reads — and keeps a pointer in the row: the file (:class:`~models.schema.WarcFile`),
the record's offset and length. :func:`capture_body` is the one way bodies are read, so
every reader follows offloaded bodies without knowing.

Offloading never loses a body, whenever it is killed: each batch's records are appended
to the file and flushed to disk (``fsync``) *before* the transaction that clears the bodies
and stores the pointers; the file's committed length is stored in that same transaction.
Bytes past it (a batch written but not committed) are cut off when the file is next
opened, and those captures are simply offloaded again. Files rotate at a size; a full
file is sealed and gets a CDXJ index beside it (what pywb and other replay tools read).

:func:`verify` checks every pointer and every digest, in the database and in the files.
"""

from __future__ import annotations

import hashlib
import io
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import BinaryIO

import zstandard
from sqlalchemy import bindparam, func, select, update
from sqlalchemy.orm import Session, sessionmaker
from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed
from warcio.warcwriter import WARCWriter

from models.schema import Capture, WarcFile
from models.warc_format import WARC_VERSION, response_headers, warc_date, write_cdxj

#: A WARC file is sealed (and indexed) once it holds this many bytes.
DEFAULT_MAX_FILE_BYTES = 1 << 30
#: Captures moved per transaction: each batch is one fsync and one commit.
DEFAULT_BATCH = 500

Progress = Callable[[int, int], None]


class CaptureUnavailable(Exception):
    """A capture body that cannot be read: its WARC file is missing, cut short or corrupt."""


def capture_body(session: Session, capture_id: int) -> bytes:
    """The uncompressed body of a capture, following a revisit to the stored copy and an
    offloaded body to its WARC record. Raises :class:`CaptureUnavailable` naming the file
    when the body cannot be read back intact."""
    row = session.get_one(Capture, capture_id)
    if row.revisit_of_id is not None:
        row = session.get_one(Capture, row.revisit_of_id)
    if row.warc_file_id is None:
        return zstandard.ZstdDecompressor().decompress(row.body or b"")
    path = Path(session.get_one(WarcFile, row.warc_file_id).path)
    with _open_warc(path) as stream:
        return _read_record(stream, path, row)


@dataclass
class OffloadResult:
    """What an offload moved: captures and their uncompressed bytes, and the files it wrote to."""

    captures: int = 0
    bytes: int = 0
    files: list[Path] = field(default_factory=list)


def offload(
    sessions: sessionmaker[Session],
    directory: Path,
    *,
    older_than: datetime | None = None,
    max_file_bytes: int = DEFAULT_MAX_FILE_BYTES,
    batch_size: int = DEFAULT_BATCH,
    progress: Progress | None = None,
) -> OffloadResult:
    """Move the bodies of captures fetched before ``older_than`` (all, when ``None``) into WARC
    files under ``directory``; resumable, and safe to kill at any point (module docstring)."""
    directory = directory.resolve()
    directory.mkdir(parents=True, exist_ok=True)
    waiting = Capture.body.is_not(None)
    if older_than is not None:
        waiting = waiting & (Capture.fetched_at < older_than)
    result = OffloadResult()
    with sessions() as session:
        total = session.scalar(select(func.count(Capture.id)).where(waiting)) or 0
    last_id = 0
    while True:
        with sessions.begin() as session:
            rows = session.scalars(
                select(Capture).where(waiting, Capture.id > last_id).order_by(Capture.id).limit(batch_size)
            ).all()
            if not rows:
                break
            last_id = rows[-1].id
            target = _writable_file(session, directory)
            path = Path(target.path)
            pointers = _append(path, target.bytes, rows)
            table = Capture.__table__
            session.execute(
                update(table).where(table.c.id == bindparam("capture_id")).values(
                    body=None, warc_file_id=target.id, warc_offset=bindparam("offset"),
                    warc_length=bindparam("length")),
                [{"capture_id": row.id, "offset": offset, "length": length}
                 for row, (offset, length) in zip(rows, pointers, strict=True)],
            )
            target.bytes = pointers[-1][0] + pointers[-1][1]
            target.records += len(rows)
            if path not in result.files:
                result.files.append(path)
            if target.bytes >= max_file_bytes:
                write_cdxj(path)
                target.sealed_at = datetime.now(UTC)
        result.captures += len(rows)
        result.bytes += sum(row.size for row in rows)
        if progress:
            progress(result.captures, total)
    return result


def _writable_file(session: Session, directory: Path) -> WarcFile:
    """The unsealed WARC file of ``directory``, cut back to its committed length (bytes past
    it belong to a batch whose transaction never committed), or a new one."""
    target = session.scalars(
        select(WarcFile).where(WarcFile.sealed_at.is_(None), WarcFile.path.startswith(f"{directory}{os.sep}"))
        .order_by(WarcFile.id.desc()).limit(1)
    ).first()
    if target is not None:
        path = Path(target.path)
        if not path.exists() and target.bytes:
            raise CaptureUnavailable(f"{path} holds {target.records} offloaded capture bodies but is missing: "
                                     "restore it, then run `newsarchive captures verify`")
        with path.open("ab") as stream:
            if stream.tell() > target.bytes:
                stream.truncate(target.bytes)
        return target
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%f")
    target = WarcFile(path=str(directory / f"captures-{stamp}-{os.getpid()}.warc.gz"), bytes=0, records=0,
                      created_at=datetime.now(UTC))
    session.add(target)
    session.flush()
    return target


def _append(path: Path, committed: int, rows: list[Capture]) -> list[tuple[int, int]]:
    """Append a response record per capture to ``path`` (one gzip member each, so any record
    can be read alone by offset), flushed to disk; returns each record's (offset, length)."""
    decompress = zstandard.ZstdDecompressor().decompress
    pointers = []
    with path.open("ab") as stream:
        if stream.tell() != committed:  # _writable_file cut it back; anything else is not ours
            raise CaptureUnavailable(f"{path} changed while offloading: expected {committed} bytes, "
                                     f"found {stream.tell()}")
        writer = WARCWriter(stream, gzip=True, warc_version=WARC_VERSION)
        for row in rows:
            body = decompress(row.body or b"")
            record = writer.create_warc_record(
                row.url, "response", payload=io.BytesIO(body), length=len(body),
                http_headers=response_headers(row),
                warc_headers_dict={"WARC-Date": warc_date(row.fetched_at)},
            )
            offset = stream.tell()
            writer.write_record(record)
            pointers.append((offset, stream.tell() - offset))
        stream.flush()
        os.fsync(stream.fileno())
    return pointers


@dataclass
class VerifyResult:
    """Every capture checked, and what is wrong with the ones that failed (one line each)."""

    in_database: int = 0
    in_warc: int = 0
    files: int = 0
    problems: list[str] = field(default_factory=list)


def verify(sessions: sessionmaker[Session], *, progress: Progress | None = None) -> VerifyResult:
    """Read every stored body back, from the database or its WARC record, and compare it with
    the SHA-256 digest recorded when it was fetched."""
    result = VerifyResult()
    decompress = zstandard.ZstdDecompressor().decompress
    stored = Capture.revisit_of_id.is_(None)
    with sessions() as session:
        total = session.scalar(select(func.count(Capture.id)).where(stored)) or 0
        files = {row.id: Path(row.path) for row in session.scalars(select(WarcFile))}
        result.files = len(files)
        done = last_id = 0
        while rows := session.scalars(
            select(Capture).where(stored, Capture.id > last_id).order_by(Capture.id).limit(DEFAULT_BATCH)
        ).all():
            last_id = rows[-1].id
            for row in rows:
                if row.warc_file_id is not None:
                    result.in_warc += 1
                    try:
                        with _open_warc(files[row.warc_file_id]) as stream:
                            _read_record(stream, files[row.warc_file_id], row)
                    except CaptureUnavailable as exc:
                        result.problems.append(f"capture {row.id} ({row.url}): {exc}")
                    continue
                result.in_database += 1
                if row.body is None or hashlib.sha256(decompress(row.body)).hexdigest() != row.digest:
                    result.problems.append(f"capture {row.id} ({row.url}): the body in the database "
                                           "is missing or does not match its digest")
            done += len(rows)
            session.expunge_all()
            if progress:
                progress(done, total)
    return result


@contextmanager
def _open_warc(path: Path) -> Iterator[BinaryIO]:
    """``path`` opened for reading, or :class:`CaptureUnavailable` saying why it cannot be."""
    try:
        stream = path.open("rb")
    except OSError as exc:
        raise CaptureUnavailable(f"WARC file {path} cannot be read ({exc.strerror}): restore it, "
                                 "then run `newsarchive captures verify`") from None
    with stream:
        yield stream


def _read_record(stream: BinaryIO, path: Path, row: Capture) -> bytes:
    """The payload of the record at the row's offset, checked against the row's digest."""
    stream.seek(row.warc_offset or 0)
    data = stream.read(row.warc_length or 0)
    if len(data) != row.warc_length:
        raise CaptureUnavailable(f"WARC file {path} is cut short: capture {row.id} needs bytes "
                                 f"{row.warc_offset}-{(row.warc_offset or 0) + (row.warc_length or 0)}")
    try:
        record = next(iter(ArchiveIterator(io.BytesIO(data))))
        body = record.raw_stream.read()
    except (ArchiveLoadFailed, StopIteration, OSError, EOFError, ValueError) as exc:
        raise CaptureUnavailable(f"WARC file {path} is corrupt at offset {row.warc_offset} ({exc})") from None
    if hashlib.sha256(body).hexdigest() != row.digest:
        raise CaptureUnavailable(f"WARC file {path} is corrupt at offset {row.warc_offset}: "
                                 f"capture {row.id}'s body does not match its digest")
    return body
