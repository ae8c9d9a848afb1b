"""The tables keep what is stored, time zones included, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError, StatementError

from models.engine import make_engine, session_factory
from models.schema import Article, ArticleUrl, CrawlJob, Site

SHANGHAI = timezone(timedelta(hours=8))


@pytest.fixture
def sessions(migrated_db_url):
    engine = make_engine(migrated_db_url)
    yield session_factory(engine)
    engine.dispose()


def _article(site: Site, **fields) -> Article:
    values = dict(
        canonical_url="http://js.people.com.cn/n2/1.html",
        site=site,
        fingerprint="0" * 64,
        first_seen=datetime(2024, 3, 1, 10, tzinfo=UTC),
        last_seen=datetime(2024, 3, 1, 10, tzinfo=UTC),
    )
    return Article(**{**values, **fields})


def test_article_round_trip_keeps_instant_and_zone(sessions):
    published = datetime(2022, 2, 13, 7, 48, tzinfo=SHANGHAI)
    with sessions.begin() as session:
        site = Site(name="people.com.cn")
        session.add(
            _article(
                site,
                title="標題",
                title_simplified="标题",
                published_at=published,
                images=[{"url": "http://x/1.jpg", "caption": "图"}],
                breadcrumbs=["人民网", "江苏频道"],
            )
        )
    with sessions() as session:
        stored = session.scalars(select(Article)).one()
        assert stored.published_at == published
        assert stored.published_at.utcoffset() is not None
        assert stored.published_at.astimezone(SHANGHAI).isoformat() == "2022-02-13T07:48:00+08:00"
        assert stored.title == "標題" and stored.title_simplified == "标题"
        assert stored.images == [{"url": "http://x/1.jpg", "caption": "图"}]
        assert stored.breadcrumbs == ["人民网", "江苏频道"]
        assert stored.site.name == "people.com.cn"


def test_times_compare_as_instants_across_zones(sessions):
    """Filtering by time must compare instants, not local wall-clock text."""
    with sessions.begin() as session:
        site = Site(name="xhby.net")
        session.add(
            _article(site, canonical_url="http://a/1", published_at=datetime(2022, 2, 13, 7, 0, tzinfo=SHANGHAI))
        )
        session.add(_article(site, canonical_url="http://a/2", published_at=datetime(2022, 2, 13, 0, 30, tzinfo=UTC)))
    with sessions() as session:
        cutoff = datetime(2022, 2, 13, 0, 0, tzinfo=UTC)  # = 08:00 in Shanghai
        later = session.scalars(select(Article.canonical_url).where(Article.published_at > cutoff)).all()
        assert later == ["http://a/2"]


def test_naive_datetime_is_refused(sessions):
    with pytest.raises(StatementError, match="naive datetime"):
        with sessions.begin() as session:
            session.add(CrawlJob(spider="people", started_at=datetime(2024, 1, 1)))


def test_unique_url_and_foreign_keys_are_enforced(sessions):
    with sessions.begin() as session:
        session.add(_article(Site(name="people.com.cn")))
    with pytest.raises(IntegrityError):
        with sessions.begin() as session:
            session.add(ArticleUrl(url="http://x/1", article_id=999))
    with pytest.raises(IntegrityError):
        with sessions.begin() as session:
            site = session.scalars(select(Site)).one()
            session.add(_article(site))  # same canonical_url
