"""Full-text search over the archive: the same hits, in the same order, on SQLite and PostgreSQL.

Ranking uses only what both databases compute identically: articles with more of the
terms in their title first, then the newest. (bm25 and ts_rank disagree, and an
archivist comparing a laptop copy with the server must see the same list.) Results come
a page at a time (``offset``/``limit``) with the total, sorted by relevance or by date.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy import ColumnElement, Integer, Row, Select, case, func, literal, not_, or_, select
from sqlalchemy.orm import Session

from archive.char_months import month_counts
from archive.filters import (Filters, count_by_tokens, count_plan, date_order_plan, in_title, index_scans,
                             reads_search_row, select_articles)
from archive.query import Query
from archive.snippet import match_pattern, snippet
from archive.times import in_article_zone
from models.schema import Article, Site

DEFAULT_LIMIT = 20
#: Orders a search can be sorted in; ``relevance`` is newest first for a query without words.
SORTS = ("relevance", "newest", "oldest")


@dataclass(frozen=True, slots=True)
class Hit:
    """One result; ``snippet`` is published text and ``highlights`` its matched (start, end) spans;
    ``published_at`` is in the article's zone (:mod:`archive.times`)."""

    article_id: int
    title: str | None
    published_at: datetime | None
    site: str
    url: str
    snippet: str
    highlights: list[tuple[int, int]]
    #: ``day``, ``minute`` or ``second``: how much of ``published_at`` the page gave.
    published_precision: str | None = None


@dataclass(frozen=True, slots=True)
class SearchPage:
    """One page of hits: ``hits`` are matches ``offset + 1`` to ``offset + len(hits)`` of ``total``."""

    hits: list[Hit]
    total: int
    offset: int
    limit: int

    @property
    def first(self) -> int:
        """1-based position of the first hit shown (0 when none is)."""
        return self.offset + 1 if self.hits else 0

    @property
    def last(self) -> int:
        return self.offset + len(self.hits)

    @property
    def more(self) -> bool:
        return self.last < self.total


def search_page(
    session: Session, filters: Filters, limit: int = DEFAULT_LIMIT, offset: int = 0, sort: str = "relevance"
) -> SearchPage:
    """The hits ``offset`` to ``offset + limit`` and how many there are in all."""
    return SearchPage(search(session, filters, limit, offset, sort), count(session, filters), offset, limit)


def count(session: Session, filters: Filters, *conditions: ColumnElement[bool]) -> int:
    """How many articles match ``filters`` (query included) and ``conditions``: for one
    character from the index's month rollup (:mod:`archive.char_months`), else from the
    token index alone where it decides (:func:`archive.filters.count_by_tokens`)."""
    if not conditions and (months := month_counts(session, filters)) is not None:
        return sum(n for _, n in months)
    if not conditions and (counted := count_by_tokens(session, filters)) is not None:
        return counted
    plan = count_plan(session, filters)
    matched = select_articles(session, filters, Article.id, plan=plan, site=False).where(*conditions).subquery()
    with index_scans(session):
        return session.scalar(select(func.count()).select_from(matched)) or 0


def search(
    session: Session, filters: Filters, limit: int = DEFAULT_LIMIT, offset: int = 0, sort: str = "relevance"
) -> list[Hit]:
    """Matches ``offset`` to ``offset + limit`` of ``filters.query`` within the filters, in
    ``sort`` order (:data:`SORTS`; relevance is newest first when the query has no words)."""
    if sort not in SORTS:
        raise ValueError(f"unknown sort {sort!r}: use one of {', '.join(SORTS)}")
    rows = _ranked_rows(session, filters, limit, offset, sort)
    # Bodies are read only for the page of hits, not carried through the sort.
    bodies = dict(
        (id_, (body, simplified))
        for id_, body, simplified in session.execute(
            select(Article.id, Article.body, Article.body_simplified).where(Article.id.in_([row[0] for row in rows]))
        )
    )
    pattern = match_pattern(term.runs for term in filters.query.wanted)
    hits = []
    for id_, title, published_at, site, url, precision in rows:
        text, spans = snippet(*bodies[id_], pattern)
        hits.append(Hit(id_, title, in_article_zone(published_at), site, url, text, spans, precision))
    return hits


