"""What every archive spider shares: date bounds, local-replica politeness, page merging.

Spiders only decide *what to fetch next*; reading a page is the site template's job
(:func:`crawler.sites.registry.extract`). Multi-page articles are fetched page by page
and merged into one item, so the pipelines only ever see whole articles.
"""

from __future__ import annotations

import ipaddress
from collections.abc import AsyncIterator, Callable, Iterator
from datetime import date, datetime, timezone
from typing import Any
from urllib.parse import urlsplit

import scrapy
from scrapy.http import Response

from crawler.contrib.scrapy.middlewares.capture import record_response
from crawler.contrib.scrapy.middlewares.size_limits import truncation_detail
from crawler.cpu import cpu_time
from crawler.fetch_rules import sites_of
from crawler.items import Article, Capture, NotArticle
from crawler.parsing.urls import same_site, site_of
from crawler.sites.pagination import merge_pages
from crawler.sites.registry import extract
from crawler.spiders.arguments import check as check_arguments


def parse_day(value: str | None, argument: str) -> date | None:
    """Read a ``YYYY-MM-DD`` spider argument; a wrong value stops the crawl before any fetch."""
    if value in (None, ""):
        return None
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise ValueError(f"-a {argument}={value!r} is not a date: use YYYY-MM-DD, e.g. 2020-04-01") from exc


def is_loopback(url: str) -> bool:
    """True for URLs on this machine: the local replica, test servers."""
    host = urlsplit(url).hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def declared_charset(response: Response) -> str | None:
    """The charset named in the Content-Type header, which real servers often get wrong."""
    content_type = response.headers.get(b"Content-Type", b"").decode("latin-1").lower()
    for part in content_type.split(";"):
        name, _, value = part.strip().partition("=")
        if name == "charset" and value:
            return value.strip("\"' ")
    return None


