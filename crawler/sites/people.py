"""people.com.cn article templates (人民网 and its provincial channels).

Three layouts share one vocabulary, so each field is a list of selectors tried in
order: the current ``rm_txt`` layout (2020–, also the 2024 pages: ``div.col-1-1``
dateline, ``div.rm_txt_con`` body), the older ``text_title`` layout (``div.box01
div.fl`` dateline, ``div#rwb_zw`` body). Anything these selectors miss falls back to
the generic reading, so a layout change degrades instead of failing.
"""

from __future__ import annotations

from lxml import etree

from crawler.parsing import labels
from crawler.parsing.css import Selector
from crawler.parsing.dates import FoundDate, first_date
from crawler.sites.generic import GenericArticlePage, crumb_texts, element_text, field_method, remembered, remembered_property

#: Selectors per page part, current layout first.
_SELECTORS = {
    "headline": "div.rm_txt h1, div.text_title h1, h1#newstit",
    "pretitle": "div.rm_txt h3.pre, div.text_title h3.pre",
    "subtitle": "div.rm_txt h4.sub, div.text_title h4.sub",
    "byline": "div.rm_txt div.author, div.text_title p.author, div.text_title div.author",
    "dateline": "div.col-1-1, div.box01 div.fl, div.text_title p.sou",
    "body": "div.rm_txt_con, div#rwb_zw, div.box_con, div.show_text",
    "original_title": "div.otitle",
    "editors": "div.edit",
    "crumbs": "#rwb_navpath",
}
_COMPILED = {part: Selector(css) for part, css in _SELECTORS.items()}


class PeoplePage(GenericArticlePage):
    """A people.com.cn article page."""

    template = "people"
    site = "people.com.cn"

    def __init__(self, url: str, html: str | etree._Element, encoding: str | None = None) -> None:
        super().__init__(url, html, encoding)
        # The template's stylesheet hides div.otitle; copies of pages often lose that <style>.
        self.hidden = self.hidden | {"otitle"}

    @remembered
    def _first(self, part: str) -> etree._Element | None:
        return _COMPILED[part].first(self.index)

    @remembered
    def _text_of(self, part: str) -> str | None:
        element = self._first(part)
        return element_text(element) if element is not None else None

    @remembered_property
    def title_element(self) -> etree._Element | None:
        found = self._first("headline")
        return found if found is not None else GenericArticlePage.title_element.func(self)

    @remembered_property
    def body_element(self) -> etree._Element | None:
        found = self._first("body")
        return found if found is not None else GenericArticlePage.body_element.func(self)

    @field_method("pretitle", None)
    def pretitle(self) -> str | None:
        if self._first("headline") is None:
            return super().pretitle()
        return self._text_of("pretitle") or None

    @field_method("subtitle", None)
    def subtitle(self) -> str | None:
        if self._first("headline") is None:
            return super().subtitle()
        return self._text_of("subtitle") or None

    @field_method("original_title", None)
    def original_title(self) -> str | None:
        text = self._text_of("original_title")
        return labels.find_original_title(text) if text else super().original_title()

    @field_method("published", None)
    def published(self) -> FoundDate | None:
        dateline = self._text_of("dateline")
        return (first_date(dateline) if dateline else None) or super().published()

    @field_method("source", None)
    def source(self) -> str | None:
        dateline = self._text_of("dateline")
        return (labels.find_source(dateline) if dateline else None) or super().source()

    @field_method("authors", list)
    def authors(self) -> list[str]:
        byline = self._text_of("byline") or ""
        named = labels.find_authors(byline) or labels.split_names(byline)
        return named or super().authors()

    @field_method("editors", list)
    def editors(self) -> list[str]:
        line = self._text_of("editors")
        return (labels.find_editors(line) if line else []) or super().editors()

    @field_method("breadcrumbs", list)
    def breadcrumbs(self) -> list[str]:
        crumbs = self._first("crumbs")
        if crumbs is None:
            return super().breadcrumbs()
        return crumb_texts(crumbs)
