"""Keeping the search index current: per stored batch, and rebuilt from scratch.

The store pipeline calls :func:`index_articles` in the transaction that stored the
articles, so an article is searchable exactly when it is committed. The index holds
the normalised title and body (:mod:`archive.tokenize`) plus their tokens: in a
contentless FTS5 table on SQLite (a deletion must repeat the tokens inserted, which are
recomputed from the stored normalised text), in a GIN-indexed tsvector on PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import delete, func, insert, select, text
from sqlalchemy.orm import Session

from archive.index_tables import FTS_TABLE, GIN_INDEX, article_search
from archive.tokenize import normalise, text_tokens
from models.schema import Article

#: Articles indexed per statement batch by :func:`rebuild`.
REBUILD_BATCH = 1000

_Row = dict[str, object]


def index_articles(session: Session, article_ids: list[int]) -> None:
    """(Re)index these articles from their current text; ids of deleted articles are dropped."""
    ids = sorted(set(article_ids))
    if not ids:
        return
    rows = [
        {"article_id": id_, "title": normalise(title), "body": normalise(body)}
        for id_, title, body in session.execute(
            select(Article.id, Article.title_simplified, Article.body_simplified).where(Article.id.in_(ids))
        )
    ]
    _remove(session, ids)
    _insert(session, rows)


def rebuild(session: Session, progress: Callable[[int, int], None] | None = None) -> int:
    """Drop the whole index and index every article again; returns how many were indexed.

    For after a tokenizer change, a restore, or articles deleted by hand.
    """
    if _is_sqlite(session):
        session.execute(text(f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES ('delete-all')"))
    else:  # building a GIN index once is far faster than updating it row by row
        session.execute(text(f"DROP INDEX {GIN_INDEX}"))
    session.execute(delete(article_search))
    total = session.scalar(select(func.count(Article.id))) or 0
    done, last_id = 0, 0
    while True:
        batch = session.execute(
            select(Article.id, Article.title_simplified, Article.body_simplified)
            .where(Article.id > last_id)
            .order_by(Article.id)
            .limit(REBUILD_BATCH)
        ).all()
        if not batch:
            if not _is_sqlite(session):
                session.execute(text(f"CREATE INDEX {GIN_INDEX} ON article_search USING gin (tokens)"))
            return done
        _insert(session, [{"article_id": i, "title": normalise(t), "body": normalise(b)} for i, t, b in batch])
        done, last_id = done + len(batch), batch[-1][0]
        if progress:
            progress(done, total)


def _is_sqlite(session: Session) -> bool:
    return session.get_bind().dialect.name == "sqlite"


def _tokens(row: _Row) -> list[str]:
    return text_tokens(str(row["title"]), str(row["body"]))


def _remove(session: Session, ids: list[int]) -> None:
    if _is_sqlite(session):
        old = session.execute(
            select(article_search.c.article_id, article_search.c.title, article_search.c.body).where(
                article_search.c.article_id.in_(ids)
            )
        ).mappings()
        deletions = [{"id": row["article_id"], "tokens": " ".join(_tokens(row))} for row in old]
        if deletions:
            session.execute(
                text(f"INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, tokens) VALUES ('delete', :id, :tokens)"),
                deletions,
            )
    session.execute(delete(article_search).where(article_search.c.article_id.in_(ids)))


def _insert(session: Session, rows: list[_Row]) -> None:
    if not rows:
        return
    if _is_sqlite(session):
        session.execute(insert(article_search), rows)
        session.execute(
            text(f"INSERT INTO {FTS_TABLE}(rowid, tokens) VALUES (:id, :tokens)"),
            [{"id": row["article_id"], "tokens": " ".join(_tokens(row))} for row in rows],
        )
    else:
        session.execute(
            text(
                "INSERT INTO article_search (article_id, title, body, tokens) "
                "VALUES (:article_id, :title, :body, array_to_tsvector(CAST(:tokens AS text[])))"
            ),
            [{**row, "tokens": _tokens(row)} for row in rows],
        )
