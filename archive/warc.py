"""Raw captures as WARC 1.1 (with warcio), and the CDXJ index replay tools look records up in.

Why WARC: it is what Heritrix, Browsertrix, pywb and every web archive read, so our raw
pages outlive this program. Each capture becomes a ``request`` + ``response`` pair
(linked by ``WARC-Concurrent-To``); a capture stored as a revisit (same URL, same bytes
as an earlier one) becomes a ``revisit`` record with the ``identical-payload-digest``
profile pointing at the original's URL and date, as crawlers write them.

The body kept in the archive is the body *after* transfer decoding (gzip removed), so
the ``Content-Encoding`` / ``Transfer-Encoding`` headers no longer describe it: they are
renamed ``X-Archive-Orig-…`` (pywb's convention) and ``Content-Length`` is set to the
stored length, so a replay tool serves the bytes as they are.

Export entry point: :class:`WarcExportWriter` (``newsarchive export --format warc``)
writes the captures behind the selected articles; :func:`write_cdxj` then indexes the
finished file into ``FILE.cdxj`` beside it.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
from collections.abc import Iterable
from datetime import UTC, datetime
from http import HTTPStatus
from pathlib import Path
from typing import BinaryIO
from urllib.parse import urlsplit

from sqlalchemy import select
from sqlalchemy.orm import Session
from warcio.archiveiterator import ArchiveIterator
from warcio.statusandheaders import StatusAndHeaders
from warcio.timeutils import datetime_to_iso_date, iso_date_to_timestamp
from warcio.warcwriter import WARCWriter

from archive.records import Record
from models.repository import capture_body
from models.schema import ArticleVersion, Capture, VersionCapture

WARC_VERSION = "1.1"
#: Headers that describe the transfer, not the stored bytes (see the module docstring).
_TRANSFER_HEADERS = ("content-encoding", "transfer-encoding", "content-length")
#: Captures read per query.
_BATCH = 500


class CaptureWarcWriter:
    """Writes captures, by id, into one gzipped WARC stream; each capture at most once,
    and a revisit's original always before it (so readers meet the payload first)."""

    def __init__(self, stream: BinaryIO, session: Session) -> None:
        self.session = session
        self.writer = WARCWriter(stream, gzip=True, warc_version=WARC_VERSION)
        self.written: set[int] = set()
        info = {"software": "newsarchive", "format": f"WARC File Format {WARC_VERSION}",
                "description": "raw HTTP captures of the newsarchive crawler"}
        self.writer.write_record(self.writer.create_warcinfo_record("newsarchive.warc.gz", info))

    def write(self, capture_ids: Iterable[int]) -> None:
        for capture_id in sorted(set(capture_ids) - self.written):
            self._write_one(self.session.get_one(Capture, capture_id))

    def _write_one(self, capture: Capture) -> None:
        if capture.id in self.written:
            return
        original = self.session.get_one(Capture, capture.revisit_of_id) if capture.revisit_of_id else None
        if original is not None:
            self._write_one(original)
        self.written.add(capture.id)
        date = warc_date(capture.fetched_at)
        http_headers = _response_headers(capture)
        if original is None:
            body = capture_body(self.session, capture.id)
            record = self.writer.create_warc_record(
                capture.url, "response", payload=io.BytesIO(body), length=len(body),
                http_headers=http_headers, warc_headers_dict={"WARC-Date": date},
            )
        else:
            record = self.writer.create_revisit_record(
                capture.url,
                digest=payload_digest(capture_body(self.session, original.id)),
                refers_to_uri=original.url,
                refers_to_date=warc_date(original.fetched_at),
                http_headers=http_headers,
                warc_headers_dict={"WARC-Date": date},
            )
        request = self.writer.create_warc_record(
            capture.url, "request", payload=io.BytesIO(b""), length=0,
            http_headers=_request_headers(capture),
            warc_headers_dict={"WARC-Date": date,
                               "WARC-Concurrent-To": record.rec_headers.get_header("WARC-Record-ID")},
        )
        self.writer.write_record(record)
        self.writer.write_record(request)


