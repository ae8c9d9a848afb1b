"""Incremental re-crawls: fetch what is new, re-check what may have changed, skip the rest.

:class:`IncrementalMiddleware` is a downloader middleware (enabled in
``crawler/settings.py``). When the spider opens it reads, once, which article URLs of
the spider's site the archive already holds and their publication dates. Then:

* a request for an archived article (a request whose callback is the spider's
  ``parse_article``) is dropped (stat ``newsarchive/incremental/skipped``), unless the
  article is younger than the re-check window, in which case it is fetched with
  ``If-None-Match`` / ``If-Modified-Since`` from its last capture, and a ``304 Not
  Modified`` ends there (stat ``newsarchive/incremental/not_modified``);
* the spider gets a ``list_page_stale(articles)`` attribute; list-paging spiders call it
  with a list page's ``(url, day)`` article links and stop paging once every link is
  archived and the newest is older than the margin (lists are newest first, so the
  pages after it hold nothing new). The margin keeps paging through the recent pages
  where late additions still appear. The spider itself never touches the database.

Settings ``NEWSARCHIVE_INCREMENTAL``, ``NEWSARCHIVE_RECHECK_DAYS`` and
``NEWSARCHIVE_LIST_MARGIN_DAYS`` (:mod:`crawler.default_settings`), each overridable per crawl
by a spider argument of the same lower-case name (``-a incremental=off``, ``-a recheck_days=N``).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from email.utils import format_datetime
from typing import Any
from urllib.parse import urlsplit

from scrapy import signals
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Request, Response
from sqlalchemy import or_, select

from crawler.default_settings import read
from models.engine import database_url, make_engine, session_factory
from models.schema import Article, ArticleUrl, Capture

log = logging.getLogger(__name__)

#: Spider arguments that change how a crawl fetches, not what it crawls (job history ignores them).
POLICY_ARGUMENTS = frozenset({"incremental", "recheck_days", "list_margin_days"})
#: Request meta key marking a conditional re-check made by this middleware.
CONDITIONAL = "newsarchive_conditional"
_OFF = {"0", "off", "false", "no"}


def _option(spider: Any, settings: Any, name: str) -> Any:
    """The spider argument ``name`` if given, else the setting ``NEWSARCHIVE_<NAME>``."""
    value = getattr(spider, name, None)
    return value if value is not None else read(settings, f"NEWSARCHIVE_{name.upper()}")


class IncrementalMiddleware:
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
        for name, value in self._validators(request.url).items():
            request.headers.setdefault(name, value)
        request.meta[CONDITIONAL] = True
        self.stats.inc_value("newsarchive/incremental/rechecked")
        return None

    def process_response(self, request: Request, response: Response, spider: Any = None) -> Response:
        if response.status == 304 and request.meta.get(CONDITIONAL):
            self.stats.inc_value("newsarchive/incremental/not_modified")
            raise IgnoreRequest(f"not modified since the last capture: {request.url}")
        return response

    def _validators(self, url: str) -> dict[str, str]:
        """Conditional-GET headers from the newest successful capture of ``url``."""
        with session_factory(self.engine)() as session:
            row = session.execute(
                select(Capture.headers, Capture.fetched_at)
                .where(Capture.url == url, Capture.status == 200)
                .order_by(Capture.id.desc()).limit(1)
            ).first()
        if row is None:
            return {}
        headers = {name.lower(): value for name, value in row.headers}
        validators = {}
        if "etag" in headers:
            validators["If-None-Match"] = headers["etag"]
        validators["If-Modified-Since"] = headers.get("last-modified") or format_datetime(row.fetched_at, usegmt=True)
        return validators


def site_prefixes(base_url: str) -> list[str]:
    """URL prefixes of the site at ``base_url``: http and https, the host with and without
    ``www.`` (he.news.cn links its articles on www.he.news.cn; a channel moves to https).
    An empty ``base_url`` (a spider crawling no one site) gives ``[""]``: every URL."""
    parts = urlsplit(base_url)
    if not parts.hostname:
        return [""]
    bare = parts.hostname.removeprefix("www.")
    port = f":{parts.port}" if parts.port else ""
    return [f"{scheme}://{host}{port}/" for scheme in ("http", "https") for host in dict.fromkeys((bare, "www." + bare))]


def archived_articles(engine: Any, prefixes: list[str]) -> dict[str, date | None]:
    """Archived article URLs starting with one of ``prefixes`` → the article's publication day."""
    with session_factory(engine)() as session:
        rows = session.execute(
            select(ArticleUrl.url, Article.published_at)
            .join(Article, Article.id == ArticleUrl.article_id)
            .where(or_(*(ArticleUrl.url.startswith(prefix, autoescape=True) for prefix in prefixes)))
        )
        return {url: published.date() if published else None for url, published in rows}


def stale_test(archived: dict[str, date | None], cutoff: date) -> Callable[[list[tuple[str, date]]], bool]:
    """The spider's ``list_page_stale``: every link archived and the newest older than ``cutoff``."""

    def list_page_stale(articles: list[tuple[str, date]]) -> bool:
        return bool(articles) and all(url in archived for url, _ in articles) and max(d for _, d in articles) < cutoff

    return list_page_stale
