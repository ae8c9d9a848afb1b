"""WARC 1.1 records of captures, and the CDXJ index beside a WARC file (warcio does the format).

Why WARC: it is what Heritrix, Browsertrix, pywb and every web archive read, so our raw
pages outlive this program. Two writers use these helpers: the WARC export
(:mod:`archive.warc`) and the capture offload (:mod:`models.capture_store`), which moves
capture bodies out of the database into WARC files and reads them back by offset.

The body kept in the archive is the body *after* transfer decoding (gzip removed), so
the ``Content-Encoding`` / ``Transfer-Encoding`` headers no longer describe it: they are
renamed ``X-Archive-Orig-…`` (pywb's convention) and ``Content-Length`` is set to the
stored length, so a replay tool serves the bytes as they are.
"""

from __future__ import annotations

import base64
import hashlib
import json
from datetime import UTC, datetime
from http import HTTPStatus
from pathlib import Path
from urllib.parse import urlsplit

from warcio.archiveiterator import ArchiveIterator
from warcio.statusandheaders import StatusAndHeaders
from warcio.timeutils import datetime_to_iso_date, iso_date_to_timestamp

from models.schema import Capture

WARC_VERSION = "1.1"
#: Headers that describe the transfer, not the stored bytes (see the module docstring).
_TRANSFER_HEADERS = ("content-encoding", "transfer-encoding", "content-length")


def warc_date(moment: datetime) -> str:
    """WARC 1.1 date with microseconds, in UTC (``2024-03-01T10:00:00.123456Z``)."""
    return datetime_to_iso_date(moment.astimezone(UTC).replace(tzinfo=None), use_micros=True)


def payload_digest(body: bytes) -> str:
    """The digest warcio writes for a payload (``sha1:`` + base32), which revisits must repeat."""
    return "sha1:" + base64.b32encode(hashlib.sha1(body).digest()).decode("ascii")


def response_headers(capture: Capture) -> StatusAndHeaders:
    """The HTTP status line and headers of a capture as a response record carries them."""
    headers = [(f"X-Archive-Orig-{name}" if name.lower() in _TRANSFER_HEADERS else name, value)
               for name, value in capture.headers]
    headers.append(("Content-Length", str(capture.size)))
    try:
        phrase = HTTPStatus(capture.status).phrase
    except ValueError:
        phrase = "Unknown"
    return StatusAndHeaders(f"{capture.status} {phrase}", headers, protocol="HTTP/1.1")


def request_headers(capture: Capture) -> StatusAndHeaders:
    """The request line and headers that fetched a capture, for its request record."""
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