class WarcExportWriter:
    """The ``warc`` format of ``newsarchive export``: the raw captures of every version of
    the selected articles, re-fetches (revisits) included."""

    def __init__(self, stream: BinaryIO, session: Session) -> None:
        self.session = session
        self.captures = CaptureWarcWriter(stream, session)

    def write(self, records: list[Record]) -> None:
        article_ids = [record["id"] for record in records]
        digests = select(VersionCapture.digest).join(ArticleVersion).where(ArticleVersion.article_id.in_(article_ids))
        self.captures.write(self.session.scalars(select(Capture.id).where(Capture.digest.in_(digests))))

    def close(self) -> None:
        """Nothing to finish: every gzip member is complete when written."""


def warc_date(moment: datetime) -> str:
    """WARC 1.1 date with microseconds, in UTC (``2024-03-01T10:00:00.123456Z``)."""
    return datetime_to_iso_date(moment.astimezone(UTC).replace(tzinfo=None), use_micros=True)


def payload_digest(body: bytes) -> str:
    """The digest warcio writes for a payload (``sha1:`` + base32), which revisits must repeat."""
    return "sha1:" + base64.b32encode(hashlib.sha1(body).digest()).decode("ascii")


def _response_headers(capture: Capture) -> StatusAndHeaders:
    headers = [(f"X-Archive-Orig-{name}" if name.lower() in _TRANSFER_HEADERS else name, value)
               for name, value in capture.headers]
    headers.append(("Content-Length", str(capture.size)))
    try:
        phrase = HTTPStatus(capture.status).phrase
    except ValueError:
        phrase = "Unknown"
    return StatusAndHeaders(f"{capture.status} {phrase}", headers, protocol="HTTP/1.1")


def _request_headers(capture: Capture) -> StatusAndHeaders:
    parts = urlsplit(capture.url)
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    headers = [(name, value) for name, value in capture.request_headers]
    if not any(name.lower() == "host" for name, _ in headers):
        headers.insert(0, ("Host", parts.netloc))
    return StatusAndHeaders(f"{capture.request_method} {target} HTTP/1.1", headers, is_http_request=True)


def write_cdxj(warc_path: Path) -> Path:
    """Index ``warc_path`` into ``<warc_path minus .gz/.warc>.cdxj`` beside it, sorted by
    SURT key then time as pywb expects; request and warcinfo records are not indexed."""
    lines = []
    with warc_path.open("rb") as stream:
        records = ArchiveIterator(stream)
        for record in records:
            if record.rec_type not in ("response", "revisit"):
                continue
            url = record.rec_headers.get_header("WARC-Target-URI")
            fields = {
                "url": url,
                "mime": (record.http_headers.get_header("Content-Type") or "").split(";")[0].strip()
                if record.http_headers else "",
                "status": record.http_headers.get_statuscode() if record.http_headers else "",
                "digest": record.rec_headers.get_header("WARC-Payload-Digest"),
                "filename": warc_path.name,
            }
            if record.rec_type == "revisit":
                fields["mime"] = "warc/revisit"
            records.read_to_end()  # the offset and length are known once the record is read
            fields["length"] = str(records.get_record_length())
            fields["offset"] = str(records.get_record_offset())
            timestamp = iso_date_to_timestamp(record.rec_headers.get_header("WARC-Date"))
            lines.append(f"{surt(url)} {timestamp} {json.dumps(fields, ensure_ascii=False)}\n")
    index = warc_path.with_name(warc_path.name.removesuffix(".gz").removesuffix(".warc") + ".cdxj")
    index.write_text("".join(sorted(lines)), encoding="utf-8")
    return index


def surt(url: str) -> str:
    """Sort-friendly URL key: host labels reversed (not for IP addresses), lower-case,
    ``www.`` dropped, then ``)`` and the path and query (``cn,com,people,js)/n2/1.html``)."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower().removeprefix("www.")
    labels = host.split(".")
    is_ip = all(label.isdigit() for label in labels)
    key = host.replace(".", ",") if is_ip else ",".join(reversed(labels))
    if parts.port and parts.port not in (80, 443):
        key += f":{parts.port}"
    return f"{key})" + (parts.path or "/").lower() + (f"?{parts.query}" if parts.query else "")
