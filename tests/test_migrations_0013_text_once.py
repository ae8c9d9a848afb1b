"""0013: an archive stored with each text several times over keeps every text, once, and
every reader gives what it gave before; downgrading gives the old layout back."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import func, inspect, select, text
from sqlalchemy.orm import Session

from archive.records import article_record
from archive.show import article_view, version_lines
from models.dedup import NearDupBand
from models.engine import make_engine, session_factory
from models.migrate import downgrade, upgrade
from models.schema import Article, ArticleVersion
from models.store import store_batch
from models.types import json_text
from pipelines.normalise import normalise
from tests.archive_items import BODY, BODY_TRADITIONAL, OTHER_BODY, make_article

#: Long enough to be indexed for near-copies (band rows to convert).
LONG_BODY = "\n".join([BODY, OTHER_BODY, "全省共有一百二十三个重点项目在今年第一季度开工建设，总投资超过四千五百亿元。",
                       "其中先进制造业项目六十八个，现代服务业项目三十一个，基础设施项目二十四个。"])
TRADITIONAL_URL = "http://big5.people.com.cn/n2/2022/0213/c360301-9.html"


def _archive(session: Session) -> None:
    """A Simplified article corrected once, and an article known only in Traditional script."""
    store_batch(session, [normalise(make_article(body=LONG_BODY))], [])
    store_batch(session, [normalise(make_article(body=LONG_BODY + "\n（更正）", fetched_at="2024-03-02T10:00:00+00:00"))], [])
    store_batch(session, [normalise(make_article(TRADITIONAL_URL, body=BODY_TRADITIONAL, title="全市經濟工作會議召開"))], [])


def _readings(session: Session) -> dict[str, Any]:
    """What the readers give for every article: show (versions and their diffs), export records."""
    found = {}
    for article in session.scalars(select(Article).order_by(Article.id)):
        found[f"view {article.id}"] = article_view(session, article)
        found[f"record {article.id}"] = article_record(session, article.id)
        for number in range(1, article.current_version + 1):
            found[f"version {article.id}/{number}"] = version_lines(session, article.id, number)
    return found


def test_an_archive_stored_before_0013_reads_the_same_with_each_text_once(db_url: str) -> None:
    upgrade(db_url)
    engine = make_engine(db_url)
    sessions = session_factory(engine)
    with sessions.begin() as session:
        _archive(session)
        before = _readings(session)
        items = [tuple(row) for row in session.execute(
            select(ArticleVersion.id, ArticleVersion.item).order_by(ArticleVersion.id))]
        bands = session.execute(select(NearDupBand.key, NearDupBand.article_id).order_by(NearDupBand.key)).all()
    assert len(items) == 3 and bands

    downgrade(db_url, "0012_search_codes")
    with engine.connect() as conn:  # the old layout: every text in full, the version's body beside its item
        old = conn.execute(text("SELECT id, body, body_simplified FROM article ORDER BY id")).all()
        assert old[0].body_simplified == old[0].body and old[1].body_simplified != old[1].body
        versions = conn.execute(text("SELECT id, item, body FROM article_version ORDER BY id")).all()
        assert [(v.id, _json(v.item)) for v in versions] == items
        assert [v.body for v in versions] == [item["body"] for _, item in items]
    engine.dispose()

    upgrade(db_url)
    engine = make_engine(db_url)
    with session_factory(engine).begin() as session:
        assert _readings(session) == before
        stored = session.execute(select(Article.__table__.c.body_simplified_if_differs).order_by(Article.id)).scalars()
        assert list(stored) == ["", before["view 2"]["body_simplified"]]
        assert [tuple(row) for row in session.execute(
            select(ArticleVersion.id, ArticleVersion.item).order_by(ArticleVersion.id))] == items
        assert session.execute(select(NearDupBand.key, NearDupBand.article_id).order_by(NearDupBand.key)).all() == bands
        assert "body" not in {c["name"] for c in inspect(session.connection()).get_columns("article_version")}
        if session.get_bind().dialect.name == "sqlite":
            schema = session.scalar(text("SELECT sql FROM sqlite_master WHERE name = 'near_dup_band'"))
            assert "WITHOUT ROWID" in schema
    engine.dispose()


def _json(value: Any) -> Any:
    """A JSON column read with plain SQL: text on SQLite, already parsed on PostgreSQL."""
    return json.loads(value) if isinstance(value, str) else value


def test_a_simplified_article_stores_its_body_once_and_reads_its_twin_from_it(migrated_db_url: str) -> None:
    engine = make_engine(migrated_db_url)
    with session_factory(engine).begin() as session:
        _archive(session)
        rows = session.execute(select(Article.body, Article.__table__.c.body_simplified_if_differs,
                                      Article.body_simplified).order_by(Article.id)).all()
        simplified, traditional = rows
        assert simplified == (LONG_BODY + "\n（更正）", "", LONG_BODY + "\n（更正）")
        assert traditional[0] == BODY_TRADITIONAL and traditional[1] == traditional[2] != BODY_TRADITIONAL
        assert "召开" in traditional[2] and "召開" not in traditional[2]
        found = session.scalars(select(Article.id).where(Article.body_simplified.contains("经济工作会议"))).all()
        assert found == [1, 2]  # filters and search see the twin in SQL too
        packed, item = session.execute(select(func.length(ArticleVersion.__table__.c.item_zstd), ArticleVersion.item)
                                       .order_by(ArticleVersion.id).limit(1)).one()
        assert packed * 2 < len(json_text(item).encode())  # the item's copies of the text compress away
    engine.dispose()
