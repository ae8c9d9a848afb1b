"""Full-text search over the archive: the same hits, in the same order, on SQLite and PostgreSQL.

Ranking uses only what both databases compute identically: articles with more of the
terms in their title first, then the newest. (bm25 and ts_rank disagree, and an
archivist comparing a laptop copy with the server must see the same list.)
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, Integer, Row, case, func, literal, not_, or_, select
from sqlalchemy.orm import Session

from archive.filters import Filters, TokenPlan, in_title, matches_many, select_articles
from archive.snippet import match_pattern, snippet
from models.schema import Article, Site

DEFAULT_LIMIT = 20


@dataclass(frozen=True, slots=True)
class Hit:
    """One result; ``snippet`` is published text and ``highlights`` its matched (start, end) spans."""

    article_id: int
    title: str | None
    published_at: datetime | None
    site: str
    url: str
    snippet: str
    highlights: list[tuple[int, int]]


def search(session: Session, filters: Filters, limit: int = DEFAULT_LIMIT) -> list[Hit]:
    """The best ``limit`` matches of ``filters.query`` within the filters (newest first when
    the query is empty)."""
    rows = _ranked_rows(session, filters, limit)
    # Bodies are read only for the page of hits, not carried through the sort.
    bodies = dict(
        (id_, (body, simplified))
        for id_, body, simplified in session.execute(
            select(Article.id, Article.body, Article.body_simplified).where(Article.id.in_([row[0] for row in rows]))
        )
    )
    pattern = match_pattern(term.runs for term in filters.query.required)
    hits = []
    for id_, title, published_at, site, url in rows:
        text, spans = snippet(*bodies[id_], pattern)
        hits.append(Hit(id_, title, published_at, site, url, text, spans))
    return hits


def _ranked_rows(session: Session, filters: Filters, limit: int) -> list[Row]:
    """The page of (id, title, published_at, site, url) in rank order, in two steps so
    that no step scores every candidate (a 1-character term matches most articles):
    first the articles with a title hit, found through the title index and ranked by
    their number of title hits; then, if the page is not full, the rest newest first:
    read from the date index, stopping when the page is full, if many articles match
    (:func:`archive.filters.matches_many`), else by sorting the few matches."""
    dialect = session.get_bind().dialect.name
    newest = (Article.published_at.desc().nulls_last(), Article.id.desc())

    def page(
        *conditions: ColumnElement[bool], order: tuple[ColumnElement[object], ...], size: int, plan: TokenPlan
    ) -> list[Row]:
        statement = select_articles(session, filters, *_HIT_COLUMNS, plan=plan)
        return list(session.execute(statement.where(*conditions).order_by(*order).limit(size)).all())

    if not filters.query.required:
        return page(order=newest, size=limit, plan="list")
    titled = [in_title(term, dialect) for term in filters.query.required]
    title_hits = sum((case((found, 1), else_=0) for found in titled), literal(0, Integer))
    rows = page(or_(*titled), order=(title_hits.desc(), *newest), size=limit, plan="filter")
    if len(rows) < limit:
        if matches_many(session, filters):  # walk the date index, testing articles until the page is full
            rows += page(not_(or_(*titled)), order=newest, size=limit - len(rows), plan="probe")
        else:  # read the few matches and sort them; coalesce(x, NULL) keeps the order but hides the date index
            in_order = (func.coalesce(Article.published_at, None).desc().nulls_last(), Article.id.desc())
            rows += page(not_(or_(*titled)), order=in_order, size=limit - len(rows), plan="list")
    return rows


_HIT_COLUMNS = (Article.id, Article.title, Article.published_at, Site.name, Article.canonical_url)
