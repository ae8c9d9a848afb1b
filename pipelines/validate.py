"""First stage: check each article and record what is missing — never drop one.

A page without a dateline, with a broken encoding or a truncated body is still an
article worth keeping; it is stored with what could be read and its problems listed,
so an operator can see why and a later parser fix can repair it from the raw capture.

Setting: ``NEWSARCHIVE_MIN_BODY_CHARS`` (see :mod:`crawler.default_settings`).
"""

from __future__ import annotations

from typing import Any

from crawler.default_settings import default, read
from crawler.items import Article


class ValidatePipeline:
    def __init__(self, stats: Any, min_body_chars: int):
        self.stats = stats
        self.min_body_chars = min_body_chars

    @classmethod
    def from_crawler(cls, crawler: Any) -> ValidatePipeline:
        return cls(crawler.stats, read(crawler.settings, "NEWSARCHIVE_MIN_BODY_CHARS"))

    def process_item(self, item: Any, spider: Any = None) -> Any:
        if not isinstance(item, Article):
            return item
        check(item, self.min_body_chars)
        for problem in item.problems:
            self.stats.inc_value(f"newsarchive/problems/{problem.kind}")
        return item


def check(article: Article, min_body_chars: int = default("NEWSARCHIVE_MIN_BODY_CHARS")) -> Article:
    """Add a problem for each missing essential field (idempotent)."""
    if not article.title:
        article.add_problem("no_title", "no headline found on the page", "title")
    if not article.published_at:
        article.add_problem("no_date", "no dateline and no date meta tag found", "published_at")
    body_chars = len("".join(article.body.split()))
    if body_chars == 0:
        article.add_problem("no_body", "no article text found", "body")
    elif body_chars < min_body_chars:
        article.add_problem(
            "short_body", f"body has only {body_chars} characters (< {min_body_chars}): truncated?", "body"
        )
    return article
