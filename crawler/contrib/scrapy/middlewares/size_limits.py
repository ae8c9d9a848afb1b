"""Bounded memory per response: an oversized page is kept cut short, a decompression bomb refused.

Scrapy's only bound is ``DOWNLOAD_MAXSIZE`` (1 GiB by default), which *drops* a page
that exceeds it: a gzip bomb cost ~1.1 GB of memory and a 50 MB page was archived whole.
A news article page is well under half a megabyte (the largest page of the real-page
corpus is 430 KB), so:

- :class:`PageSizeMiddleware` stops reading a body at ``NEWSARCHIVE_PAGE_MAXSIZE`` bytes
  (the ``bytes_received`` signal, ``StopDownload(fail=False)``) and cuts a decompressed
  body to the same size. The page goes on, flagged ``truncated``: its capture holds the
  first bytes and its article a problem of kind ``oversized``, instead of being lost.
  A page *declaring* more than ``DOWNLOAD_MAXSIZE`` without a content coding is still
  read up to that limit rather than aborted unread, as Scrapy would.
- :class:`BoundedDecompressionMiddleware` is Scrapy's ``HttpCompressionMiddleware``,
  which decompresses in 64 KB steps and gives up once the output passes
  ``DOWNLOAD_MAXSIZE`` (checked in ``scrapy/utils/_compression.py`` and ``gz.py``, Scrapy
  2.19) and logs a warning; this subclass counts every body refused so in
  ``newsarchive/problems/refused``, shown with the crawl's problems. The crawl goes on.

Responses decompress one at a time (middlewares run in the reactor thread), so a crawl
holds at most ``CONCURRENT_REQUESTS`` raw bodies of ``NEWSARCHIVE_PAGE_MAXSIZE`` each,
one decompression of up to ``DOWNLOAD_MAXSIZE``, and ``SCRAPER_SLOT_MAX_ACTIVE_SIZE``
bytes of responses waiting for the spider. ``NEWSARCHIVE_PAGE_MAXSIZE`` is defined in
:mod:`crawler.default_settings`, Scrapy's settings in :mod:`crawler.settings`;
``bench/memory.py`` measures the peak.
"""

from __future__ import annotations

import logging
import weakref
from typing import Any

from scrapy import Request, signals
from scrapy.downloadermiddlewares.httpcompression import HttpCompressionMiddleware
from scrapy.exceptions import IgnoreRequest, StopDownload
from scrapy.http import Response

from crawler.default_settings import read

logger = logging.getLogger(__name__)

#: Response flag of a page cut at ``NEWSARCHIVE_PAGE_MAXSIZE`` (read by the spiders).
TRUNCATED = "truncated"

def truncation_detail(response: Response) -> str | None:
    """The problem sentence for a response cut at the page limit, ``None`` for a whole one."""
    if TRUNCATED not in response.flags:
        return None
    return (
        f"the page was larger than NEWSARCHIVE_PAGE_MAXSIZE; only its first {len(response.body)} bytes were kept "
        "(raise the setting if the site's pages really are this large)"
    )


class PageSizeMiddleware:
    """Downloader middleware: read at most ``NEWSARCHIVE_PAGE_MAXSIZE`` bytes of any body, keep what was read.

    Runs after decompression (priority below ``HttpCompressionMiddleware``'s 590), so the
    limit holds for the page as the parser sees it.
    """

    def __init__(self, crawler: Any) -> None:
        self.stats = crawler.stats
        self.limit = read(crawler.settings, "NEWSARCHIVE_PAGE_MAXSIZE")
        self.download_maxsize = crawler.settings.getint("DOWNLOAD_MAXSIZE")
        #: Bytes received so far per request being downloaded.
        self.received: weakref.WeakKeyDictionary[Request, int] = weakref.WeakKeyDictionary()
        crawler.signals.connect(self.headers_received, signal=signals.headers_received)
        crawler.signals.connect(self.bytes_received, signal=signals.bytes_received)

    @classmethod
    def from_crawler(cls, crawler: Any) -> PageSizeMiddleware:
        return cls(crawler)

    def headers_received(self, headers: Any, body_length: int, request: Request, spider: Any) -> None:
        """Read an uncompressed page that declares too large a size up to the limit instead of aborting it."""
        if self.download_maxsize and body_length > self.download_maxsize and not headers.get(b"Content-Encoding"):
            request.meta["download_maxsize"] = 0  # the body is cut at self.limit by bytes_received

    def bytes_received(self, data: bytes, request: Request, spider: Any) -> None:
        received = self.received.get(request, 0) + len(data)
        self.received[request] = received
        if self.limit and received > self.limit:
            raise StopDownload(fail=False)

    def process_response(self, request: Request, response: Response, spider: Any = None) -> Response:
        self.received.pop(request, None)
        if not self.limit or ("download_stopped" not in response.flags and len(response.body) <= self.limit):
            return response
        logger.warning(
            "Kept only the first %d bytes of %s: the page is larger than NEWSARCHIVE_PAGE_MAXSIZE",
            self.limit, response.url,
        )
        self.stats.inc_value("newsarchive/pages/truncated")
        return response.replace(body=response.body[: self.limit], flags=[*response.flags, TRUNCATED])

    def process_exception(self, request: Request, exception: BaseException, spider: Any = None) -> None:
        self.received.pop(request, None)


class BoundedDecompressionMiddleware(HttpCompressionMiddleware):
    """Scrapy's decompression, bounded by ``DOWNLOAD_MAXSIZE``, with every refusal counted and said."""

    def process_response(self, request: Request, response: Response, spider: Any = None) -> Request | Response:
        try:
            return super().process_response(request, response)
        except IgnoreRequest:  # Scrapy has logged why, with the sizes
            self.stats.inc_value("newsarchive/problems/refused")
            raise
