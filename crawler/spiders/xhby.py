"""Spider for 新华报业网 (www.xhby.net), the Xinhua Daily group's news site.

Discovery only: from the home page to the channel pages its navigation links (and those
the site table names), and from the home and channel pages to articles, whose URLs have
one form, ``/content/s<24 hex>.html``. The URL carries no date, so ``since`` / ``until``
are checked against each article's own date once read (an article outside them is
fetched but not stored); a re-crawl skips the articles already archived. Articles are
read by the generic extractor: no real xhby.net page has been seen to write a template
from (see docs/sites.md).

Arguments (``-a name=value``):

``since``, ``until``
    ``YYYY-MM-DD`` bounds on the articles' dates.
``base_url``
    Root of another copy of the site, e.g. the local replica (``newsarchive replica serve --site xhby``).
``channels``
    Comma-separated channel-page paths to crawl instead of those found from the home page.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import urljoin, urlsplit

import scrapy
from scrapy.http import Response, TextResponse

from crawler.data import site_table as data_table
from crawler.spiders.base import ArchiveSpider

#: Links that are never channel pages: files, scripts, mail.
_NOT_A_PAGE = re.compile(r"\.(?:jpe?g|png|gif|pdf|css|js|zip|rar|docx?|xlsx?|mp4|apk)$", re.IGNORECASE)


def site_table() -> dict[str, Any]:
    """The site table (data, not code): host, home page, article URL form, known channel pages."""
    return data_table("xhby_channels.json")


class XhbySpider(ArchiveSpider):
    name = "xhby"
    bound_by_page_date = True
    argument_help = {"channels": "comma-separated channel paths instead of those in crawler/data/xhby_channels.json"}

    def __init__(self, base_url: str | None = None, channels: str | None = None, **kwargs: Any):
        super().__init__(**kwargs)
        table = site_table()
        self.base_url = (base_url or f"https://{table['host']}").rstrip("/")
        self.home = table["home"]
        self.article_path = re.compile(table["article_path"])
        self.channel_paths: list[str] = channels.split(",") if channels else list(table["channels"])
        self.find_channels = not channels
        self.allowed_domains = self.site_domains()

    def is_article(self, url: str) -> bool:
        return self.article_path.match(urlsplit(url).path) is not None

    async def start(self) -> Any:
        yield scrapy.Request(self.base_url + self.home, callback=self.parse_home)
        for path in self.channel_paths:
            yield scrapy.Request(self.base_url + path, callback=self.parse_channel)

    def parse_home(self, response: Response) -> Iterator[scrapy.Request]:
        """The home page's articles, and (unless ``channels`` was given) the channel pages it links."""
        articles, pages = self._links(response)
        yield from articles
        if self.find_channels:
            for url in pages:
                yield scrapy.Request(url, callback=self.parse_channel)

    def parse_channel(self, response: Response) -> Iterator[scrapy.Request]:
        articles, _ = self._links(response)
        if not articles:
            self.logger.warning("Channel page %s links no /content/s….html articles: has the site changed?", response.url)
        yield from articles

    def _links(self, response: Response) -> tuple[list[scrapy.Request], list[str]]:
        """Requests for the page's article links, and its other same-site page links."""
        if not isinstance(response, TextResponse):
            return [], []
        articles: list[scrapy.Request] = []
        pages: list[str] = []
        self.note_redirect(response)
        for href in dict.fromkeys(response.css("a::attr(href)").getall()):
            url = self.site_url(urljoin(response.url, href.strip()))
            if not self.on_site(url):
                continue
            if self.is_article(url):
                articles.append(scrapy.Request(url, callback=self.parse_article))
            elif urlsplit(url).path not in ("", "/", self.home) and not _NOT_A_PAGE.search(urlsplit(url).path):
                pages.append(url)
        return articles, list(dict.fromkeys(pages))
