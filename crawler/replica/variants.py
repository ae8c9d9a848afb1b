"""Named variations of the replica site, applied after the normal site is built.

A variant is a function that edits a freshly built :class:`~crawler.replica.site.ReplicaSite`
in place: it may add or replace pages (``site.pages[path] = page`` or
``site.pages.defer(path, maker)``), add ground truth to ``site.articles`` and record
non-articles or dead links. Keeping each variant a small function here means new test
scenarios (mirror hosts, tracking parameters, syndication, corrections, broken
templates) never touch the normal build. Variants must draw randomness only from
``random.Random(f"{site.seed}:{name}")`` so they stay deterministic.
"""

from __future__ import annotations

import itertools
import random
import re
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime

from crawler.replica.channel_lists import move_to_old_urls, spread_over_nested_lists
from crawler.replica.refusals import TOO_FREQUENT
from crawler.replica.rewrite import edit_article
from crawler.replica.site import ReplicaSite, http_date

#: The editors line of both article templates (``<div class="edit …">(责编：…)</div>``).
_EDITORS_LINE = re.compile(rb'<div class="edit[^"]*">.*?</div>\n?', re.DOTALL)


def normal(site: ReplicaSite) -> None:
    """The site as built: no changes."""


def broken_template(site: ReplicaSite) -> None:
    """A template change that loses a field: the editors line vanished from every article
    page (the health checks must notice the coverage drop)."""
    for article in site.articles:
        for path in article.paths:
            page = site.pages[path]
            site.pages[path] = replace(page, body=_EDITORS_LINE.sub(b"", page.body))
        article.editors = []


#: Article links on list pages (``<a href='/n2/…html'``), not yet carrying a query.
_LIST_ARTICLE_LINK = re.compile(rb"href='(/n[12]/[^'?]+\.html)'")
#: What share-buttons and timelines append to links; none of it names another page.
TRACKING_QUERIES = (b"?from=timeline&spm=C73544894212.P59511941341.0.0", b"?from=singlemessage&isappinstalled=0")
#: Sentence a corrected article gains at the end of its first paragraph.
CORRECTION = "（此文有更正：原文数据有误，现已更正。）"
#: When the corrections were made: after every replica article's publication.
CORRECTED_AT = datetime(2020, 6, 15, 9, 0)


def tracking_links(site: ReplicaSite) -> None:
    """List pages link every article with a share/timeline tracking query appended (the
    same pages, so a crawl must find no new article, only new aliases)."""
    for path in site.list_pages:
        page = site.pages[path]
        queries = itertools.cycle(TRACKING_QUERIES)
        body = _LIST_ARTICLE_LINK.sub(lambda m: b"href='" + m[1] + next(queries) + b"'", page.body)
        site.pages[path] = replace(page, body=body)


def corrected(site: ReplicaSite) -> None:
    """The site after corrections: every 8th single-page article (not mirrored in
    Traditional, whose mirror would still show the old text) has a changed first
    paragraph and a newer ``Last-Modified``; the ground truth has the new text."""
    mirrored = {m.mirror_of for m in site.mirrors}
    eligible = [
        i for i, a in enumerate(site.articles)
        if a.mirror_of is None and a.pages == 1 and a.kind == "article" and a.path not in mirrored
    ]
    rng = random.Random(f"{site.seed}:corrected")
    for index in sorted(rng.sample(eligible, max(1, len(eligible) // 8))):
        paragraphs = site.articles[index].body.split("\n")
        paragraphs[0] += CORRECTION
        edit_article(site, index, paragraphs)
        page = site.pages[site.articles[index].path]
        site.pages[site.articles[index].path] = replace(
            page, headers={**page.headers, "Last-Modified": http_date(CORRECTED_AT)}
        )


def nested_lists(site: ReplicaSite) -> None:
    """The articles spread over the column list, nested city lists (reached through the city
    hub) and the home page's own pager, with fragments on links; crawl from ``/``."""
    spread_over_nested_lists(site)


def old_urls(site: ReplicaSite) -> None:
    """Every third single-page article served and linked at the pre-2015 ``/n/…`` URL form."""
    move_to_old_urls(site)


def blocked(site: ReplicaSite) -> None:
    """The site refuses the crawler: every article page answers 200 with a 访问过于频繁 page
    (list pages still load, as on a site that limits article fetches). Nothing is an article."""
    for article in site.articles:
        for path in article.paths:
            site.pages[path] = TOO_FREQUENT
    site.articles = []


#: Variant name → function editing the built site; ``build_site(variant=name)`` looks here.
VARIANTS: dict[str, Callable[[ReplicaSite], None]] = {
    "normal": normal,
    "broken_template": broken_template,
    "tracking_links": tracking_links,
    "corrected": corrected,
    "nested_lists": nested_lists,
    "old_urls": old_urls,
    "blocked": blocked,
}
