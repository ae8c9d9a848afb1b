"""Incremental re-crawls: fetch what is new, re-check what may have changed, skip the rest.

What the archive already holds, read without Scrapy: which article URLs of a site are
archived and when they were published (:func:`archived_articles`), the conditional-GET
headers of an article's last capture (:func:`conditional_headers`), and when a list page
holds nothing new (:func:`stale_test`). The downloader middleware that applies them to a
crawl is :class:`crawler.contrib.scrapy.middlewares.incremental.IncrementalMiddleware`:

* a request for an archived article (a request whose callback is the spider's
  ``parse_article``) is dropped (stat ``newsarchive/incremental/skipped``), unless the
  article is younger than the re-check window, in which case it is fetched with
  ``If-None-Match`` / ``If-Modified-Since`` from its last capture, and a ``304 Not
  Modified`` ends there (stat ``newsarchive/incremental/not_modified``);
* the spider's ``list_page_stale`` (:attr:`crawler.spiders.base.ArchiveSpider.list_page_stale`)
  is set; list-paging spiders call it with a list page's ``(url, day)`` article links and
  stop paging once every link is archived and the newest is older than the margin (lists
  are newest first, so the pages after it hold nothing new). The margin keeps paging
  through the recent pages where late additions still appear. The spider itself never
  touches the database.

Settings ``NEWSARCHIVE_INCREMENTAL``, ``NEWSARCHIVE_RECHECK_DAYS`` and
``NEWSARCHIVE_LIST_MARGIN_DAYS`` (:mod:`crawler.default_settings`), each overridable per crawl
by a spider argument of the same lower-case name (``-a incremental=off``, ``-a recheck_days=N``).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from email.utils import format_datetime
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import or_, select

from models.engine import session_factory
from models.schema import Article, ArticleUrl, Capture

#: Spider arguments that change how a crawl fetches, not what it crawls (job history ignores them).
POLICY_ARGUMENTS = frozenset({"incremental", "recheck_days", "list_margin_days"})


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


def conditional_headers(engine: Any, url: str) -> dict[str, str]:
    """Conditional-GET headers from the newest successful capture of ``url`` (none without one)."""
    with session_factory(engine)() as session:
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
