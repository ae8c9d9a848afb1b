"""0014: an archive indexed before the month rollup gets it filled, with the counts the write
path keeps; downgrading drops it."""

from __future__ import annotations

from sqlalchemy import inspect, select

from archive.char_months import month_counts
from archive.index_tables import indexed_months
from models.engine import make_engine, session_factory
from models.migrate import downgrade, upgrade
from tests.test_archive_char_months import counted_by_matching, one_character, rollup, stored_archive

ROLLUP_TABLES = {"article_search_char_month", "article_search_month"}


def indexed(session) -> dict[int, str]:
    return {article_id: month for article_id, month in session.execute(select(indexed_months))}


def test_upgrading_an_existing_archive_fills_the_rollup_as_the_write_path_keeps_it(db_url):
    upgrade(db_url)
    engine = make_engine(db_url)
    sessions = session_factory(engine)
    stored_archive(sessions)
    with sessions() as session:
        kept = rollup(session)
        months = indexed(session)
    assert kept and months

    downgrade(db_url, "0013_text_once")
    assert not ROLLUP_TABLES & set(inspect(engine).get_table_names())
    engine.dispose()

    upgrade(db_url)
    engine = make_engine(db_url)
    with session_factory(engine)() as session:
        assert rollup(session) == kept == counted_by_matching(session)
        assert indexed(session) == months
        assert month_counts(session, one_character("港")) == [("2024-02", 1), ("2023-07", 1), (None, 1)]
    engine.dispose()
