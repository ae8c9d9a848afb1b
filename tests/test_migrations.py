"""Migrations build exactly the models' schema, and undo cleanly, on both databases."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import func, inspect, select

from models.engine import make_engine, session_factory, upgrade_to_head
from models.migrate import current_revisions, downgrade, head_revisions
from models.repository import store_articles, store_captures
from models.schema import Article, Base, Capture
from models.search import include_name, is_search_index
from tests.archive_items import make_article, make_capture


def _table_names(url: str) -> set[str]:
    engine = make_engine(url)
    try:
        return {name for name in inspect(engine).get_table_names()
                if name != "alembic_version" and not is_search_index(name)}
    finally:
        engine.dispose()


def _fill(url: str) -> None:
    engine = make_engine(url)
    with session_factory(engine).begin() as session:
        store_captures(session, [make_capture("http://a.cn/1.html", b"<html>1</html>")])
        store_articles(session, [make_article("http://a.cn/1.html")])
    engine.dispose()


def test_upgrade_downgrade_upgrade_with_data(db_url):
    upgrade_to_head(db_url)
    assert current_revisions(db_url) == head_revisions()
    assert _table_names(db_url) == set(Base.metadata.tables)
    _fill(db_url)

    downgrade(db_url, "base")
    assert current_revisions(db_url) == ()
    assert _table_names(db_url) == set()

    upgrade_to_head(db_url)
    _fill(db_url)
    engine = make_engine(db_url)
    with session_factory(engine)() as session:
        assert session.scalar(select(func.count(Article.id))) == 1
        assert session.scalar(select(func.count(Capture.id))) == 1
    engine.dispose()


def test_models_and_migrations_do_not_drift(db_url):
    upgrade_to_head(db_url)
    engine = make_engine(db_url)
    with engine.connect() as conn:
        context = MigrationContext.configure(
            conn, opts={"compare_type": True, "compare_server_default": True, "include_name": include_name}
        )
        assert compare_metadata(context, Base.metadata) == []
    engine.dispose()
