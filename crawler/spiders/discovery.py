"""What a site announces about its pages: sitemaps (robots.txt ``Sitemap:`` lines, sitemap
indexes, gzipped sitemaps) and RSS/Atom feeds.

A site without rules is cheapest to crawl incrementally by what it announces: a sitemap or
feed lists the article URLs, often with a date, so a re-crawl asks only for those and skips
the ones archived. Parsing is left to maintained libraries, Scrapy's sitemap utilities
(``scrapy.utils.sitemap``: XML entities never resolved) and feedparser (every RSS and Atom
dialect, dates normalised); these functions only turn their output into ``(url, day)``
pairs, the day ``None`` when the file does not say.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from urllib.parse import urljoin

import feedparser
from scrapy.http import Response, TextResponse
from scrapy.utils.gz import gunzip
from scrapy.utils.sitemap import Sitemap, sitemap_urls_from_robots

#: Most a gzipped sitemap may decompress to (the sitemap protocol caps a file at 50 MB).
MAX_SITEMAP_BYTES = 50 * 1024 * 1024
GZIP_MAGIC = b"\x1f\x8b\x08"
#: ``<link rel="alternate">`` types that name a feed.
FEED_TYPES = ("application/rss+xml", "application/atom+xml", "application/rdf+xml")


@dataclass(slots=True)
class SitemapFile:
    """One sitemap read: an index (``sitemaps`` to read next) or a URL set (``pages``), each with its day."""

    is_index: bool = False
    sitemaps: list[tuple[str, date | None]] = field(default_factory=list)
    pages: list[tuple[str, date | None]] = field(default_factory=list)


def sitemaps_in_robots(robots_txt: bytes, base_url: str) -> list[str]:
    """The ``Sitemap:`` URLs of a robots.txt, made absolute."""
    return list(dict.fromkeys(sitemap_urls_from_robots(robots_txt, base_url=base_url)))


def read_sitemap(body: bytes, url: str) -> SitemapFile:
    """A sitemap or sitemap index (gzipped or not); unreadable bytes give an empty file, never an error."""
    if body[:3] == GZIP_MAGIC:
        try:
            body = gunzip(body, max_size=MAX_SITEMAP_BYTES)
        except Exception:  # noqa: BLE001 - a broken or oversized archive (several error kinds) reads as empty
            return SitemapFile()
    try:
        sitemap = Sitemap(body)
    except Exception:  # noqa: BLE001 - lxml raises several kinds on hostile bytes
        return SitemapFile()
    found = SitemapFile(is_index=sitemap.type == "sitemapindex")
    entries = found.sitemaps if found.is_index else found.pages
    for entry in sitemap:
        loc = entry.get("loc")
        if loc:
            entries.append((urljoin(url, loc), _day(entry.get("lastmod"))))
    return found


def read_feed(body: bytes, url: str) -> list[tuple[str, date | None]]:
    """An RSS or Atom feed's entry links with their publication (else update) day."""
    parsed = feedparser.parse(body)
    entries = []
    for entry in parsed.entries:
        link = entry.get("link")
        if not link:
            continue
        stamp = entry.get("published_parsed") or entry.get("updated_parsed")
        entries.append((urljoin(url, link), date(*stamp[:3]) if stamp else None))
    return entries


def feeds_linked(response: Response) -> list[str]:
    """Feeds a page announces in its ``<link rel="alternate" type="application/rss+xml">`` tags."""
    if not isinstance(response, TextResponse):
        return []
    found = []
    for link in response.css("link[rel~=alternate][href]"):
        if (link.attrib.get("type") or "").strip().lower() in FEED_TYPES:
            found.append(response.urljoin(link.attrib["href"].strip()))
    return list(dict.fromkeys(found))


def _day(text: str | None) -> date | None:
    """The day of a W3C datetime (``2024-05-10``, ``2024-05-10T08:00:00+08:00``) as the site wrote it."""
    try:
        return date.fromisoformat((text or "")[:10])
    except ValueError:
        return None

