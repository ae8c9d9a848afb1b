"""Identity rules, versions, captures and stats of the archive repository."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import zstandard
from opencc import OpenCC
from sqlalchemy import func, select

from crawler.parsing.urls import canonicalize
from models.capture_store import capture_body
from models.engine import make_engine, session_factory
from models.repository import (
    article_stats,
    finish_job,
    start_job,
    store_articles,
    store_captures,
)
from models.schema import Article, ArticlePerson, ArticleUrl, ArticleVersion, Capture, Person, VersionCapture
from tests.archive_items import BODY, BODY_TRADITIONAL, OTHER_BODY, make_article, make_capture

URL = "http://js.people.com.cn/n2/2022/0213/c360301-1.html"
PAGE = b"<html><head><meta charset=gb2312></head><body><p>page</p></body></html>"


@pytest.fixture
def sessions(migrated_db_url):
    engine = make_engine(migrated_db_url)
    yield session_factory(engine)
    engine.dispose()


def store(sessions, *items):
    with sessions.begin() as session:
        return [(o.outcome, o.article_id) for o in store_articles(session, list(items))]


def count(sessions, column) -> int:
    with sessions() as session:
        return session.scalar(select(func.count(column)))


def test_new_then_same_url_again_is_unchanged(sessions):
    [(outcome, article_id)] = store(sessions, make_article(URL))
    assert outcome == "new"
    later = make_article(URL, fetched_at="2024-03-02T10:00:00+00:00")
    assert store(sessions, later) == [("unchanged", article_id)]
    with sessions() as session:
        article = session.get(Article, article_id)
        assert article.first_seen == datetime(2024, 3, 1, 10, tzinfo=UTC)
        assert article.last_seen == datetime(2024, 3, 2, 10, tzinfo=UTC)
        assert article.current_version == 1
        assert article.published_at == datetime.fromisoformat("2022-02-13T07:48:00+08:00")
    assert count(sessions, ArticleVersion.id) == 1


def test_changed_text_adds_a_version_and_keeps_the_old(sessions):
    [(_, article_id)] = store(sessions, make_article(URL))
    edited = make_article(
        URL, body=BODY + "\n会议还审议了有关文件。", authors=["赵六"], fetched_at="2024-03-02T10:00:00+00:00"
    )
    assert store(sessions, edited) == [("changed", article_id)]
    with sessions() as session:
        article = session.get(Article, article_id)
        assert article.body.endswith("会议还审议了有关文件。")
        assert article.current_version == 2
        versions = session.scalars(
            select(ArticleVersion).where(ArticleVersion.article_id == article_id).order_by(ArticleVersion.number)
        ).all()
        assert [v.number for v in versions] == [1, 2]
        assert versions[0].item["body"] == BODY
        assert versions[0].item["authors"] == ["张三", "李四"]
        assert [(p.role, p.position, p.person.name) for p in article.people] == [
            ("author", 0, "赵六"),
            ("editor", 0, "王五"),
        ]


def test_traditional_copy_on_another_url_is_a_duplicate_alias(sessions):
    [(_, article_id)] = store(sessions, make_article(URL))
    tw_url = "http://www.example.com.tw/news/1.html"
    copy = make_article(
        tw_url,
        body=BODY_TRADITIONAL,
        script="zh-Hant",
        simplified={"body": OpenCC("t2s").convert(BODY_TRADITIONAL)},
    )
    assert store(sessions, copy) == [("duplicate", article_id)]
    with sessions() as session:
        aliases = session.scalars(select(ArticleUrl.url).where(ArticleUrl.article_id == article_id)).all()
        assert set(aliases) == {URL, tw_url, canonicalize(URL), canonicalize(tw_url)}  # as served, and identity
        assert session.get(Article, article_id).body == BODY  # the original text stays
    assert count(sessions, Article.id) == 1
    # the alias is now known by URL: seeing it again is plain "unchanged"
    assert store(sessions, copy) == [("unchanged", article_id)]


@pytest.mark.parametrize("body_a, body_b", [("", ""), ("图片新闻", "图片新闻"), ("记者张三摄", "视频：现场")])
def test_short_or_empty_bodies_are_never_merged(sessions, body_a, body_b):
    outcomes = store(
        sessions, make_article("http://a.cn/1.html", body=body_a), make_article("http://a.cn/2.html", body=body_b)
    )
    assert [o for o, _ in outcomes] == ["new", "new"]
    assert outcomes[0][1] != outcomes[1][1]


def test_same_title_different_text_is_not_merged(sessions):
    outcomes = store(
        sessions,
        make_article("http://a.cn/1.html", title="通知"),
        make_article("http://b.cn/2.html", title="通知", body=OTHER_BODY),
    )
    assert [o for o, _ in outcomes] == ["new", "new"]


def test_page_urls_identify_the_article(sessions):
    page2 = URL.replace(".html", "-2.html")
    [(_, article_id)] = store(sessions, make_article(URL, page_urls=[URL, page2], pages=2))
    # a later fetch that starts from page 2 (e.g. a link straight to it) is the same article
    assert store(sessions, make_article(page2, canonical_url=page2, page_urls=[page2], pages=2)) == [
        ("unchanged", article_id)
    ]


def test_people_are_shared_between_articles(sessions):
    store(sessions, make_article("http://a.cn/1.html"), make_article("http://a.cn/2.html", body=OTHER_BODY))
    assert count(sessions, Person.id) == 3  # 张三, 李四, 王五 once each
    assert count(sessions, ArticlePerson.person_id) == 6


def test_captures_are_compressed_and_revisits_share_the_body(sessions):
    page = PAGE * 50
    with sessions.begin() as session:
        store_captures(
            session,
            [
                make_capture(URL, page),
                make_capture(URL, page, fetched_at="2024-03-02T10:00:00+00:00"),
                make_capture("http://other.cn/x.html", page),
            ],
        )
    with sessions() as session:
        rows = session.scalars(select(Capture).order_by(Capture.id)).all()
        first, revisit, other_url = rows
        assert first.digest == revisit.digest == other_url.digest
        assert len(first.body) < len(page) and zstandard.ZstdDecompressor().decompress(first.body) == page
        assert revisit.body is None and revisit.revisit_of_id == first.id and revisit.size == len(page)
        assert other_url.body is not None  # the same bytes under another URL are their own record
        assert capture_body(session, revisit.id) == page
        assert first.headers == [["Content-Type", "text/html; charset=GB2312"]]


@pytest.mark.parametrize("captures_first", [True, False])
def test_versions_link_to_their_captures_in_either_order(sessions, captures_first):
    capture = make_capture(URL, PAGE)
    item = make_article(URL, page_digests=[capture.digest])
    with sessions.begin() as session:
        if captures_first:
            store_captures(session, [capture])
        store_articles(session, [item])
        if not captures_first:
            store_captures(session, [capture])
    with sessions() as session:
        link = session.scalars(select(VersionCapture)).one()
        assert link.page == 1
        assert capture_body(session, link.capture_id) == PAGE


def test_stats_and_jobs(sessions):
    with sessions.begin() as session:
        job_id = start_job(session, "people", {"site": "js.people.com.cn"})
    store(
        sessions,
        make_article(URL),
        make_article("http://xhby.net/1.html", site="xhby.net", body=OTHER_BODY, images=[], editors=[], source=None),
    )
    store(sessions, make_article("http://mirror.cn/1.html", site="mirror.cn"))  # duplicate alias of URL
    with sessions.begin() as session:
        finish_job(session, job_id, "finished", {"item_scraped_count": 3, "start_time": datetime.now(UTC)})
    with sessions() as session:
        stats = article_stats(session)
    assert stats["articles"] == 2
    assert stats["per_site"] == {"people.com.cn": 1, "xhby.net": 1}
    assert stats["coverage"]["title"] == 2
    assert stats["coverage"]["images"] == 1
    assert stats["coverage"]["source"] == 1
    assert stats["coverage"]["editors"] == 1
    assert stats["coverage"]["printed_page"] == 0
    assert stats["aliases"] == 1
    assert stats["versions"] == 2
    assert stats["last_crawl"]["outcome"] == "finished"
    assert stats["last_crawl"]["id"] == job_id