_ORDERS = {
    "newest": (Article.published_at.desc().nulls_last(), Article.id.desc()),
    "oldest": (Article.published_at.asc().nulls_last(), Article.id.asc()),
}
#: The same orders through ``coalesce(x, NULL)``: same result, but it hides the date index
#: from the planner, so a few matches are read and sorted instead of walking every date.
_SORTED_ORDERS = {
    "newest": (func.coalesce(Article.published_at, None).desc().nulls_last(), Article.id.desc()),
    "oldest": (func.coalesce(Article.published_at, None).asc().nulls_last(), Article.id.asc()),
}


def _ranked_rows(session: Session, filters: Filters, limit: int, offset: int, sort: str) -> list[Row]:
    """The page of (id, title, published_at, site, url, precision) in order, in two steps for relevance
    so that no step scores every candidate (a 1-character term matches most articles):
    first the articles with a title hit, found through the title index and ranked by
    their number of title hits; then, if the page is not full, the rest newest first."""
    dialect = session.get_bind().dialect.name
    query = filters.query
    if sort != "relevance" or not query.groups:
        return _by_date(session, filters, "oldest" if sort == "oldest" else "newest", offset, limit)
    titled = or_(*(or_(*(in_title(term, dialect) for term in group)) for group in query.groups))
    rows = list(session.execute(_title_hits(session, filters, *_HIT_COLUMNS).offset(offset).limit(limit)))
    if len(rows) < limit:
        # The rest start after the last title hit: at 0 when this page holds title hits.
        skip = 0 if rows or not offset else max(0, offset - _count_title_hits(session, filters))
        rows += _by_date(session, filters, "newest", skip, limit - len(rows), not_(titled))
    return rows


def _title_hits(session: Session, filters: Filters, *columns: object) -> Select:
    """The matches with a title hit, most title hits first, then newest first.

    A query of one term (or one ``OR`` group) is matched by any article whose title holds
    it, so only the title index is read: the list of every article holding a common
    character (most of the archive) is not built just to confirm what the title says. With
    one group every title hit counts the same, so the order is by date alone."""
    dialect = session.get_bind().dialect.name
    query = filters.query
    titles = [or_(*(in_title(term, dialect) for term in group)) for group in query.groups]
    if len(titles) == 1:
        rest = replace(filters, query=Query(excluded=query.excluded))
        statement = select_articles(session, rest, *columns, search_row=reads_search_row(query, dialect))
        return statement.where(titles[0]).order_by(*_ORDERS["newest"])
    title_hits = sum((case((title, 1), else_=0) for title in titles), literal(0, Integer))
    statement = select_articles(session, filters, *columns, plan="filter").where(or_(*titles))
    return statement.order_by(title_hits.desc(), *_ORDERS["newest"])


def _count_title_hits(session: Session, filters: Filters) -> int:
    matched = _title_hits(session, filters, Article.id).order_by(None).subquery()
    return session.scalar(select(func.count()).select_from(matched)) or 0


def _by_date(
    session: Session, filters: Filters, order: str, offset: int, limit: int, *conditions: ColumnElement[bool]
) -> list[Row]:
    """Matches in date order: read from the date index, stopping when the page is full, where
    matches are dense enough (:func:`archive.filters.date_order_plan`); else by sorting them."""
    plan, walk = date_order_plan(session, filters)
    orders = _ORDERS if walk else _SORTED_ORDERS
    statement = select_articles(session, filters, *_HIT_COLUMNS, plan=plan).where(*conditions)
    return list(session.execute(statement.order_by(*orders[order]).offset(offset).limit(limit)))


_HIT_COLUMNS = (Article.id, Article.title, Article.published_at, Site.name, Article.canonical_url,
                Article.published_precision)
