"""Spider for the provincial dailies' e-paper editions (电子版): one edition per day.

An edition is walked as the reader would: the first layout page (第1版), the other
layout pages from its page list, then every article linked from each layout page.
Papers changed their URLs over the years (xh.xhby.net: ``/newxh/html/YYYY-MM/DD/``,
``/mp2/html/YYYY-MM/DD/``, ``/pc/layout/YYYYMM/DD/``); the paper table lists each
paper's generations, and an edition's first layout page is looked for in the
generation whose ``since`` covers the day first, then in the others (a missing page
answers 404), so a wrong estimate of when a paper moved costs a request, not the
edition. The
printed page (版次/版名) is read from the layout page and handed to the article through
the request, because many article pages do not repeat it; an article page that shows
its own page name wins.

Arguments (``-a name=value``):

``paper``
    Paper code from ``crawler/data/epaper_papers.json`` (``xhrb`` for 新华日报 …). Required.
``date``
    One edition, ``YYYY-MM-DD``; or ``since`` / ``until`` for a range of editions
    (``until`` defaults to today).
``base_url``
    Root of another copy of the e-paper, e.g. the local replica ``http://127.0.0.1:8800``.
"""

from __future__ import annotations

from collections.abc import Iterator
import datetime as dt
from typing import Any

import scrapy
from scrapy.http import Response, TextResponse

from crawler.items import Article
from crawler.sites.epaper import read_layout
from crawler.data import site_table as data_table
from crawler.spiders.arguments import table_entry
from crawler.spiders.base import ArchiveSpider

#: A range longer than this is almost surely a typo in a year; say so instead of crawling for days.
MAX_EDITIONS = 3660


def papers() -> dict[str, Any]:
    """The paper table (data, not code): code → name, host, layout URL pattern, first node."""
    return data_table("epaper_papers.json")


def first_layout_paths(entry: dict[str, Any], day: dt.date) -> list[str]:
    """Where an edition's first layout page may be, most likely first: the newest generation
    whose ``since`` is on or before ``day``, then the remaining ones newest first."""
    generations = entry["generations"]
    likely = next((g for g in generations if dt.date.fromisoformat(g["since"]) <= day), generations[-1])
    ordered = [likely, *(g for g in generations if g is not likely)]
    return [g["layout"].format(yyyymm=f"{day:%Y%m}", yyyy=f"{day:%Y}", mm=f"{day:%m}", dd=f"{day:%d}",
                               node=g["first_node"]) for g in ordered]


class EpaperSpider(ArchiveSpider):
    name = "epaper"
    site_template = "epaper"
    argument_help = {
        "paper": "the paper, a name from crawler/data/epaper_papers.json (required)",
        "date": "one edition's day (YYYY-MM-DD); or a range with since/until",
    }

    def __init__(self, paper: str | None = None, date: str | None = None, base_url: str | None = None,
                 **kwargs: Any):
        entry = table_entry(papers(), paper, "paper", "e-paper")
        if date is not None:
            if kwargs.get("since") or kwargs.get("until"):
                raise ValueError("give either -a date=YYYY-MM-DD or -a since=… -a until=…, not both")
            kwargs["since"] = kwargs["until"] = date
        if not kwargs.get("since"):
            raise ValueError("name the edition: -a date=YYYY-MM-DD, or a range -a since=YYYY-MM-DD [-a until=…]")
        kwargs.setdefault("until", None)
        super().__init__(**kwargs)
        self.until = self.until or dt.date.today()
        if (self.until - self.since).days >= MAX_EDITIONS:
            raise ValueError(f"-a since={self.since} … until={self.until} spans more than {MAX_EDITIONS} editions")
        self.paper = entry
        self.base_url = (base_url or f"http://{self.paper['host']}").rstrip("/")
        self.allowed_domains = self.site_domains()

    def editions(self) -> Iterator[dt.date]:
        day = self.since
        while day <= self.until:
            yield day
            day += dt.timedelta(days=1)

    async def start(self) -> Any:
        for day in self.editions():
            yield self._first_layout_request(first_layout_paths(self.paper, day), day)

    def _first_layout_request(self, paths: list[str], day: dt.date) -> scrapy.Request:
        return scrapy.Request(self.base_url + paths[0], callback=self.parse_layout,
                              meta={"handle_httpstatus_list": [404], "other_generations": paths[1:],
                                    "edition": day.isoformat()})

    def parse_layout(self, response: Response) -> Iterator[scrapy.Request]:
        """Follow this page's articles (carrying its printed page) and the edition's other layout pages;
        a missing first layout page sends the search to the paper's other URL generations."""
        if response.status == 404:
            others = response.meta.get("other_generations") or []
            day = dt.date.fromisoformat(response.meta["edition"])
            if others:
                yield self._first_layout_request(others, day)
            else:
                self.crawler.stats.inc_value("newsarchive/epaper_editions_missing")
                self.logger.info("No edition of %s on %s in any URL generation of the paper table", self.paper["name"], day)
            return
        if not isinstance(response, TextResponse):
            self.logger.warning("Layout page %s is not a web page (%s): skipped", response.url,
                                response.headers.get(b"Content-Type", b"no Content-Type").decode("latin-1"))
            return
        layout = read_layout(response.url, response.text)
        self.crawler.stats.inc_value("newsarchive/epaper_layout_pages")
        if not layout.article_urls:
            self.logger.warning("Layout page %s links no articles: is it a layout page of this e-paper?", response.url)
        self.note_redirect(response)
        for url in map(self.site_url, layout.article_urls):
            if self.on_site(url):
                yield scrapy.Request(url, callback=self.parse_article, meta={"printed_page": layout.printed_page})
        for url in map(self.site_url, layout.page_urls):
            if url != response.url and self.on_site(url):
                yield scrapy.Request(url, callback=self.parse_layout)

    def _extract(self, response: Response) -> Article | None:
        article = super()._extract(response)
        if article is not None and not article.printed_page:
            article.printed_page = response.meta.get("printed_page")
        return article

