"""The provincial dailies' e-paper system (电子版, Founder's layout/content pages).

One system serves many dailies (新华日报 xh.xhby.net, 西藏日报 epaper.chinatibetnews.com,
扬子晚报 epaper.yzwb.net, 海南日报 news.hndaily.cn …). An edition is a set of *layout
pages*, one per printed page (a preview image whose map areas link the articles, an
article list, the list of the edition's other pages), and *article pages*. The system
went through URL generations that coexist in archives, each with the edition day in
the path (:data:`EDITION_DAY`):

* ``/pc/layout/YYYYMM/DD/node_N.html`` + ``/pc/con/YYYYMM/DD/content_N.html`` (today's);
* ``…/html/YYYY-MM/DD/node_N.htm`` + ``content_N.htm`` (the older "html" system:
  xh.xhby.net ``/newxh/html/`` and ``/mp2/html/``, 海南日报 ``/html/``).

Article pages put the headline group in ``div.newsdetatit`` (引题, ``h3`` headline, 副题,
then lines with author, date, ``来源：`` and page) or, in the older skin, ``#PreTitle`` /
``#Title`` / ``#SubTitle``; the text sits in a ``<founder-content>`` element, or between
``<!--enpcontent-->`` comment markers, inside ``#ozoom`` / ``div.newsdetatext``.

:class:`EpaperPage` reads article pages; :func:`read_layout` reads layout pages for the
``epaper`` spider. The printed page (版次/版名, ``第1版：要闻``) is read wherever the
page shows it; the spider supplies it from the layout page otherwise.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from urllib.parse import urljoin, urlsplit

from lxml import etree

from crawler.items import Article
from crawler.parsing import labels
from crawler.parsing.dates import FoundDate, first_date
from crawler.parsing.html import parse_html
from crawler.parsing.text import clean_text
from crawler.sites.generic import element_text, field_method
from crawler.sites.selector_page import SelectorPage

#: A printed-page name as e-papers show it: ``第1版：要闻``, ``第A01版:要闻``, ``第 3 版``, and
#: without 第 only when a name follows (``01版：要闻``), so ``2版`` in running text never counts.
PRINTED_PAGE = re.compile(
    r"第\s*[A-Za-z]?\d{1,3}\s*版(?:\s*[:：]\s*[^\s:：|｜，,]{1,12})?"
    r"|(?<![\w])[A-Za-z]?\d{1,3}\s*版\s*[:：]\s*[^\s:：|｜，,\d]{1,12}"
)
#: The edition day in e-paper paths: ``/202202/13/`` (pc system) or ``/2015-05/11/`` (html system).
EDITION_DAY = re.compile(r"/(?P<y>\d{4})-?(?P<m>\d{2})/(?P<d>\d{2})/")
_LAYOUT_PATH = re.compile(r"/node_\w+\.html?$")
_ARTICLE_PATH = re.compile(r"/content_\w+\.html?$")
#: Longest line still read as a page label; longer lines, or lines with sentence
#: punctuation, are sentences that mention a page (``本报将在第4版刊登…``).
_MAX_LABEL_CHARS = 40
_SENTENCE_PUNCTUATION = re.compile(r"[，。！？；,!?;]")


class EpaperPage(SelectorPage):
    """An article page of the e-paper system."""

    template = "epaper"
    SELECTORS = {
        "headline": "div.newsdetatit h3, #Title, founder-title",
        "pretitle": "div.newsdetatit .intro, #PreTitle",
        "subtitle": "div.newsdetatit .sub, #SubTitle",
        "info": "div.newsdetatit",
        "byline": "founder-author",
        "edition_date": "#paperdate",
        "body": "founder-content, div.newsdetatext, #ozoom",
    }

    @field_method("pretitle", None)
    def pretitle(self) -> str | None:
        return self.text_of("pretitle") if self.first("headline") is not None else super().pretitle()

    @field_method("subtitle", None)
    def subtitle(self) -> str | None:
        return self.text_of("subtitle") if self.first("headline") is not None else super().subtitle()

    @field_method("published", None)
    def published(self) -> FoundDate | None:
        """The date in the headline block, else the edition date shown, else the edition day in the URL."""
        for part in ("info", "edition_date"):
            found = first_date(self._credits_text() if part == "info" else self.text_of(part) or "")
            if found:
                return found
        day = EDITION_DAY.search(urlsplit(self.url).path)
        if day:
            found = first_date(f"{day['y']}-{day['m']}-{day['d']}")
            if found:
                return FoundDate(iso=found.iso, raw=day.group().strip("/"), precision="day")
        return super().published()

    @field_method("source", None)
    def source(self) -> str | None:
        return labels.find_source(self._credits_text()) or super().source()

    @field_method("authors", list)
    def authors(self) -> list[str]:
        return labels.find_authors(self._credits_text() or self.text_of("byline") or "") or super().authors()

    def _credits_text(self) -> str:
        """The headline block's lines other than the headings: author, date and page lines."""
        info = self.first("info")
        if info is None:
            return ""
        headings = {self.text_of(part) for part in ("headline", "pretitle", "subtitle")}
        lines = (element_text(child) for child in info if isinstance(child.tag, str))
        return "\n".join(line for line in lines if line and line not in headings)

    @field_method("printed_page", None)
    def printed_page(self) -> str | None:
        """版次/版名 as the page shows it (``第1版：要闻``), or ``None`` when the page does not say."""
        return printed_page_in(self._credits_text()) or _page_label(self.root)

    def to_article(self) -> Article:
        article = super().to_article()
        article.printed_page = self.printed_page()
        return article


