"""Full-text search over the archive: the same hits, in the same order, on SQLite and PostgreSQL.

Ranking uses only what both databases compute identically: articles with more of the
terms in their title first, then the newest. (bm25 and ts_rank disagree, and an
archivist comparing a laptop copy with the server must see the same list.)
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Integer, case, literal, select
from sqlalchemy.orm import Session

from archive.filters import Filters, contains, select_articles
from archive.index_tables import article_search
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
    dialect = session.get_bind().dialect.name
    title_hits = sum(
        (case((contains(article_search.c.title, term.needle, dialect), 1), else_=0) for term in filters.query.required),
        literal(0, Integer),
    )
    statement = select_articles(
        session,
        filters,
        Article.id,
        Article.title,
        Article.published_at,
        Site.name,
        Article.canonical_url,
    ).order_by(title_hits.desc(), Article.published_at.desc().nulls_last(), Article.id.desc())
    rows = session.execute(statement.limit(limit)).all()
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
