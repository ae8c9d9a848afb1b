"""Spider for the provincial channels of news.cn / xinhuanet.com (新华网江苏频道 …).

Discovery only: from the channel home page to its section lists (``/<section>/index.htm``
on he.news.cn) and their next pages, and from there to articles in both URL forms the
channels use, each dated from its path:

* ``/YYYY-MM/DD/c_NNNNNNNNNN.htm`` (the older site, e.g. ``www.js.xinhuanet.com/2021-02/07/c_1127073849.htm``);
* ``/YYYYMMDD/<32 hex>/c.html`` (today's, e.g. ``www.he.news.cn/20240515/d59c…b450/c.html``).

Article pages are read by the xinhua site template. A channel's ``www.`` and bare host
are one site (he.news.cn links articles on www.he.news.cn).

Arguments (``-a name=value``):

``channel``
    Channel code from ``crawler/data/xinhua_channels.json`` (``js`` for Jiangsu …). Required.
``since``, ``until``
    ``YYYY-MM-DD`` bounds on the article date in the URL; paging stops once a whole
    list page is older than ``since`` (lists are newest first).
``base_url``
    Root of another copy of the channel, e.g. the local replica (``newsarchive replica serve --site xinhua``).
``lists``
    Comma-separated list-page paths to start from instead of the channel table's.
``max_list_pages``
    Safety bound on list pages followed one after another from a start page (default 50).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from typing import Any
from urllib.parse import urljoin, urlsplit

import scrapy
from scrapy.http import Response

from crawler.data import site_table as data_table
from crawler.spiders.arguments import channel_list_help, table_entry
from crawler.spiders.base import ArchiveSpider

#: ``/2021-02/07/c_1127073849.htm`` and ``/20240515/<32 hex>/c.html``.
ARTICLE_PATH = re.compile(
    r"^/(?:(?P<y1>\d{4})-(?P<m1>\d{2})/(?P<d1>\d{2})/c_\d+\.htm"
    r"|(?P<y2>\d{4})(?P<m2>\d{2})(?P<d2>\d{2})/[0-9a-f]{32}/c\.html)$"
)
#: List pages: a section's ``index.htm`` / ``index_N.htm`` (or ``.html``), or an older ``name.htm`` list.
LIST_PAGE_PATH = re.compile(r"^/(?:[A-Za-z0-9_-]+/)*[A-Za-z0-9_-]+\.html?$")


def channels() -> dict[str, Any]:
    """The channel table (data, not code): code → name, host, list paths."""
    return data_table("xinhua_channels.json")


def article_day(url: str) -> date | None:
    """The date a news.cn article URL carries (either form), or None for other links."""
    match = ARTICLE_PATH.match(urlsplit(url).path)
    if not match:
        return None
    year, month, day = (match["y1"], match["m1"], match["d1"]) if match["y1"] else (match["y2"], match["m2"], match["d2"])
    try:
        return date(int(year), int(month), int(day))
    except ValueError:
        return None


class XinhuaSpider(ArchiveSpider):
    argument_help = channel_list_help("xinhua_channels.json")

    name = "xinhua"
    site_template = "xinhua"

    def __init__(self, channel: str | None = None, base_url: str | None = None, lists: str | None = None,
                 max_list_pages: str | int = 50, **kwargs: Any):
        super().__init__(**kwargs)
        entry = table_entry(channels(), channel, "channel", "news.cn channel")
        self.channel = channel
        self.base_url = (base_url or f"http://{entry['host']}").rstrip("/")
        self.list_paths: list[str] = lists.split(",") if lists else [*entry["lists"], *entry["sections"]]
        if not str(max_list_pages).isdigit():
            raise ValueError(f"-a max_list_pages={max_list_pages!r} must be a whole number of list pages")
        self.max_list_pages = int(max_list_pages)
        self.allowed_domains = self.site_domains()

    async def start(self) -> Any:
        for path in dict.fromkeys(self.list_paths):
            yield scrapy.Request(self.base_url + path, callback=self.parse_list, cb_kwargs={"depth": 1})

    def parse_list(self, response: Response, depth: int) -> Iterator[scrapy.Request]:
        """Follow article links in bounds; page on unless the page is all older than ``since`` or archived."""
        self.note_redirect(response)
        articles: dict[str, date] = {}
        lists: list[str] = []
        for href in response.css("a::attr(href)").getall():
            url = self.site_url(urljoin(response.url, href.strip()))
            if not self.on_site(url):
                continue
            day = article_day(url)
            if day is not None:
                articles.setdefault(url, day)
            elif LIST_PAGE_PATH.match(urlsplit(url).path) and url not in lists:
                lists.append(url)
        for url, day in articles.items():
            if self.in_bounds(day):
                yield scrapy.Request(url, callback=self.parse_article)
        if not self.keep_paging(response, list(articles.items())):
            return
        for url in lists:
            if self._follow_list(response.url, url, depth):
                yield scrapy.Request(url, callback=self.parse_list, cb_kwargs={"depth": depth + 1})

    def _follow_list(self, current: str, candidate: str, depth: int) -> bool:
        """The home page leads to every section list; a section list only to pages of its own section."""
        if depth >= self.max_list_pages:
            return False
        here = urlsplit(current).path.rsplit("/", 1)[0]
        return here == "" or urlsplit(candidate).path.rsplit("/", 1)[0] == here
