"""Second stage: give every text its Simplified twin and the article the URL it is shown under.

Matching (dedup, search) works on the OpenCC t2s Simplified forms so that a Traditional
copy meets its Simplified original; display keeps the text as published.
"""

from __future__ import annotations

from typing import Any

from crawler.cpu import cpu_time
from crawler.items import Article
from crawler.parsing.chinese import detect_script, to_simplified
from crawler.parsing.urls import shown_url
from models.storable import remove_bad_characters

TEXT_FIELDS = ("title", "pretitle", "subtitle", "original_title", "source", "body")
LIST_FIELDS = ("authors", "editors", "breadcrumbs")


class NormalisePipeline:
    """Stats: CPU seconds in ``newsarchive/cpu_s/normalise`` (see :mod:`crawler.cpu`)."""

    def __init__(self, stats: Any) -> None:
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler: Any) -> NormalisePipeline:
        return cls(crawler.stats)

    def process_item(self, item: Any, spider: Any = None) -> Any:
        if isinstance(item, Article):
            with cpu_time(self.stats, "normalise"):
                normalise(item)
        return item


def normalise(article: Article) -> Article:
    """Fill ``simplified``, ``script`` and ``canonical_url`` (idempotent); first remove the
    characters no text may hold (NUL, unpaired surrogates: OpenCC cannot even read them).

    ``canonical_url`` is the URL the archive shows: the page's own rel=canonical or the
    URL that served it, cleaned (:func:`shown_url`); identity folds it further."""
    remove_bad_characters(article)
    article.canonical_url = shown_url(article.canonical_url or article.url)
    simplified: dict[str, Any] = {}
    for name in TEXT_FIELDS:
        value = getattr(article, name)
        simplified[name] = to_simplified(value) if value else value
    for name in LIST_FIELDS:
        simplified[name] = [to_simplified(v) for v in getattr(article, name)]
    article.simplified = simplified
    sample = " ".join(filter(None, (article.title, article.body[:2000])))
    if sample:
        article.script = detect_script(sample)
    return article
