"""Keeping the search index current: per stored batch, and rebuilt from scratch.

Part of the write side: :func:`models.store.store_batch` calls :func:`index_articles` in
the transaction that stored the articles, so an article is searchable exactly when it is
committed; the read side (:mod:`archive.search`) only queries the tables. The index holds
the normalised title and body (:mod:`models.tokens`) plus two token sets, all tokens
and title tokens (the latter lets search rank title hits without testing every
candidate's title): in contentless FTS5 tables on SQLite (a deletion must repeat the
tokens inserted, which are recomputed from the stored normalised text), on PostgreSQL as
GIN-indexed arrays of 32-bit token codes (:func:`models.tokens.token_codes`), sent in
PostgreSQL's binary array format (:mod:`models.pg_arrays`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from sqlalchemy import delete, func, insert, select, text
from sqlalchemy.orm import Session

from archive.index_tables import FTS_TABLE, GIN_INDEX, TITLE_FTS_TABLE, TITLE_GIN_INDEX, article_search
from models.pg_arrays import Int4Array, send_int_arrays
from models.repository import one_of
from models.tokens import normalise, text_tokens, token_code_array
from models.schema import Article

#: Articles indexed per statement batch by :func:`rebuild`.
REBUILD_BATCH = 2000
#: PostgreSQL memory for building the GIN indexes in :func:`rebuild` (for that transaction only).
GIN_BUILD_MEMORY = "256MB"

_Row = dict[str, object]
#: (GIN index, column) pairs on PostgreSQL.
_GIN_INDEXES = ((GIN_INDEX, "tokens"), (TITLE_GIN_INDEX, "title_tokens"))


def index_articles(session: Session, article_ids: list[int]) -> None:
    """(Re)index these articles from their current text; ids of deleted articles are dropped."""
    ids = sorted(set(article_ids))
    if not ids:
        return
    rows = session.execute(
        select(Article.id, Article.title_simplified, Article.body_simplified).where(one_of(session, Article.id, ids))
    ).all()
    _remove(session, ids)
    _insert(session, _normalised(rows))


def rebuild(session: Session, progress: Callable[[int, int], None] | None = None) -> int:
    """Drop the whole index and index every article again; returns how many were indexed.

    For after a tokenizer change, a restore, or articles deleted by hand.
    """
    sqlite = _is_sqlite(session)
    if sqlite:
        for table in (FTS_TABLE, TITLE_FTS_TABLE):
            session.execute(text(f"INSERT INTO {table}({table}) VALUES ('delete-all')"))
    else:  # building a GIN index once is far faster than updating it row by row
        for index, _ in _GIN_INDEXES:
            session.execute(text(f"DROP INDEX {index}"))
    session.execute(delete(article_search))
    total = session.scalar(select(func.count(Article.id))) or 0
    done, last_id = 0, 0
    while batch := session.execute(
        select(Article.id, Article.title_simplified, Article.body_simplified)
        .where(Article.id > last_id)
        .order_by(Article.id)
        .limit(REBUILD_BATCH)
    ).all():
        _insert(session, _normalised(batch))
        done, last_id = done + len(batch), batch[-1][0]
        if progress:
            progress(done, total)
    if sqlite:  # merge the many small segments of a bulk load: fewer pages per lookup
        for table in (FTS_TABLE, TITLE_FTS_TABLE):
            session.execute(text(f"INSERT INTO {table}({table}) VALUES ('optimize')"))
    else:  # a GIN build sorts its entries in this memory (the default, 64 MB, spills to disk)
        session.execute(text(f"SET LOCAL maintenance_work_mem = '{GIN_BUILD_MEMORY}'"))
        for index, column in _GIN_INDEXES:
            session.execute(text(f"CREATE INDEX {index} ON article_search USING gin ({column})"))
    return done


def _normalised(rows: Iterable[tuple[int, str | None, str | None]]) -> list[_Row]:
    return [{"article_id": id_, "title": normalise(title), "body": normalise(body)} for id_, title, body in rows]


def _is_sqlite(session: Session) -> bool:
    return session.get_bind().dialect.name == "sqlite"


def _token_sets(row: _Row) -> tuple[set[str], set[str]]:
    """(all tokens, title tokens) of an index row."""
    title = text_tokens(str(row["title"]))
    return title | text_tokens(str(row["body"])), title


def _fts_rows(rows: Iterable[_Row]) -> tuple[list[tuple[int, str]], list[tuple[int, str]]]:
    """(rowid, space-separated tokens) for the all-tokens and the title FTS5 tables."""
    everything, titles = [], []
    for row in rows:
        tokens, title = _token_sets(row)
        everything.append((row["article_id"], " ".join(tokens)))
        titles.append((row["article_id"], " ".join(title)))
    return everything, titles


def _remove(session: Session, ids: list[int]) -> None:
    if _is_sqlite(session):
        old = session.execute(
            select(article_search.c.article_id, article_search.c.title, article_search.c.body).where(
                article_search.c.article_id.in_(ids)
            )
        ).mappings()
        _write_fts(session, _fts_rows(old), delete=True)
    session.execute(delete(article_search).where(one_of(session, article_search.c.article_id, ids)))


def _insert(session: Session, rows: list[_Row]) -> None:
    if not rows:
        return
    if _is_sqlite(session):
        session.execute(insert(article_search), rows)
        _write_fts(session, _fts_rows(rows))
        return
    for row in rows:
        tokens, title = _token_sets(row)
        row["tokens"], row["title_tokens"] = Int4Array(token_code_array(tokens)), Int4Array(token_code_array(title))
    send_int_arrays(session)
    session.execute(
        text(
            "INSERT INTO article_search (article_id, title, body, tokens, title_tokens) "
            "VALUES (:article_id, :title, :body, :tokens, :title_tokens)"
        ),
        rows,
    )


def _write_fts(
    session: Session, fts_rows: tuple[list[tuple[int, str]], list[tuple[int, str]]], delete: bool = False
) -> None:
    """Insert (or delete) rows of both FTS5 tables, straight through the driver:
    SQLAlchemy's per-row parameter handling would cost more than FTS5 itself."""
    connection = session.connection()
    for table, values in zip((FTS_TABLE, TITLE_FTS_TABLE), fts_rows):
        if values:
            statement = (
                f"INSERT INTO {table}({table}, rowid, tokens) VALUES ('delete', ?, ?)"
                if delete
                else f"INSERT INTO {table}(rowid, tokens) VALUES (?, ?)"
            )
            connection.exec_driver_sql(statement, values)
