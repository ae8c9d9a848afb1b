"""Spider middleware that turns every fetched response into a :class:`Capture` item.

Redirects are part of the record: :class:`RedirectChain` (a downloader middleware just
outside Scrapy's RedirectMiddleware) keeps each 3xx answer on the request that follows
it, and the capture middleware emits those hops before the final page, so the archive
holds the whole chain (``http://… 301 → https://… 200``) as it happened.

Raw pages then travel the same one-way road as articles (spider → pipelines → archive),
so nothing fetched is lost and a parser fix can be replayed over stored captures.
Responses refused by Scrapy's HttpErrorMiddleware (404, 500 …) are captured too and
counted per status (``newsarchive/http_status/<code>``) for the job's health checks.
"""

from __future__ import annotations

import base64
import hashlib
from dataclasses import asdict
from collections.abc import AsyncIterator, Iterable
from datetime import datetime, timezone
from typing import Any

from scrapy.http import Response
from scrapy.spidermiddlewares.httperror import HttpError

from crawler.default_settings import read
from crawler.items import Capture


def capture_of(response: Response) -> Capture:
    """Everything WARC needs about one exchange; the body as received after transfer decoding."""
    request = response.request
    return Capture(
        url=response.url,
        fetched_at=datetime.now(timezone.utc).isoformat(timespec="microseconds"),
        status=response.status,
        headers=_pairs(response.headers),
        body=response.body,
        digest=hashlib.sha256(response.body).hexdigest(),
        request_method=request.method if request is not None else "GET",
        request_headers=_pairs(request.headers) if request is not None else [],
    )


def _pairs(headers: Any) -> list[list[str]]:
    return [
        [name.decode("latin-1"), value.decode("latin-1")]
        for name, values in headers.items()
        for value in values
    ]


#: Bytes of a redirect answer's body kept (they are a line of HTML; a hostile one is cut).
MAX_HOP_BODY = 65536
#: Request meta key holding the redirect answers met on the way to this request.
HOPS_META = "newsarchive_redirect_hops"


class RedirectChain:
    """Downloader middleware (priority above RedirectMiddleware's 600): remember every
    redirect answer on the request, which RedirectMiddleware copies into the next one."""

    def process_response(self, request: Any, response: Response, spider: Any = None) -> Response:
        if 300 <= response.status < 400 and b"Location" in response.headers:
            hop = asdict(capture_of(response))
            body = response.body[:MAX_HOP_BODY]
            hop["body"], hop["digest"] = base64.b64encode(body).decode("ascii"), hashlib.sha256(body).hexdigest()
            request.meta[HOPS_META] = [*request.meta.get(HOPS_META, []), hop]
        return response


def redirect_hops(response: Response) -> list[Capture]:
    """The redirect answers that led to ``response``, oldest first."""
    meta = response.meta if response.request is not None else {}
    return [Capture(**{**hop, "body": base64.b64decode(hop["body"])}) for hop in meta.get(HOPS_META, [])]


def record_response(crawler: Any, response: Response) -> list[Capture]:
    """Count ``response`` by status and return its captures, redirect answers first (none when
    capture is off). Also for responses that never pass the spider middlewares: pages a
    callback downloads itself (the later pages of a multi-page article)."""
    crawler.stats.inc_value(f"newsarchive/http_status/{response.status}")
    return [*redirect_hops(response), capture_of(response)] if read(crawler.settings, "NEWSARCHIVE_CAPTURE") else []


class CaptureMiddleware:
    """Setting ``NEWSARCHIVE_CAPTURE`` (:mod:`crawler.default_settings`) turns raw capture off."""

    def __init__(self, crawler: Any):
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Any) -> CaptureMiddleware:
        return cls(crawler)

    async def process_spider_output_async(self, response: Response, result: AsyncIterator[Any]) -> AsyncIterator[Any]:
        for capture in record_response(self.crawler, response):
            yield capture
        async for item in result:
            yield item

    def process_spider_output(self, response: Response, result: Iterable[Any]) -> Iterable[Any]:
        yield from record_response(self.crawler, response)
        yield from result

    def process_spider_exception(self, response: Response, exception: Exception) -> Iterable[Any] | None:
        if not isinstance(exception, HttpError):
            return None
        return record_response(self.crawler, response)
