"""Downloader middleware of incremental re-crawls: skip archived articles, re-check young ones.

The decisions and the archive queries are Scrapy-free, in :mod:`operations.incremental`
(which says what an incremental re-crawl does); this middleware reads the archive once
when the spider opens and applies them to every request. It hands the spider its
:attr:`~crawler.spiders.base.ArchiveSpider.list_page_stale` test: the one thing it sets
on the spider, declared (and defaulted to ``None``) on the spider class.

Settings ``NEWSARCHIVE_INCREMENTAL``, ``NEWSARCHIVE_RECHECK_DAYS`` and
``NEWSARCHIVE_LIST_MARGIN_DAYS``, each overridden by the spider argument of the same
lower-case name (read from :attr:`~crawler.spiders.base.ArchiveSpider.arguments`).
"""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime, timedelta
from typing import Any

from scrapy import signals
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Request, Response

from crawler.default_settings import read
from models.engine import database_url, make_engine
from operations.incremental import archived_articles, conditional_headers, site_prefixes, stale_test

log = logging.getLogger(__name__)

#: Request meta key marking a conditional re-check made by this middleware.
CONDITIONAL = "newsarchive_conditional"
_OFF = {"0", "off", "false", "no"}


def _option(spider: Any, settings: Any, name: str) -> Any:
    """The spider argument ``name`` if given (``-a name=…``), else the setting ``NEWSARCHIVE_<NAME>``."""
    value = getattr(spider, "arguments", {}).get(name)
    return value if value is not None else read(settings, f"NEWSARCHIVE_{name.upper()}")


class IncrementalMiddleware:
    """Enabled in ``crawler/settings.py``; ``-a incremental=off`` fetches every page."""

    def __init__(self, crawler: Any) -> None:
        self.crawler = crawler
        self.stats = crawler.stats
        self.url = database_url(crawler.settings.get("NEWSARCHIVE_DATABASE_URL"))
        self.archived: dict[str, date | None] = {}
        self.recheck_since: date = date.max
        self.engine: Any = None

    @classmethod
    def from_crawler(cls, crawler: Any) -> IncrementalMiddleware:
        middleware = cls(crawler)
        crawler.signals.connect(middleware.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(middleware.spider_closed, signal=signals.spider_closed)
        return middleware

    def spider_opened(self, spider: Any) -> None:
        settings = self.crawler.settings
        if str(_option(spider, settings, "incremental")).lower() in _OFF:
            log.info("incremental crawling is off: every page is fetched")
            return
        recheck_days = int(_option(spider, settings, "recheck_days"))
        margin = int(_option(spider, settings, "list_margin_days"))
        self.engine = make_engine(self.url)
        self.archived = archived_articles(self.engine, site_prefixes(getattr(spider, "base_url", "")))
        self.recheck_since = datetime.now(UTC).date() - timedelta(days=recheck_days)
        known_days = [d for d in self.archived.values() if d is not None]
        if known_days:
            spider.list_page_stale = stale_test(self.archived, max(known_days) - timedelta(days=margin))
        log.info("incremental crawl: %d article URLs already archived; re-checking those published since %s",
                 len(self.archived), self.recheck_since)

    def spider_closed(self, spider: Any) -> None:
        if self.engine is not None:
            self.engine.dispose()

    def process_request(self, request: Request, spider: Any = None) -> None:
        spider = spider or self.crawler.spider
        if request.url not in self.archived or request.callback != getattr(spider, "parse_article", None):
            return None
        day = self.archived[request.url]
        if day is None or day < self.recheck_since:
            self.stats.inc_value("newsarchive/incremental/skipped")
            raise IgnoreRequest(f"already archived: {request.url}")
        for name, value in conditional_headers(self.engine, request.url).items():
            request.headers.setdefault(name, value)
        request.meta[CONDITIONAL] = True
        self.stats.inc_value("newsarchive/incremental/rechecked")
        return None

    def process_response(self, request: Request, response: Response, spider: Any = None) -> Response:
        if response.status == 304 and request.meta.get(CONDITIONAL):
            self.stats.inc_value("newsarchive/incremental/not_modified")
            raise IgnoreRequest(f"not modified since the last capture: {request.url}")
        return response
