"""The one write path: store a batch of article and capture items in the caller's transaction.

Why one function: every writer (the crawl's store pipeline, the distributed store, a
spool replay, ``newsarchive reparse``) must apply the same steps in the same order, or
the archive drifts — an article stored by one path without its near-copy links or with a
stale search row. :func:`store_batch` is that order:

1. take the writer's turn (:func:`~models.repository.lock_for_writing`), since identity
   is decided on what is stored;
2. captures first (:func:`~models.repository.store_captures`), so versions link to their pages;
3. articles by the identity rules (:mod:`models.repository`): new, changed, unchanged or
   duplicate (script mirrors included, :mod:`models.mirrors`); ``reparsed=True`` counts a
   change in any field as a new version;
4. near copies (:mod:`models.near_copies`): new and changed texts enter the band index,
   replaced texts leave it, copies are clustered;
5. the search index (:mod:`models.search_index`) for every article whose displayed text
   changed, so an article is searchable exactly when it is committed.

Before any of that, every item is made storable (:mod:`models.storable`): bad characters
removed, over-long values left out, each with a problem recorded; an item that still
cannot be stored (its own URL too long) is quarantined with the reason
(:mod:`models.safekeeping`) instead of failing the batch.

It never commits: the caller owns the transaction (one per batch) and retries, splits or
spools it. No Scrapy here; stats, when given, are anything with ``inc_value``.
"""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from crawler.cpu import cpu_time
from crawler.items import Article as ArticleItem
from crawler.items import Capture as CaptureItem
from models.mirrors import MirrorFinder
from models.near_copies import NearDuplicateLinker, NearMatch
from models.repository import KnownNames, StoreOutcome, lock_for_writing, store_articles, store_captures, store_reparsed
from models.safekeeping import quarantine
from models.search_index import index_articles
from models.storable import make_storable


@dataclass(slots=True)
class StoreResult:
    """What one :func:`store_batch` did: an outcome per stored article item (in order), the
    near copies found, how many captures were stored, what was quarantined."""

    outcomes: list[StoreOutcome] = field(default_factory=list)
    near: list[NearMatch] = field(default_factory=list)
    captures: int = 0
    #: Items refused before the database saw them, with why (now in the quarantine).
    quarantined: list[tuple[ArticleItem | CaptureItem, str]] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        """Stats increments: ``articles/<outcome>``, ``articles/near_duplicate`` (articles
        found to be copies), ``captures/stored`` and ``store/quarantined``."""
        counted: dict[str, int] = {}
        for outcome in self.outcomes:
            key = f"articles/{outcome.outcome}"
            counted[key] = counted.get(key, 0) + 1
        counted["articles/near_duplicate"] = len({m.article_id for m in self.near})
        counted["captures/stored"] = self.captures
        if self.quarantined:
            counted["store/quarantined"] = len(self.quarantined)
        return counted


def store_batch(
    session: Session,
    articles: Sequence[ArticleItem],
    captures: Sequence[CaptureItem],
    *,
    reparsed: bool = False,
    names: KnownNames | None = None,
    linker: NearDuplicateLinker | None = None,
    stats: Any = None,
) -> StoreResult:
    """Store ``captures`` and ``articles`` in ``session``'s open transaction (see the module).

    ``names`` carries site and person ids across batches of one long-lived writer (forget
    them after a rolled-back transaction); ``linker`` sets the near-copy threshold;
    ``stats`` receives CPU seconds per step (:mod:`crawler.cpu`: ``store_captures``,
    ``store_articles``, ``near_duplicates``, ``search_index``).
    """
    refused: list[tuple[ArticleItem | CaptureItem, str]] = []
    captures = [item for item in captures if _storable(item, refused)]
    articles = [item for item in articles if _storable(item, refused)]
    linker = linker or NearDuplicateLinker()

    def step(name: str) -> AbstractContextManager[None]:
        return nullcontext() if stats is None else cpu_time(stats, name)

    lock_for_writing(session)
    quarantine(session, refused)
    with step("store_captures"):
        store_captures(session, captures)
    with step("store_articles"):
        outcomes = (store_reparsed(session, articles, MirrorFinder) if reparsed
                    else store_articles(session, articles, names, MirrorFinder))
    with step("near_duplicates"):
        near = linker.link(session, articles, outcomes)
    with step("search_index"):
        index_articles(session, [o.article_id for o in outcomes if o.stores_text])
    return StoreResult(outcomes, near, len(captures), refused)


def _storable(item: ArticleItem | CaptureItem, refused: list[tuple[ArticleItem | CaptureItem, str]]) -> bool:
    """Make ``item`` storable; when it cannot be, add it to ``refused`` with the reason."""
    reason = make_storable(item)
    if reason is not None:
        refused.append((item, reason))
    return reason is None
