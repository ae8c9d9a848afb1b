"""news.cn / xinhuanet.com article templates (新华网 and its provincial channels such as he.news.cn).

Two layouts are in use. The current one (2020–) puts the dateline in
``div.header-time`` split over spans (``<em>2024</em> 05/09 22:27:02``), the source in
``div.source``, the text in ``#detailContent`` and the editor in ``span.editor``
(``【责任编辑:王頔】``); provincial channels show ``h1#title`` with ``div.info``
(``span.time``, ``span.sourceText``) and credit ``[作者: X 责任编辑: Y]``. The older
one (–2019) uses ``div.h-title``, ``span.h-time``, ``em#source``, ``#p-detail`` and
an editor line in ``span.p-jc``. Fields the selectors miss fall back to the generic
reading (the 2005 channel pages, laid out in tables, are read that way).
"""

from __future__ import annotations

import re

from crawler.parsing import labels
from crawler.parsing.dates import FoundDate, first_date
from crawler.sites.generic import crumb_texts, field_method
from crawler.sites.selector_page import SelectorPage

#: ``2024 05/09 22:27:02``: the current layout's dateline with the year split off.
_SPLIT_DATELINE = re.compile(r"^(?P<y>\d{4})\s+(?P<m>\d{1,2})/(?P<d>\d{1,2})\s+(?P<t>\d{1,2}:\d{2}(?::\d{2})?)$")


class XinhuaPage(SelectorPage):
    """A news.cn / xinhuanet.com article page."""

    template = "xinhua"
    SELECTORS = {
        "headline": "div.head-line h1 span.title, h1#title, div.h-title",
        "dateline": "div.header-time, div.info span.time, span.h-time",
        "source": "div.header-cont div.source, div.info span.sourceText, em#source",
        "body": "#detailContent, #p-detail",
        "credits": "span.editor, span.p-jc",
        "crumbs": "div.header-nav, div.news-position, div.crumbs, span.daohang",
    }

    @field_method("published", None)
    def published(self) -> FoundDate | None:
        dateline = self.text_of("dateline")
        if not dateline:
            return super().published()
        split = _SPLIT_DATELINE.match(dateline)
        if split:
            found = first_date(f"{split['y']}-{split['m']}-{split['d']} {split['t']}")
            return FoundDate(iso=found.iso, raw=dateline, precision=found.precision) if found else None
        return first_date(dateline) or super().published()

    @field_method("source", None)
    def source(self) -> str | None:
        text = self.text_of("source")
        if text:
            return labels.find_source(text) or text
        return super().source()

    @field_method("authors", list)
    def authors(self) -> list[str]:
        return labels.find_authors(self.text_of("credits") or "") or super().authors()

    @field_method("editors", list)
    def editors(self) -> list[str]:
        return labels.find_editors(self.text_of("credits") or "") or super().editors()

    @field_method("breadcrumbs", list)
    def breadcrumbs(self) -> list[str]:
        """The nav path's link texts; empty links (logos, placeholders) are not crumbs."""
        trail = self.first("crumbs")
        if trail is None:
            return super().breadcrumbs()
        return crumb_texts(trail)
