"""Exact identity across scripts: a Simplified original is displayed whichever copy came first."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from models.engine import make_engine, session_factory
from models.repository import store_articles
from models.schema import Article, ArticleUrl, ArticleVersion
from pipelines.normalise import normalise
from tests.archive_items import BODY, BODY_TRADITIONAL, make_article

ORIGINAL = "http://js.people.com.cn/n2/2022/0213/c360301-1.html"
MIRROR = "http://js.people.com.cn/big5/n2/2022/0213/c360301-1.html"


@pytest.fixture
def sessions(migrated_db_url):
    engine = make_engine(migrated_db_url)
    yield session_factory(engine)
    engine.dispose()


def simplified_item():
    return normalise(make_article(ORIGINAL))


def traditional_item():
    return normalise(make_article(
        MIRROR, title="全市經濟工作會議召開", source="新華日報", editors=["王五"], body=BODY_TRADITIONAL,
        fetched_at="2024-03-01T09:00:00+00:00",
    ))


def store(sessions, item):
    with sessions.begin() as session:
        [outcome] = store_articles(session, [item])
        return outcome


@pytest.mark.parametrize("mirror_first", [True, False])
def test_simplified_original_is_displayed_whichever_arrives_first(sessions, mirror_first: bool) -> None:
    order = [traditional_item(), simplified_item()]
    if not mirror_first:
        order.reverse()
    first, second = (store(sessions, item) for item in order)
    assert (first.outcome, second.outcome) == ("new", "duplicate")
    assert first.article_id == second.article_id
    assert second.promoted is mirror_first and second.stores_text is mirror_first
    with sessions() as session:
        article = session.get_one(Article, first.article_id)
        assert (article.title, article.body, article.script) == ("全市经济工作会议召开", BODY, "zh-Hans")
        assert article.canonical_url == ORIGINAL  # shown as served (http), not as identity folds it
        urls = set(session.scalars(select(ArticleUrl.url).where(ArticleUrl.article_id == article.id)))
        assert {ORIGINAL, MIRROR} <= urls
        versions = session.scalars(
            select(ArticleVersion).where(ArticleVersion.article_id == article.id).order_by(ArticleVersion.number)
        ).all()
        # a mirror is never a version, whichever came first: its page stays a capture, its URL an alias
        assert [v.item["script"] for v in versions] == ["zh-Hans"]
        assert versions[-1].number == article.current_version
    # seeing either page again changes nothing
    assert store(sessions, traditional_item()).outcome == "unchanged"
    assert store(sessions, simplified_item()).outcome == "unchanged"


def test_url_variants_of_a_stored_article_are_aliases_not_new_articles(sessions) -> None:
    article_id = store(sessions, simplified_item()).article_id
    variants = [
        "https://js.people.com.cn/n2/2022/0213/c360301-1.html?from=timeline&spm=a.b.c",
        "http://m.js.people.com.cn/n2/2022/0213/c360301-1.html",
    ]
    shown = ["https://js.people.com.cn/n2/2022/0213/c360301-1.html", "http://m.js.people.com.cn/n2/2022/0213/c360301-1.html"]
    for url, as_shown in zip(variants, shown, strict=True):
        item = normalise(make_article(url, canonical_url="", fetched_at="2024-03-02T10:00:00+00:00"))
        assert (store(sessions, item).outcome, item.canonical_url) == ("unchanged", as_shown)
    with sessions() as session:
        urls = set(session.scalars(select(ArticleUrl.url).where(ArticleUrl.article_id == article_id)))
    assert set(variants) <= urls
