"""Integer arrays reach PostgreSQL intact in its binary format (SQLite never sees them: its
search index is FTS5, and its look-ups use ``IN`` lists)."""

from __future__ import annotations

import pytest
from sqlalchemy import select, text

from archive.index_tables import article_search
from models.engine import make_engine, session_factory, upgrade_to_head
from models.pg_arrays import Int4Array, Int8Array, send_int_arrays
from models.tokens import text_tokens, token_codes
from tests.archive_items import make_article
from tests.archive_search_items import store
from tests.db_fixtures import _fresh_schema

pytestmark = pytest.mark.postgres


def test_integer_arrays_round_trip_at_their_limits_and_empty(postgres_database_url):
    engine = make_engine(postgres_database_url)
    with session_factory(engine)() as session:
        send_int_arrays(session)
        row = session.execute(text("SELECT :small, :big, :empty, pg_typeof(:small2), pg_typeof(:big2)"), {
            "small": Int4Array([-(2**31), -1, 0, 1, 2**31 - 1]),
            "big": Int8Array([-(2**63), 2**62, 7]),
            "empty": Int4Array([]),
            "small2": Int4Array([1]),
            "big2": Int8Array([1]),
        }).one()
    engine.dispose()
    assert row == ([-(2**31), -1, 0, 1, 2**31 - 1], [-(2**63), 2**62, 7], [], "integer[]", "bigint[]")


def test_the_index_holds_each_articles_token_codes(postgres_database_url):
    url = _fresh_schema(postgres_database_url)
    upgrade_to_head(url)
    sessions = session_factory(make_engine(url))
    [article_id] = store(sessions, [make_article("https://news.cn/1.html", title="5G网络", body="𠀀字与GPT-4模型。")])
    with sessions() as session:
        title, body, tokens, title_tokens = session.execute(
            select(article_search.c.title, article_search.c.body, article_search.c.tokens,
                   article_search.c.title_tokens).where(article_search.c.article_id == article_id)
        ).one()
    assert tokens == token_codes(text_tokens(title, body)) and title_tokens == token_codes(text_tokens(title))
    assert len(tokens) > len(title_tokens) > 0
