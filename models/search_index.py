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

Beside them, :data:`~archive.index_tables.char_months` counts the articles holding each
CJK character per month, changed by what each batch adds and removes: a removed row is
subtracted under the month it was counted in (:data:`~archive.index_tables.indexed_months`),
since its article's date may have changed since.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Sequence

from sqlalchemy import ColumnElement, Connection, Row, Select, bindparam, delete, func, insert, select, text
from sqlalchemy.dialects import sqlite
from sqlalchemy.orm import Session

from archive.index_tables import (FTS_TABLE, GIN_INDEX, TITLE_FTS_TABLE, TITLE_GIN_INDEX, UNDATED, article_search,
                                  char_months, indexed_months)
from archive.times import date_label
from models.pg_arrays import Int4Array, send_int_arrays
from models.repository import one_of
from models.tokens import cjk_characters, normalise, text_tokens, token_code_array
from models.schema import Article

#: Articles indexed per statement batch by :func:`rebuild`.
REBUILD_BATCH = 2000
#: PostgreSQL memory for building the GIN indexes in :func:`rebuild` (for that transaction only).
GIN_BUILD_MEMORY = "256MB"
#: Most (character, month) counts :func:`rebuild` holds before writing them (bounded memory).
MONTH_COUNTS_HELD = 200_000

_Row = dict[str, object]
#: Articles per (character, month), to add to :data:`~archive.index_tables.char_months`.
MonthCounts = Counter[tuple[str, str]]
#: (GIN index, column) pairs on PostgreSQL.
_GIN_INDEXES = ((GIN_INDEX, "tokens"), (TITLE_GIN_INDEX, "title_tokens"))


def index_articles(session: Session, article_ids: list[int]) -> None:
    """(Re)index these articles from their current text; ids of deleted articles are dropped."""
    ids = sorted(set(article_ids))
    if not ids:
        return
    rows = session.execute(_indexed_columns(session).where(one_of(session, Article.id, ids))).all()
    removed = _remove(session, ids)
    counts = _index(session, rows)
    counts.subtract(removed)
    count_months(session.connection(), counts)


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
    for table in (article_search, indexed_months, char_months):
        session.execute(delete(table))
    total = session.scalar(select(func.count(Article.id))) or 0
    done, last_id, counts = 0, 0, MonthCounts()
    while batch := session.execute(
        _indexed_columns(session).where(Article.id > last_id).order_by(Article.id).limit(REBUILD_BATCH)
    ).all():
        counts.update(_index(session, batch))
        if len(counts) > MONTH_COUNTS_HELD:
            count_months(session.connection(), counts)
            counts = MonthCounts()
        done, last_id = done + len(batch), batch[-1][0]
        if progress:
            progress(done, total)
    count_months(session.connection(), counts)
    if sqlite:  # merge the many small segments of a bulk load: fewer pages per lookup
        for table in (FTS_TABLE, TITLE_FTS_TABLE):
            session.execute(text(f"INSERT INTO {table}({table}) VALUES ('optimize')"))
    else:  # a GIN build sorts its entries in this memory (the default, 64 MB, spills to disk)
        session.execute(text(f"SET LOCAL maintenance_work_mem = '{GIN_BUILD_MEMORY}'"))
        for index, column in _GIN_INDEXES:
            session.execute(text(f"CREATE INDEX {index} ON article_search USING gin ({column})"))
    return done


def char_month_counts(rows: Iterable[tuple[str, str, str]]) -> MonthCounts:
    """Articles per (CJK character, month) among (normalised title, body, month) rows."""
    by_month: dict[str, Counter[str]] = {}
    for title, body, month in rows:  # counted per month first: no (character, month) pair made per article
        by_month.setdefault(month, Counter()).update(cjk_characters(title, body))
    return MonthCounts({(char, month): n for month, chars in by_month.items() for char, n in chars.items()})


def count_months(connection: Connection, counts: MonthCounts) -> None:
    """Add ``counts`` to :data:`~archive.index_tables.char_months` with one upsert, in key
    order (concurrent writers then lock rows in the same order), and drop the rows emptied."""
    changes = [{"token": token, "month": month, "articles": n} for (token, month), n in sorted(counts.items()) if n]
    if not changes:
        return
    if connection.dialect.name == "sqlite":
        upsert = sqlite.insert(char_months)
        connection.execute(upsert.on_conflict_do_update(
            index_elements=[char_months.c.token, char_months.c.month],
            set_={"articles": char_months.c.articles + upsert.excluded.articles},
        ), changes)
    else:  # three array parameters: no SQL text or parameter handling per row in the client
        connection.execute(text(
            "INSERT INTO article_search_char_month (token, month, articles) SELECT * FROM "
            "unnest(CAST(:tokens AS text[]), CAST(:months AS text[]), CAST(:articles AS integer[])) "
            "ON CONFLICT (token, month) DO UPDATE SET articles = article_search_char_month.articles + excluded.articles"
        ), {name: [c[key] for c in changes] for name, key in (("tokens", "token"), ("months", "month"),
                                                                ("articles", "articles"))})
    emptied = [{"key_token": c["token"], "key_month": c["month"]} for c in changes if c["articles"] < 0]
    if emptied:
        connection.execute(delete(char_months).where(
            char_months.c.token == bindparam("key_token"), char_months.c.month == bindparam("key_month"),
            char_months.c.articles <= 0,
        ), emptied)


def _indexed_columns(session: Session) -> Select:
    """What an article's index rows are made of: id, Simplified title and body, month (:func:`_month`)."""
    return select(Article.id, Article.title_simplified, Article.body_simplified, _month(session))


def _month(session: Session) -> ColumnElement[str]:
    """The article's month as the facets bucket it, :data:`~archive.index_tables.UNDATED` without a date."""
    return func.coalesce(date_label(session.get_bind().dialect.name, "month"), UNDATED)


def _index(session: Session, rows: Sequence[Row[tuple[int, str | None, str | None, str]]]) -> MonthCounts:
    """Index :func:`_indexed_columns` rows; returns their (character, month) counts."""
    if not rows:
        return MonthCounts()
    normalised = [{"article_id": id_, "title": normalise(title), "body": normalise(body)} for id_, title, body, _ in rows]
    _insert(session, normalised)
    session.execute(insert(indexed_months), [{"article_id": id_, "month": month} for id_, *_, month in rows])
    return char_month_counts((row["title"], row["body"], month) for row, (*_, month) in zip(normalised, rows))




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


def _remove(session: Session, ids: list[int]) -> MonthCounts:
    """Drop the index rows of ``ids``; returns the (character, month) counts they were counted in."""
    old = session.execute(
        select(article_search.c.article_id, article_search.c.title, article_search.c.body, indexed_months.c.month)
        .outerjoin(indexed_months, indexed_months.c.article_id == article_search.c.article_id)
        .where(one_of(session, article_search.c.article_id, ids))
    ).mappings().all()
    if _is_sqlite(session):
        _write_fts(session, _fts_rows(old), delete=True)
    for table in (article_search, indexed_months):
        session.execute(delete(table).where(one_of(session, table.c.article_id, ids)))
    # The FTS5 rows go whatever the rollup says; a row counted in no month (written by code
    # older than the rollup) takes nothing from it.
    return char_month_counts((row["title"], row["body"], row["month"]) for row in old if row["month"] is not None)




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
