"""Spider ``generic``: archive any news site with the generic extractor, by what it announces and its links.

Pages are found three ways (``discover``, all by default):

* ``sitemaps``: the ``Sitemap:`` lines of the site's robots.txt and any ``-a sitemaps=``,
  sitemap indexes followed to their sitemaps (gzipped or not);
* ``feeds``: RSS/Atom feeds named by ``-a feeds=`` or announced by the pages fetched
  (``<link rel="alternate" type="application/rss+xml">``);
* ``links``: from the start URL, links on the same host (only those matching ``allow``
  when given) up to ``depth`` links away.

Every page that reads as an article is stored; list pages, tag pages and the like get a
"not an article" verdict, are counted and skipped, but their links are still followed
(that is how articles are found). Announced pages and pages at the last link level are
fetched as articles, so a re-crawl skips those already archived (operations.incremental);
with ``since`` / ``until`` an announced page whose sitemap ``lastmod`` or feed date is
outside the bounds is not fetched, nor a sitemap whose ``lastmod`` is before ``since``,
and an article whose own date is outside them is not stored.
Addresses on this machine or a private network (127.0.0.1, 10.…, 192.168.…, link-local)
are never fetched unless the start URL is one itself (a local copy): see ``crawler/fetch_rules.py``.

Arguments (``-a name=value``):

``start_url``
    Where to start, e.g. ``https://www.example.cn/news/``. Required.
``allow``
    Regular expression a link's URL must match to be followed (searched, not anchored).
``depth``
    How many links away from the start page to go (default 2; 0 fetches only the start page).
``template``
    Site template name to read pages with instead of choosing by host (default: by host).
``discover``
    Comma-separated ways to find pages: ``sitemaps``, ``feeds``, ``links`` (default all three).
``sitemaps``, ``feeds``
    Comma-separated sitemap / feed URLs to read besides those the site announces.
``since``, ``until``
    ``YYYY-MM-DD`` bounds on the articles' dates.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Iterator
from datetime import date
from typing import Any
from urllib.parse import urljoin, urlsplit

import scrapy
from scrapy.http import Response, TextResponse
from scrapy.linkextractors import LinkExtractor

from crawler.fetch_rules import is_private_address
from crawler.parsing.urls import DEFAULT_PORTS, same_site
from crawler.spiders.base import ArchiveSpider
from crawler.spiders.discovery import feeds_linked, read_feed, read_sitemap, sitemaps_in_robots

DEFAULT_DEPTH = 2
DISCOVERY = ("sitemaps", "feeds", "links")


class GenericSpider(ArchiveSpider):
    name = "generic"
    bound_by_page_date = True
    argument_help = {
        "start_url": "the page to start from, http(s) (required); links are followed on its host",
        "allow": "only follow links whose URL matches this regular expression",
        "depth": f"follow links at most this many clicks from the start page (default {DEFAULT_DEPTH})",
        "template": "read pages with this site template (people, xinhua, epaper …) instead of the generic extractor",
        "discover": "comma-separated ways to find pages: sitemaps, feeds, links (default all)",
        "sitemaps": "comma-separated sitemap URLs besides those robots.txt names",
        "feeds": "comma-separated RSS/Atom feed URLs besides those the pages announce",
    }

    def __init__(self, start_url: str | None = None, allow: str | None = None, depth: str | int = DEFAULT_DEPTH,
                 template: str | None = None, discover: str | None = None, sitemaps: str | None = None,
                 feeds: str | None = None, **kwargs: Any):
        super().__init__(**kwargs)
        host = urlsplit(start_url or "").hostname
        if not start_url or not host or urlsplit(start_url).scheme not in ("http", "https"):
            raise ValueError(f"-a start_url={start_url!r} is not an http(s) URL: give e.g. -a start_url=https://www.example.cn/")
        if not str(depth).isdigit():
            raise ValueError(f"-a depth={depth!r} must be a whole number of links from the start page, 0 or more")
        self.depth = int(depth)
        try:
            pattern = re.compile(allow) if allow else None
        except re.error as exc:
            raise ValueError(f"-a allow={allow!r} is not a regular expression ({exc}): escape ( [ . etc. with \\") from exc
        self.discover = _ways(discover)
        self.start_url = start_url
        self.sitemap_urls = _url_list(sitemaps, "sitemaps")
        self.feed_urls = _url_list(feeds, "feeds")
        self.site_template = template or None
        # the operator's sitemaps and feeds may live on another host; pages are followed on the start host only
        given = [urlsplit(url).hostname or host for url in (*self.sitemap_urls, *self.feed_urls)]
        self.allowed_domains = list(dict.fromkeys([host, *given]))
        self.private_addresses_allowed = is_private_address(host)  # a local copy; else never our own network
        # which links are on the site is on_start_host's call (http and https, www. and bare host)
        self.links = LinkExtractor(allow=[pattern.pattern] if pattern else (), unique=True)

    @classmethod
    def from_crawler(cls, crawler: Any, *args: Any, **kwargs: Any) -> GenericSpider:
        """A loopback start URL is a local copy: politeness off, as for other spiders' ``base_url``."""
        if "start_url" in kwargs:
            kwargs.setdefault("base_url", kwargs["start_url"])
        return super().from_crawler(crawler, *args, **kwargs)

    async def start(self) -> Any:
        if "links" in self.discover:
            yield scrapy.Request(self.start_url, callback=self.parse_page, cb_kwargs={"level": 0})
        if "sitemaps" in self.discover:
            yield scrapy.Request(urljoin(self.start_url, "/robots.txt"), callback=self.parse_robots)
            for url in self.sitemap_urls:
                yield scrapy.Request(url, callback=self.parse_sitemap)
        if "feeds" in self.discover:
            for url in self.feed_urls:
                yield scrapy.Request(url, callback=self.parse_feed)

    async def parse_page(self, response: Response, level: int) -> AsyncIterator[Any]:
        """Store the page if it is an article; follow its same-host links while under ``depth``
        (the last level as articles, skipped on re-crawls when archived) and the feeds it announces."""
        if not isinstance(response, TextResponse):
            return
        async for result in self.parse_article(response):
            yield result
        if "feeds" in self.discover:
            for url in feeds_linked(response):
                if self.on_start_host(url):
                    yield scrapy.Request(url, callback=self.parse_feed)
        if level >= self.depth:
            return
        for link in self.links.extract_links(response):
            if not self.on_start_host(link.url):
                continue
            if level + 1 >= self.depth:
                yield scrapy.Request(link.url, callback=self.parse_article)
            else:
                yield scrapy.Request(link.url, callback=self.parse_page, cb_kwargs={"level": level + 1})

    def parse_robots(self, response: Response) -> Iterator[scrapy.Request]:
        """The sitemaps robots.txt names (on the start URL's host)."""
        for url in sitemaps_in_robots(response.body, response.url):
            if self.on_start_host(url):
                yield scrapy.Request(url, callback=self.parse_sitemap)

    def parse_sitemap(self, response: Response) -> Iterator[scrapy.Request]:
        """A sitemap index leads to its sitemaps; a sitemap to its pages, both bounded by ``lastmod``."""
        sitemap = read_sitemap(response.body, response.url)
        self.crawler.stats.inc_value("newsarchive/discovery/sitemaps")
        if sitemap.is_index:
            for url, day in sitemap.sitemaps:
                if self.on_start_host(url) and not (day and self.since and day < self.since):
                    yield scrapy.Request(url, callback=self.parse_sitemap)
            return
        if not sitemap.pages:
            self.logger.warning("Sitemap %s lists no pages: is it a sitemap?", response.url)
        yield from self._announced(sitemap.pages, "sitemap", modified=True)

    def parse_feed(self, response: Response) -> Iterator[scrapy.Request]:
        """An RSS/Atom feed's entries, bounded by their dates."""
        entries = read_feed(response.body, response.url)
        self.crawler.stats.inc_value("newsarchive/discovery/feeds")
        if not entries:
            self.logger.warning("Feed %s has no entries with links: is it an RSS or Atom feed?", response.url)
        yield from self._announced(entries, "feed", modified=False)

    def _announced(self, pages: list[tuple[str, date | None]], source: str, *, modified: bool) -> Iterator[scrapy.Request]:
        """Requests for announced pages on the start host. A ``lastmod`` (``modified``) before ``since``
        rules a page out; after ``until`` it does not (an old article may have been edited since)."""
        for url, day in pages:
            if not self.on_start_host(url):
                continue
            if day is not None and ((self.since and day < self.since) or (not modified and not self.in_bounds(day))):
                continue
            self.crawler.stats.inc_value(f"newsarchive/discovery/{source}_pages")
            yield scrapy.Request(url, callback=self.parse_article)

    def on_start_host(self, url: str) -> bool:
        """Whether ``url`` is on the start URL's site (http or https, ``www.`` or bare host: a robots.txt
        fetched over http often names an https sitemap) and port (a local copy has its own)."""
        return same_site(url, self.start_url) and _port(url) == _port(self.start_url)


def _ways(discover: str | None) -> tuple[str, ...]:
    if not discover:
        return DISCOVERY
    ways = tuple(dict.fromkeys(part.strip() for part in discover.split(",") if part.strip()))
    unknown = [way for way in ways if way not in DISCOVERY]
    if unknown or not ways:
        raise ValueError(f"-a discover={discover!r}: use a comma-separated list of {', '.join(DISCOVERY)}")
    return ways


def _port(url: str) -> int | None:
    """The URL's explicit port, ``None`` for the scheme's default."""
    parts = urlsplit(url)
    return None if parts.port == DEFAULT_PORTS.get(parts.scheme.lower()) else parts.port


def _url_list(value: str | None, argument: str) -> list[str]:
    urls = [part.strip() for part in (value or "").split(",") if part.strip()]
    for url in urls:
        if urlsplit(url).scheme not in ("http", "https"):
            raise ValueError(f"-a {argument}={url!r} is not an http(s) URL: give the full address, e.g. https://www.example.cn/sitemap.xml")
    return urls

