"""Migration 0005_views on an archive indexed by 0002's scheme: the index is converted
(title tokens added, SQLite's FTS5 table rebuilt without positions) and search works."""

from __future__ import annotations

from sqlalchemy import text

from archive.filters import Filters
from archive.query import parse_query
from archive.search import search
from models.tokens import normalise, text_tokens
from models.engine import make_engine, session_factory
from models.migrate import downgrade, upgrade
from models.repository import store_articles
from pipelines.normalise import normalise as normalise_item
from tests.archive_search_items import HONGKONG, NANTONG, sample_articles


def _index_as_0002(session, dialect: str) -> None:
    """What 0002's index code stored: normalised text plus all tokens (sorted, positions kept on SQLite)."""
    for id_, title, body in session.execute(text("SELECT id, title_simplified, body_simplified FROM article")):
        row = {"id": id_, "title": normalise(title), "body": normalise(body)}
        tokens = sorted(text_tokens(row["title"], row["body"]))
        if dialect == "sqlite":
            session.execute(text("INSERT INTO article_search (article_id, title, body) VALUES (:id, :title, :body)"), row)
            session.execute(
                text("INSERT INTO article_search_fts (rowid, tokens) VALUES (:id, :tokens)"),
                {"id": id_, "tokens": " ".join(tokens)},
            )
        else:
            session.execute(
                text("INSERT INTO article_search (article_id, title, body, tokens) "
                     "VALUES (:id, :title, :body, array_to_tsvector(CAST(:tokens AS text[])))"),
                {**row, "tokens": tokens},
            )  # fmt: skip


def _urls(sessions, query: str) -> list[str]:
    with sessions() as session:
        return [hit.url for hit in search(session, Filters(query=parse_query(query)))]


def test_upgrade_converts_an_indexed_archive_and_downgrade_restores_it(db_url):
    # Articles are stored with today's models, then the schema goes back to 0004 and the
    # index is refilled as 0002 wrote it.
    upgrade(db_url, "head")
    engine = make_engine(db_url)
    sessions = session_factory(engine)
    with sessions.begin() as session:
        store_articles(session, [normalise_item(item) for item in sample_articles()])
    downgrade(db_url, "0004_dedup")
    with sessions.begin() as session:
        if engine.dialect.name == "sqlite":
            session.execute(text("DELETE FROM article_search_fts"))
        session.execute(text("DELETE FROM article_search"))
        _index_as_0002(session, engine.dialect.name)
    upgrade(db_url, "head")
    assert _urls(sessions, "通") == [NANTONG, HONGKONG]  # the title hit first: title tokens were backfilled
    assert _urls(sessions, "产业发展") == [NANTONG]
    downgrade(db_url, "0004_dedup")
    with sessions() as session:
        if engine.dialect.name == "sqlite":
            found = session.scalars(text("SELECT rowid FROM article_search_fts WHERE article_search_fts MATCH '\"通\"'"))
        else:
            found = session.scalars(text("SELECT article_id FROM article_search WHERE tokens @@ CAST('通' AS tsquery)"))
        assert len(list(found)) == 2
    upgrade(db_url, "head")
    assert _urls(sessions, "通") == [NANTONG, HONGKONG]
    engine.dispose()
