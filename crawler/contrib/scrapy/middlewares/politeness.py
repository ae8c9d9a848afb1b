"""Per-host politeness and refusal handling, on top of Scrapy's downloader slots.

Scrapy already gives one download slot per host (http and https of a host share it,
``CONCURRENT_REQUESTS_PER_DOMAIN`` = 1 request at a time by default) and AutoThrottle
adapts the slot's delay to the server's latency. This downloader middleware adds what
a host *asks* for and what it *does*:

- **robots.txt ``Crawl-delay``** (read from the robots.txt response Scrapy fetches
  anyway): the slot never waits less than that between requests (AutoThrottle may wait
  more), and the log says what it means for the crawl: at most N pages an hour.
- **429 and 503** (rate limited, overloaded): the host pauses for ``Retry-After`` (seconds
  or an HTTP date, capped at ``NEWSARCHIVE_MAX_PAUSE``) or, without one, for
  ``NEWSARCHIVE_BACKOFF`` seconds doubling with each one in a row; RetryMiddleware then
  fetches the page again.
- **Block pages** (:func:`crawler.blocks.block_reason`: 403, WAF challenges, 访问过于频繁
  and captcha pages) are never passed on as content: they are counted
  (``newsarchive/blocked``), the host pauses ``NEWSARCHIVE_BLOCK_PAUSE`` seconds doubling
  with each block in a row, the refused request is tried again after the pause (up to
  ``NEWSARCHIVE_BLOCK_RETRIES`` times), and after ``NEWSARCHIVE_BLOCK_STOP_AFTER`` block
  pages in a row the host is given up with one clear error (``newsarchive/blocked/stopped/<host>``).
- **Unreachable hosts**: DNS failures, refused and timed-out connections are counted per
  host (``newsarchive/unreachable/<kind>/<host>``) so the health check can name the cause.

Pauses are the slot's delay, set in the ``response_downloaded`` signal (after
AutoThrottle's own adjustment, before the slot schedules its next request), with the
random spread (the slot's jitter) switched off so a pause is never shortened.

The decisions (how long, when to give up) are Scrapy-free, in :mod:`crawler.pauses`.
Settings (defaults and meanings in :mod:`crawler.default_settings`): ``NEWSARCHIVE_BLOCK_PAUSE``,
``NEWSARCHIVE_BLOCK_STOP_AFTER``, ``NEWSARCHIVE_BLOCK_RETRIES``, ``NEWSARCHIVE_BACKOFF``,
``NEWSARCHIVE_MAX_PAUSE``.
"""

from __future__ import annotations

import logging
import time
import zlib
from typing import Any
from urllib.parse import urlsplit

from protego import Protego
from scrapy import Request, signals
from scrapy.exceptions import (
    CannotResolveHostError,
    DownloadConnectionRefusedError,
    DownloadTimeoutError,
    IgnoreRequest,
)
from scrapy.http import Response
from twisted.internet import error as net

from crawler.blocks import block_reason
from crawler.pauses import HostState, PausePolicy, retry_after

logger = logging.getLogger(__name__)

#: Statuses that ask the client to slow down and come back.
BACKOFF_STATUSES = frozenset({429, 503})
#: Request meta key holding the block reason found for its response.
BLOCK_META = "newsarchive_block"
#: Request meta key counting how often a request was refused by a block page.
BLOCK_RETRIES_META = "newsarchive_block_retries"
#: Bytes of a body judged for block markers (refusal pages are short; an article's title is early).
PREFIX_BYTES = 65536
#: Connection failures by what an operator should be told.
UNREACHABLE = (
    ((CannotResolveHostError, net.DNSLookupError), "dns", "DNS lookup failed for {host}"),
    ((DownloadConnectionRefusedError, net.ConnectionRefusedError), "refused", "connection refused by {netloc}"),
    ((DownloadTimeoutError, net.TimeoutError, net.TCPTimedOutError), "timeout", "no answer from {netloc} (timed out)"),
    (net.ConnectError, "connect", "could not connect to {netloc}"),
)


