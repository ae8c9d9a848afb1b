"""Spider for the provincial channels of people.com.cn (js, sh, gd, … — one CMS).

Discovery only: list pages newest first, list pagination, article links of the
``/n2/YYYY/MMDD/cNODE-ID.html`` (provincial), ``/n1/…`` (central) and pre-2015 ``/n/…``
forms, each dated from its path. List pages are ``/GB/…/index*.html`` at any depth
(Jiangsu's city lists are ``/GB/361417/359575/index.html``, ``/GB/361417/359576/359764/359765/index.html``)
and the home page's own pagers (``/index3.html``); fragments (``index3.html#fy01``) are
dropped. http and https, ``www.`` and bare host are one channel (a channel that moved to
https is followed there). Article pages are read by the people.com.cn site template.

Arguments (``-a name=value``):

``channel``
    Channel code from ``crawler/data/people_channels.json`` (``js`` for Jiangsu …). Required.
``since``, ``until``
    ``YYYY-MM-DD`` bounds on the article date in the URL; paging stops once a whole
    list page is older than ``since`` (lists are newest first).
``base_url``
    Root of another copy of the channel, e.g. the local replica ``http://127.0.0.1:8800``.
``lists``
    Comma-separated list-page paths to start from instead of the channel table's, ``/``
    to discover every list from the home page, or ``all`` for the table's lists and city
    lists. By default a crawl of the live channel starts from both; a crawl of another
    copy (``base_url``) only from the ``lists``, since a copy need not hold the city lists.
``max_list_pages``
    Safety bound on list pages followed per list (default 50).
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

#: Article URLs: ``/n2/…`` (provincial, 2015–), ``/n1/…`` (central), ``/n/…`` (before 2015).
ARTICLE_PATH = re.compile(r"/n[12]?/(?P<year>\d{4})/(?P<md>\d{4})/c\d+-\d+\.html$")
#: List pages: ``/GB/<node>/…/index[N].html`` at any depth, and the home page's ``/index[N].html``.
LIST_PAGE_PATH = re.compile(r"^/(?:GB/(?:\d+/)+)?index\d*\.html$")


def channels() -> dict[str, Any]:
    """The channel table (data, not code): code → name, host, list paths."""
    return data_table("people_channels.json")


def article_day(url: str) -> date | None:
    """The date people.com.cn puts in every article URL, or None for other links."""
    match = ARTICLE_PATH.search(urlsplit(url).path)
    if not match:
        return None
    md = match["md"]
    try:
        return date(int(match["year"]), int(md[:2]), int(md[2:]))
    except ValueError:
        return None


class PeopleSpider(ArchiveSpider):
    name = "people"
    site_template = "people"
    argument_help = channel_list_help("people_channels.json")

    def __init__(self, channel: str | None = None, base_url: str | None = None, lists: str | None = None,
                 max_list_pages: str | int = 50, **kwargs: Any):
        super().__init__(**kwargs)
        entry = table_entry(channels(), channel, "channel", "people.com.cn channel")
        self.channel = channel
        self.base_url = (base_url or f"http://{entry['host']}").rstrip("/")
        every_list = [*entry["lists"], *(sub["path"] for sub in entry.get("city_lists", ()))]
        if lists == "all" or (not lists and not base_url):
            self.list_paths: list[str] = every_list
        else:
            self.list_paths = lists.split(",") if lists else entry["lists"]
        self.max_list_pages = int(max_list_pages)
        self.allowed_domains = self.site_domains()

    async def start(self) -> Any:
        for path in self.list_paths:
            yield scrapy.Request(self.base_url + path, callback=self.parse_list, cb_kwargs={"depth": 1})

    def parse_list(self, response: Response, depth: int) -> Iterator[scrapy.Request]:
        """Follow article links in bounds; page on unless the whole page is older than ``since``."""
        self.note_redirect(response)
        articles: list[tuple[str, date]] = []
        lists: list[str] = []
        for href in dict.fromkeys(response.css("a::attr(href)").getall()):
            url = self.site_url(urljoin(response.url, href.strip()))
            if not self.on_site(url):
                continue
            day = article_day(url)
            if day is not None:
                articles.append((url, day))
            elif LIST_PAGE_PATH.match(urlsplit(url).path):
                lists.append(url)
        for url, day in articles:
            if self.in_bounds(day):
                yield scrapy.Request(url, callback=self.parse_article)
        if not self.keep_paging(response, articles):
            return
        for url in dict.fromkeys(lists):
            if self._follow_list(response.url, url, depth):
                yield scrapy.Request(url, callback=self.parse_list, cb_kwargs={"depth": depth + 1})

    def _follow_list(self, current: str, candidate: str, depth: int) -> bool:
        """Home pages (and their pagers) lead to every list; a list page to its own next
        pages and to the lists nested under it (a province's list of city lists)."""
        if depth >= self.max_list_pages:
            return False
        here = urlsplit(current).path.rsplit("/", 1)[0]
        if here == "":
            return True
        there = urlsplit(candidate).path.rsplit("/", 1)[0]
        return there == here or there.startswith(here + "/")
