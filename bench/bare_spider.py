"""The baseline of the end-to-end benchmark: bare Scrapy walking the same links.

It fetches what ``crawler.spiders.people.PeopleSpider`` fetches on the replica — list
pages, the article pages they link to, and the further pages of multi-page articles —
and yields each page's URL and raw bytes, nothing more: no extraction, no capture
middleware, no pipelines. What the full crawl costs on top of this spider is what
newsarchive adds to Scrapy; the spider reuses the people spider's link patterns so
both walk the same site graph.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import urljoin, urlsplit

import scrapy
from scrapy.http import Response

from crawler.spiders.people import ARTICLE_PATH, LIST_PAGE_PATH

#: Project components the bare baseline leaves out: everything newsarchive adds to Scrapy.
PROJECT_COMPONENTS = ("ITEM_PIPELINES", "SPIDER_MIDDLEWARES", "DOWNLOADER_MIDDLEWARES", "EXTENSIONS")
#: The politeness lifts ``ArchiveSpider`` applies for a loopback ``base_url``, so both
#: spiders fetch with the same concurrency.
LOOPBACK_SETTINGS = {
    "AUTOTHROTTLE_ENABLED": False,
    "DOWNLOAD_DELAY": 0,
    "CONCURRENT_REQUESTS_PER_DOMAIN": 16,
    "RETRY_TIMES": 1,
}


class BareSpider(scrapy.Spider):
    """Follow list pages → article pages → article pagers from ``base_url + start_path``.

    List pages are followed within their own folder (a list's own next pages), as the
    people spider does; Scrapy's duplicate filter keeps each page to one fetch.
    """

    name = "bare"
    custom_settings = LOOPBACK_SETTINGS

    def __init__(self, base_url: str, start_path: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.base_url = base_url.rstrip("/")
        self.start_path = start_path
        self.allowed_domains = [urlsplit(self.base_url).hostname or ""]

    async def start(self) -> Any:
        yield scrapy.Request(self.base_url + self.start_path, callback=self.parse_list)

    def parse_list(self, response: Response) -> Iterator[Any]:
        folder = response.url.rsplit("/", 1)[0]
        for href in response.css("a::attr(href)").getall():
            url = urljoin(response.url, href.strip())
            if not url.startswith(self.base_url):
                continue
            path = urlsplit(url).path
            if ARTICLE_PATH.search(path):
                yield scrapy.Request(url, callback=self.parse_article)
            elif LIST_PAGE_PATH.search(path) and url.rsplit("/", 1)[0] == folder:
                yield scrapy.Request(url, callback=self.parse_list)

    def parse_article(self, response: Response) -> Iterator[Any]:
        yield {"url": response.url, "body": response.body}
        for href in response.css("div.zdfy a::attr(href)").getall():
            yield scrapy.Request(urljoin(response.url, href.strip()), callback=self.parse_article)
