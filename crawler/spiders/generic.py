"""Spider ``generic``: archive any news site with the generic extractor, by following its links.

Starting from one URL it follows links on the same host (only those matching ``allow``
when given) up to ``depth`` links away, and stores every page that reads as an article;
list pages, tag pages and the like get a "not an article" verdict, are counted and
skipped, but their links are still followed (that is how articles are found).

Arguments (``-a name=value``):

``start_url``
    Where to start, e.g. ``https://www.example.cn/news/``. Required.
``allow``
    Regular expression a link's URL must match to be followed (searched, not anchored).
``depth``
    How many links away from the start page to go (default 2; 0 fetches only the start page).
``template``
    Site template name to read pages with instead of choosing by host (default: by host).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import scrapy
from scrapy.http import Response, TextResponse
from scrapy.linkextractors import LinkExtractor

from crawler.spiders.base import ArchiveSpider

DEFAULT_DEPTH = 2


class GenericSpider(ArchiveSpider):
    name = "generic"

    def __init__(self, start_url: str | None = None, allow: str | None = None, depth: str | int = DEFAULT_DEPTH,
                 template: str | None = None, **kwargs: Any):
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
        self.start_url = start_url
        self.site_template = template or None
        self.allowed_domains = [host]
        # LinkExtractor compares domains with the URL's netloc, port included (the local replica has one)
        netloc = urlsplit(start_url).netloc.lower()
        self.links = LinkExtractor(allow=[pattern.pattern] if pattern else (), allow_domains=[netloc], unique=True)

    @classmethod
    def from_crawler(cls, crawler: Any, *args: Any, **kwargs: Any) -> GenericSpider:
        """A loopback start URL is a local copy: politeness off, as for other spiders' ``base_url``."""
        if "start_url" in kwargs:
            kwargs.setdefault("base_url", kwargs["start_url"])
        return super().from_crawler(crawler, *args, **kwargs)

    async def start(self) -> Any:
        yield scrapy.Request(self.start_url, callback=self.parse_page, cb_kwargs={"level": 0})

    def parse_page(self, response: Response, level: int) -> Iterator[Any]:
        """Store the page if it is an article; follow its same-host links while under ``depth``."""
        if not isinstance(response, TextResponse):
            return
        yield from self.parse_article(response)
        if level >= self.depth:
            return
        for link in self.links.extract_links(response):
            yield scrapy.Request(link.url, callback=self.parse_page, cb_kwargs={"level": level + 1})