class HostPoliteness:
    """Downloader middleware (see the module docstring); place it just before RetryMiddleware (550)."""

    def __init__(self, crawler: Any) -> None:
        self.crawler = crawler
        self.stats = crawler.stats
        settings = crawler.settings
        self.policy = PausePolicy.from_settings(settings)
        self.user_agent = settings.get("ROBOTSTXT_USER_AGENT") or settings.get("USER_AGENT") or "*"
        self.hosts: dict[str, HostState] = {}
        crawler.signals.connect(self.response_downloaded, signal=signals.response_downloaded)

    @classmethod
    def from_crawler(cls, crawler: Any) -> HostPoliteness:
        return cls(crawler)

    # -- decisions on each exchange -----------------------------------------------------

    def process_request(self, request: Request, spider: Any = None) -> None:
        host = _host(request.url)
        if self.hosts.get(host, HostState()).stopped:
            self.stats.inc_value("newsarchive/blocked/not_requested")
            raise IgnoreRequest(f"not requested: {host} was given up after repeated block pages")

    def response_downloaded(self, response: Response, request: Request, spider: Any = None) -> None:
        """Runs before the slot schedules its next request: set the host's delay now."""
        host = _host(request.url)
        state = self.hosts.setdefault(host, HostState())
        if urlsplit(request.url).path == "/robots.txt" and response.status == 200:
            self._read_crawl_delay(host, state, response)
        reason = block_reason(response.status, _set_cookies(response), _body_prefix(response))
        pause = 0.0
        if reason:
            request.meta[BLOCK_META] = reason
            pause = state.blocked(self.policy)
            if state.stopped:  # given up: nothing more is sent to it, not even what already waits in its slot
                self._drop_waiting(request)
        elif response.status in BACKOFF_STATUSES:
            asked = retry_after(response.headers.get(b"Retry-After"))
            pause = state.throttled(self.policy, asked)
            self.stats.inc_value(f"newsarchive/throttled/{response.status}")
            logger.warning("%s answered %s for %s: pausing the host %.3g s (%s)", host, response.status, request.url,
                           pause, "as its Retry-After asks" if asked is not None else "back-off")
        elif response.status < 400:
            state.answered()
        self._set_delay(request, state, pause)

    def process_response(self, request: Request, response: Response, spider: Any = None) -> Request | Response:
        reason = request.meta.pop(BLOCK_META, None)
        if not reason:
            return response
        host = _host(request.url)
        state = self.hosts[host]
        self.stats.inc_value("newsarchive/blocked")
        self.stats.inc_value(f"newsarchive/blocked/host/{host}")
        if state.stopped:
            if not state.reported:
                state.reported = True
                self.stats.set_value(f"newsarchive/blocked/stopped/{host}", state.blocked_in_row)
                logger.error("Gave up %s: %d block pages in a row (last: %s at %s). The site is refusing the "
                             "crawler; try again later, slower (DOWNLOAD_DELAY), or from another network",
                             host, state.blocked_in_row, reason, request.url)
            raise IgnoreRequest(f"blocked by the site: {reason}")
        logger.warning("Block page from %s (%s) at %s: pausing the host (%d in a row)",
                       host, reason, request.url, state.blocked_in_row)
        tries = request.meta.get(BLOCK_RETRIES_META, 0)
        if tries >= self.policy.block_retries:
            raise IgnoreRequest(f"blocked by the site: {reason} ({tries + 1} times)")
        return request.replace(dont_filter=True, meta={**request.meta, BLOCK_RETRIES_META: tries + 1})

    def process_exception(self, request: Request, exception: Exception, spider: Any = None) -> None:
        parts = urlsplit(request.url)
        for kinds, kind, message in UNREACHABLE:
            if isinstance(exception, kinds):
                host = parts.hostname or ""
                self.stats.inc_value(f"newsarchive/unreachable/{kind}/{parts.netloc}")
                logger.warning("Site unreachable: %s (%s)", message.format(host=host, netloc=parts.netloc), request.url)
                return

    # -- the slot -----------------------------------------------------------------------

    def _read_crawl_delay(self, host: str, state: HostState, response: Response) -> None:
        try:
            delay = Protego.parse(response.body.decode("utf-8", "replace")).crawl_delay(self.user_agent)
        except Exception:  # hostile robots.txt: Scrapy's own robots middleware reports it
            return
        if not delay or delay <= 0:
            return
        state.crawl_delay = min(float(delay), self.policy.max_pause)
        self.stats.set_value(f"newsarchive/crawl_delay/{host}", state.crawl_delay)
        per_hour = 3600 / state.crawl_delay
        logger.info("robots.txt of %s asks for Crawl-delay %g s: at most %d pages an hour from it "
                    "(%d a day); the crawl of that host lasts at least %g s per page",
                    host, state.crawl_delay, per_hour, per_hour * 24, state.crawl_delay)

    def _slot(self, request: Request) -> Any:
        slots = getattr(getattr(self.crawler.engine, "downloader", None), "slots", {})
        return slots.get(request.meta.get("download_slot"))

    def _drop_waiting(self, request: Request) -> None:
        """Fail the requests queued in the host's download slot (they passed
        :meth:`process_request` before the host was given up) with IgnoreRequest."""
        slot = self._slot(request)
        while slot is not None and slot.queue:
            waiting, deferred = slot.queue.popleft()
            self.stats.inc_value("newsarchive/blocked/not_requested")
            deferred.errback(IgnoreRequest(f"not requested: {_host(waiting.url)} was given up after block pages"))

    def _set_delay(self, request: Request, state: HostState, pause: float) -> None:
        slot = self._slot(request)
        if slot is None:
            return
        now = time.monotonic()
        if pause > 0:
            if state.usual_delay is None:
                state.usual_delay, state.usual_jitter = slot.delay, slot.jitter
            slot.delay, slot.jitter = max(pause, state.crawl_delay), 0.0
            slot.lastseen = max(slot.lastseen, now)  # the slot's delay counts from its last send: from now
            state.paused_until = now + pause
            return
        if state.usual_delay is not None and now >= state.paused_until and not state.resting:
            slot.delay, slot.jitter = state.usual_delay, state.usual_jitter
            state.usual_delay = None
        if state.crawl_delay and slot.delay < state.crawl_delay:
            slot.delay, slot.jitter = state.crawl_delay, 0.0


def _body_prefix(response: Response) -> bytes:
    """The start of the body as the page reads (signals see it before HttpCompressionMiddleware
    decodes it); bounded, so a compression bomb costs nothing here."""
    body = response.body
    coding = response.headers.get(b"Content-Encoding", b"").strip().lower()
    if coding in (b"gzip", b"x-gzip", b"deflate"):
        wbits = 16 + zlib.MAX_WBITS if coding != b"deflate" else zlib.MAX_WBITS
        try:
            return zlib.decompressobj(wbits).decompress(body, PREFIX_BYTES)
        except zlib.error:
            return b""
    return b"" if coding else body[:PREFIX_BYTES]


def _host(url: str) -> str:
    return (urlsplit(url).hostname or "").lower()


def _set_cookies(response: Response) -> list[str]:
    return [value.decode("latin-1") for value in response.headers.getlist(b"Set-Cookie")]