def edition_day(url: str) -> date | None:
    """The edition day an e-paper URL carries in its path (either generation), or ``None``."""
    found = EDITION_DAY.search(urlsplit(url).path)
    if not found:
        return None
    try:
        return date(int(found["y"]), int(found["m"]), int(found["d"]))
    except ValueError:
        return None


def printed_page_in(text: str) -> str | None:
    """The first short line of ``text`` that names a printed page, whitespace folded."""
    for line in text.splitlines():
        line = clean_text(line)
        if len(line) > _MAX_LABEL_CHARS or _SENTENCE_PUNCTUATION.search(line):
            continue
        if match := PRINTED_PAGE.search(line):
            return re.sub(r"\s+", "", match.group())
    return None


@dataclass(slots=True)
class Layout:
    """What a layout page says about its edition.

    ``printed_page`` names this page (``第1版：要闻``) or is ``None``; ``page_urls`` are
    the edition's layout pages in the order the page list shows them (this one
    included); ``page_names`` maps those URLs to the names the list gives them;
    ``article_urls`` are this page's articles, in order, each once.
    """

    url: str
    printed_page: str | None = None
    page_urls: list[str] = field(default_factory=list)
    page_names: dict[str, str] = field(default_factory=dict)
    article_urls: list[str] = field(default_factory=list)


def read_layout(url: str, html: str) -> Layout:
    """Read a layout page: links to the same edition's layout pages and articles, and page names."""
    root = parse_html(html)
    edition = EDITION_DAY.search(urlsplit(url).path)
    layout = Layout(url=url)
    for link in [*root.iter("a"), *root.iter("area")]:  # the article list's order before the preview map's
        href = (link.get("href") or "").strip()
        if not href or href.lower().startswith(("javascript", "#")):
            continue
        target = urljoin(url, href).split("#", 1)[0]
        path = urlsplit(target).path
        if edition is not None and edition.group() not in path:
            continue
        if _ARTICLE_PATH.search(path) and target not in layout.article_urls:
            layout.article_urls.append(target)
        elif _LAYOUT_PATH.search(path):
            if target not in layout.page_urls:
                layout.page_urls.append(target)
            name = printed_page_in(element_text(link))
            if name and target not in layout.page_names:
                layout.page_names[target] = name
    if url not in layout.page_urls:
        layout.page_urls.insert(0, url)
    layout.printed_page = layout.page_names.get(url) or _page_label(root)
    return layout


def _page_label(root: etree._Element) -> str | None:
    """A page name standing on its own outside links (``<em>第1版：要闻</em>`` over the article list)."""
    for node in root.iter():
        if not isinstance(node.tag, str) or node.tag in ("a", "script", "style", "title"):
            continue
        if any(ancestor.tag == "a" for ancestor in node.iterancestors()):
            continue
        name = printed_page_in(node.text or "")
        if name:
            return name
    return None
