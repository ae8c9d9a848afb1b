"""Spider middleware that turns every fetched response into a :class:`Capture` item.

Raw pages then travel the same one-way road as articles (spider → pipelines → archive),
so nothing fetched is lost and a parser fix can be replayed over stored captures.
Responses refused by Scrapy's HttpErrorMiddleware (404, 500 …) are captured too and
counted per status (``newsarchive/http_status/<code>``) for the job's health checks.
"""

from __future__ import annotations

import hashlib
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


class CaptureMiddleware:
    """Setting ``NEWSARCHIVE_CAPTURE`` (:mod:`crawler.default_settings`) turns raw capture off."""

    def __init__(self, stats: Any, enabled: bool):
        self.stats = stats
        self.enabled = enabled

    @classmethod
    def from_crawler(cls, crawler: Any) -> CaptureMiddleware:
        return cls(crawler.stats, read(crawler.settings, "NEWSARCHIVE_CAPTURE"))

    async def process_spider_output_async(self, response: Response, result: AsyncIterator[Any]) -> AsyncIterator[Any]:
        self._count(response)
        if self.enabled:
            yield capture_of(response)
        async for item in result:
            yield item

    def process_spider_output(self, response: Response, result: Iterable[Any]) -> Iterable[Any]:
        self._count(response)
        if self.enabled:
            yield capture_of(response)
        yield from result

    def process_spider_exception(self, response: Response, exception: Exception) -> Iterable[Any] | None:
        if not isinstance(exception, HttpError):
            return None
        self._count(response)
        return [capture_of(response)] if self.enabled else []

    def _count(self, response: Response) -> None:
        self.stats.inc_value(f"newsarchive/http_status/{response.status}")
