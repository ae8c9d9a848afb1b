"""0012: PostgreSQL's token index becomes integer codes; search finds what it found with tsvectors."""

from __future__ import annotations

from sqlalchemy import text

from archive.filters import Filters
from archive.query import parse_query
from archive.search import search
from models.engine import make_engine, session_factory
from models.migrate import downgrade, upgrade
from tests.archive_search_items import sample_articles, store
from tests.test_archive_search import QUERIES


def _found(sessions) -> dict[str, set[str]]:
    with sessions() as session:
        return {query: {hit.url for hit in search(session, Filters(query=parse_query(query)), limit=100)}
                for query in QUERIES}


def test_upgrade_and_downgrade_keep_what_every_query_finds(db_url):
    upgrade(db_url, "head")
    engine = make_engine(db_url)
    sessions = session_factory(engine)
    store(sessions, sample_articles())
    downgrade(db_url, "0011_refingerprint")
    if engine.dialect.name == "postgresql":  # back to tsvectors, recomputed from the stored text
        with sessions() as session:
            found = session.scalars(text("SELECT article_id FROM article_search WHERE tokens @@ CAST('通' AS tsquery)"))
            assert len(list(found)) == 2
    upgrade(db_url, "head")
    assert _found(sessions) == QUERIES
    if engine.dialect.name == "postgresql":
        with sessions() as session:
            kinds = session.execute(text(
                "SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = 'article_search'::regclass "
                "AND attname IN ('tokens', 'title_tokens')")).scalars().all()
            assert kinds == ["integer[]", "integer[]"]
    engine.dispose()
