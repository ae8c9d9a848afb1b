"""0011: an archive stored before the variant folds gets today's fingerprints, so its
articles are not taken for changed (and given a spurious version) at their next crawl."""

from __future__ import annotations

from sqlalchemy import func, select, update

from models.engine import make_engine, session_factory
from models.migrate import downgrade, upgrade
from models.schema import Article, ArticleVersion
from models.store import store_batch
from pipelines.normalise import normalise
from tests.archive_items import BODY, make_article

#: A report naming 張甯浩: OpenCC leaves 甯 as it is, the variant folds make it 宁.
BODY_WITH_VARIANT = BODY + "\n张甯浩说，全市将继续推进重点项目建设，确保年底前全部开工。"


def test_fingerprints_stored_before_the_variant_folds_are_recomputed(db_url: str) -> None:
    upgrade(db_url)
    engine = make_engine(db_url)
    sessions = session_factory(engine)
    item = make_article(body=BODY_WITH_VARIANT)
    with sessions.begin() as session:
        store_batch(session, [normalise(item)], [])
        today = session.scalar(select(Article.fingerprint))
    downgrade(db_url, "0010_url_room")  # the layout the older code stored
    with sessions.begin() as session:
        session.execute(update(Article.__table__).values(fingerprint="0" * 64))  # the digest it stored

    upgrade(db_url)

    with sessions.begin() as session:
        assert session.scalar(select(Article.fingerprint)) == today
        outcome = store_batch(session, [normalise(make_article(body=BODY_WITH_VARIANT,
                                                                fetched_at="2024-03-02T10:00:00+00:00"))], [])
        assert [o.outcome for o in outcome.outcomes] == ["unchanged"]
        assert session.scalar(select(func.count(ArticleVersion.id))) == 1
    engine.dispose()