class ArchiveSpider(scrapy.Spider):
    """Base class for spiders whose items go to the archive.

    Arguments common to all: ``since`` / ``until`` (``YYYY-MM-DD``, inclusive) bound the
    articles' dates; ``base_url`` points the spider at another copy of the site (the
    local replica). For a loopback ``base_url`` the politeness delays are switched off
    (AutoThrottle, download delay): they protect real sites, not our own test server.
    """

    #: Template name passed to :func:`extract` when the host does not name the site
    #: (the replica on 127.0.0.1 imitates people.com.cn, say).
    site_template: str | None = None
    #: Whether ``since`` / ``until`` are checked against each article's own date (spiders whose
    #: URLs carry no date: generic, xhby); others bound by the date in the URL before fetching.
    bound_by_page_date: bool = False

    #: Whether requests may go to loopback, private or link-local addresses (see
    #: :mod:`crawler.fetch_rules`). Spiders of known sites may (their ``base_url`` is the
    #: operator's choice); ``generic`` only when its start URL is such an address.
    private_addresses_allowed: bool = True

    #: ``-a`` arguments and their meanings (:mod:`crawler.spiders.arguments`); subclasses
    #: add their own. The incremental ones are read by
    #: :mod:`crawler.contrib.scrapy.middlewares.incremental`.
    argument_help: dict[str, str] = {
        "base_url": "fetch from this copy of the site instead (e.g. the local replica http://127.0.0.1:8800)",
        "since": "only articles published on or after this day (YYYY-MM-DD)",
        "until": "only articles published on or before this day (YYYY-MM-DD)",
        "incremental": "off: fetch every page again, archived or not (default on)",
        "recheck_days": "re-check archived articles younger than this many days (default 2)",
        "list_margin_days": "keep paging lists until this many days older than the newest archived article (default 3)",
    }

    def __init__(self, *args: Any, since: str | None = None, until: str | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.since = parse_day(since, "since")
        self.until = parse_day(until, "until")
        if self.since and self.until and self.since > self.until:
            raise ValueError(f"-a since={self.since} is after -a until={self.until}: swap them")

    @classmethod
    def from_crawler(cls, crawler: Any, *args: Any, **kwargs: Any) -> ArchiveSpider:
        check_arguments(cls, kwargs)  # a typo (-a sinse=…) must not start another crawl than the one meant
        spider = super().from_crawler(crawler, *args, **kwargs)
        spider.arguments = dict(kwargs)
        base_url = kwargs.get("base_url")
        if base_url and is_loopback(base_url):
            for name, value in {
                "AUTOTHROTTLE_ENABLED": False,
                "DOWNLOAD_DELAY": 0,
                "CONCURRENT_REQUESTS_PER_DOMAIN": 16,
                "RETRY_TIMES": 1,
            }.items():
                crawler.settings.set(name, value, priority="spider")
        return spider

    @property
    def allowed_sites(self) -> frozenset[str]:
        """The sites this crawl may fetch from; :class:`~crawler.contrib.scrapy.middlewares.gate.RequestGate` refuses every
        other host, redirects and pager links included. By default the sites of
        ``allowed_domains``, which each spider sets from its site table or ``base_url``."""
        return sites_of(getattr(self, "allowed_domains", None) or ())

    # -- the site ----------------------------------------------------------------

    #: Root URL of the site crawled (set by spiders that crawl one site; the incremental
    #: middleware reads which of its articles are archived by it).
    base_url: str = ""
    #: The ``-a`` arguments as given (``name → value``, Scrapyd's ``_job`` included), set when
    #: the spider is built: read by the job record
    #: (:class:`~crawler.contrib.scrapy.extensions.jobs.JobRecorder`) and the incremental
    #: middleware (its per-crawl options), rather than attributes Scrapy makes of them.
    arguments: dict[str, str]
    #: ``list_page_stale(articles)``: True when a list page's ``(url, day)`` links are all
    #: archived and older than the margin, so paging can stop (:meth:`keep_paging`). Set on an
    #: incremental re-crawl of an archive that holds dated articles of the site, by
    #: :class:`~crawler.contrib.scrapy.middlewares.incremental.IncrementalMiddleware` when the
    #: spider opens (:func:`operations.incremental.stale_test`); None otherwise.
    list_page_stale: Callable[[list[tuple[str, date]]], bool] | None = None
    #: ``scheme://host[:port]`` the site was found to serve from after a redirect of the
    #: same site (http → https): links to the old origin are sent there directly.
    moved_to: str | None = None

    def site_domains(self) -> list[str]:
        """``allowed_domains`` for the site: the base URL's host and its site (which covers
        the ``www.``/bare pair and subdomains, e.g. a mirror host)."""
        host = urlsplit(self.base_url).hostname or ""
        return list(dict.fromkeys(filter(None, (host, site_of(self.base_url)))))

    def on_site(self, url: str) -> bool:
        """Whether ``url`` belongs to the site crawled: http or https, ``www.`` or bare host,
        any port (see :func:`crawler.parsing.urls.site_of`)."""
        return same_site(url, self.base_url)

    def site_url(self, url: str) -> str:
        """``url`` without its fragment and, once the site moved (see :meth:`note_redirect`),
        on the origin it moved to, so no request is spent on a known redirect."""
        url = url.partition("#")[0]
        if self.moved_to and self.on_site(url):
            parts = urlsplit(url)
            url = self.moved_to + url[len(f"{parts.scheme}://{parts.netloc}"):]
        return url

    def note_redirect(self, response: Response) -> None:
        """Learn from a redirect within the site where it now serves (a channel moved to https
        answers every http URL with a 301); the capture keeps the chain (``redirect_urls``)."""
        chain = response.meta.get("redirect_urls") or []
        if not chain or not self.on_site(response.url) or not self.on_site(chain[0]):
            return
        parts = urlsplit(response.url)
        origin = f"{parts.scheme}://{parts.netloc}"
        if origin != self.moved_to and not chain[0].startswith(origin + "/"):
            self.moved_to = origin
            self.logger.info("The site moved: %s redirects to %s; following its links there", chain[0], response.url)

    def in_bounds(self, day: date | None) -> bool:
        """Whether an article of this day belongs to the crawl (unknown days do)."""
        if day is None:
            return True
        if self.since and day < self.since:
            return False
        return not (self.until and day > self.until)

    def keep_paging(self, response: Response, articles: list[tuple[str, date]]) -> bool:
        """Whether to follow a newest-first list page's next pages, given its dated article links:
        not once every article on it is older than ``since``, nor, on an incremental re-crawl,
        once all are archived (:attr:`list_page_stale`)."""
        if articles and self.since is not None and max(day for _, day in articles) < self.since:
            self.logger.info("Stopped paging at %s: every article on it is older than %s", response.url, self.since)
            return False
        if self.list_page_stale is not None and self.list_page_stale(articles):
            self.logger.info("Stopped paging at %s: its articles are archived already", response.url)
            return False
        return True

    # -- articles ---------------------------------------------------------------

    async def parse_article(self, response: Response) -> AsyncIterator[Any]:
        """Extract the first page, then fetch and read the article's other pages here, in turn.

        The later pages are downloaded from this callback (through every downloader
        middleware, the request gate included) rather than as requests of their own, so the
        pages read so far never travel through a queue — a shared Redis frontier or a
        ``--resume`` disk queue — where someone could forge them. Only fetched responses
        become article text. Each later page is captured like any other response.
        """
        result = self._extract(response)
        if result is None:
            return
        remaining = [u for u in result.page_urls if u != response.url]
        if not remaining:
            yield result
            return
        pages = [result]
        for url in remaining:
            page, captures = await self._fetch_page(url, pages[0])
            for capture in captures:
                yield capture
            if page is not None:
                pages.append(page)
        yield self._merged(pages)

    async def _fetch_page(self, url: str, first: Article) -> tuple[Article | None, list[Capture]]:
        """One later page of an article: ``(page, captures)``; a page that cannot be had costs
        that page (a problem on the article), never the article."""
        try:
            response = await self.crawler.engine.download_async(scrapy.Request(url, dont_filter=True))
        except Exception as exc:  # noqa: BLE001 - a download error, a refusal by the gate or robots.txt
            first.add_problem("page_missing", f"page {url} could not be fetched: {exc!r}", "body")
            return None, []
        captures = record_response(self.crawler, response)
        if response.status >= 400:
            first.add_problem("page_missing", f"page {response.url} answered HTTP {response.status}", "body")
            return None, captures
        page = self._extract(response)
        if page is None:
            first.add_problem("page_missing", f"page {response.url} did not parse as an article page", "body")
        return page, captures

    def _merged(self, pages: list[Article]) -> Article:
        merged = merge_pages(pages)
        self.crawler.stats.inc_value("newsarchive/multipage_articles")
        return merged

    def _extract(self, response: Response) -> Article | None:
        with cpu_time(self.crawler.stats, "extract"):
            result = extract(
                response.url,
                response.body,
                declared_encoding=declared_charset(response),
                fetched_at=datetime.now(timezone.utc).isoformat(timespec="seconds"),
                site_hint=self.site_template,
            )
        if isinstance(result, NotArticle):
            self.crawler.stats.inc_value("newsarchive/not_article")
            self.crawler.stats.inc_value(f"newsarchive/not_article/reason/{result.kind}")
            self.logger.info("Skipped %s: not an article (%s); its capture is kept for reparse", response.url, result.reason)
            return None
        if self.bound_by_page_date and result.published_at and not self.in_bounds(_day_of(result.published_at)):
            self.crawler.stats.inc_value("newsarchive/out_of_bounds")
            self.logger.info("Skipped %s: dated %s, outside the crawl's dates", response.url, result.published_at[:10])
            return None
        if detail := truncation_detail(response):
            result.add_problem("oversized", detail, "body")
        return result


def _day_of(iso: str) -> date | None:
    """The local day of an ISO timestamp as the page gave it."""
    try:
        return date.fromisoformat(iso[:10])
    except ValueError:
        return None
