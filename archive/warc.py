"""``newsarchive export --format warc``: the raw captures behind articles as WARC 1.1.

Record formats (and why WARC) are in :mod:`models.warc_format`. Each capture becomes a
``request`` + ``response`` pair (linked by ``WARC-Concurrent-To``); a capture stored as a revisit (same URL, same bytes
as an earlier one) becomes a ``revisit`` record with the ``identical-payload-digest``
profile pointing at the original's URL and date, as crawlers write them.

Export entry point: :class:`WarcExportWriter` (``newsarchive export --format warc``)
writes the captures behind the selected articles; :func:`models.warc_format.write_cdxj` then indexes the
finished file into ``FILE.cdxj`` beside it.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from typing import BinaryIO

from sqlalchemy import select
from sqlalchemy.orm import Session
from warcio.warcwriter import WARCWriter

from archive.records import Record
from models.capture_store import capture_body
from models.schema import ArticleVersion, Capture, VersionCapture
from models.warc_format import WARC_VERSION, payload_digest, request_headers, response_headers, warc_date


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
        http_headers = response_headers(capture)
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
            http_headers=request_headers(capture),
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
