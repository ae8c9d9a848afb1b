"""A script mirror is the same article in every case: one article, one version, its URL an alias."""

from __future__ import annotations

from collections.abc import Iterator

import opencc
import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from crawler.items import Article as ArticleItem
from crawler.replica.site import ReplicaSite
from crawler.sites.registry import extract
from models.engine import make_engine, session_factory
from models.fingerprint import article_fingerprint
from models.mirrors import MIRROR_URL
from models.schema import Article, ArticleUrl, ArticleVersion
from models.store import store_batch
from pipelines.normalise import normalise
from tests.replica_archive import BASE_URL, parsed, replica_capture

#: Names written with characters Big5 lacks (喆, 赟, 堃 become "?") and one that a converter writes as 甯.
NAMES = "记者王喆、张宁浩、刘赟、陈堃报道。"


@pytest.fixture
def sessions(migrated_db_url: str) -> Iterator[sessionmaker[Session]]:
    engine = make_engine(migrated_db_url)
    yield session_factory(engine)
    engine.dispose()


def store_in_batches(sessions: sessionmaker[Session], items: list[ArticleItem], size: int) -> None:
    for start in range(0, len(items), size):
        with sessions.begin() as session:
            store_batch(session, items[start : start + size], [])


def totals(sessions: sessionmaker[Session]) -> tuple[int, int]:
    with sessions() as session:
        return session.scalar(select(func.count(Article.id))), session.scalar(select(func.count(ArticleVersion.id)))


@pytest.fixture(scope="module")
def replica_items(replica_site: ReplicaSite) -> list[ArticleItem]:
    """Every replica article and mirror as the parser reads it: originals first, then the 12 mirrors."""
    return [parsed(replica_site, truth) for truth in replica_site.articles]


@pytest.mark.parametrize("order", ["ordinary", "mirrors_first", "reversed"])
def test_the_replica_makes_240_articles_and_240_versions_whatever_the_crawl_order(
    sessions: sessionmaker[Session], replica_site: ReplicaSite, replica_items: list[ArticleItem], order: str
) -> None:
    mirrors = [item for item in replica_items if MIRROR_URL.search(item.url)]
    assert len(mirrors) == 12 and sum(truth.encoding == "big5" for truth in replica_site.mirrors) == 6
    originals = [item for item in replica_items if item not in mirrors]
    if order == "ordinary":  # one process, the list pages' order, big batches
        store_in_batches(sessions, replica_items, 500)
    elif order == "mirrors_first":  # distributed workers: whoever fetched first stores first, small batches
        store_in_batches(sessions, mirrors + originals, 7)
    else:
        store_in_batches(sessions, replica_items[::-1], 1)
    assert totals(sessions) == (240, 240)
    with sessions() as session:
        article_of = {url: a for url, a in session.execute(select(ArticleUrl.url, ArticleUrl.article_id))}
        scripts = {a: script for a, script in session.execute(select(Article.id, Article.script))}
    for truth in replica_site.mirrors:
        assert article_of[BASE_URL + truth.path] == article_of[BASE_URL + truth.mirror_of], truth.path
    assert set(scripts.values()) == {"zh-Hans"}


def big5_mirror_pair(site: ReplicaSite) -> tuple[ArticleItem, ArticleItem]:
    """An article whose text names people with characters Big5 cannot encode, and its Big5 mirror.

    The mirror is written as Taiwan's converters write (OpenCC s2tw), with 宁 as 甯 in a name,
    and encoded in Big5 with "?" for what Big5 lacks, as many servers do.
    """
    truth = next(t for t in site.canonical_articles if t.pages == 1 and t.encoding == "utf-8"
                 and site.article_at("/big5" + t.path) is None)
    html = site.pages[truth.path].body.decode("utf-8")
    first_line = truth.body.split("\n")[0]
    assert first_line in html
    html = html.replace(first_line, first_line + NAMES, 1)
    mirror = opencc.OpenCC("s2tw").convert(html).replace("張寧浩", "張甯浩").replace("utf-8", "big5")
    original_item = normalise(extract(BASE_URL + truth.path, html.encode("utf-8"), declared_encoding="utf-8",
                                      site_hint=truth.template))
    mirror_item = normalise(extract(BASE_URL + "/big5" + truth.path, mirror.encode("big5", errors="replace"),
                                    declared_encoding="big5", site_hint=truth.template))
    return original_item, mirror_item


@pytest.mark.parametrize("mirror_first", [False, True])
def test_a_big5_page_with_characters_big5_cannot_encode_resolves_to_its_original(
    sessions: sessionmaker[Session], replica_site: ReplicaSite, mirror_first: bool
) -> None:
    original, mirror = big5_mirror_pair(replica_site)
    assert "王?" in mirror.body and "甯" in mirror.simplified["body"] and mirror.script == "zh-Hant"
    assert article_fingerprint(mirror) != article_fingerprint(original)  # only similarity can tell
    store_in_batches(sessions, [mirror, original] if mirror_first else [original, mirror], 1)
    assert totals(sessions) == (1, 1)
    with sessions() as session:
        article = session.scalars(select(Article)).one()
        urls = set(session.scalars(select(ArticleUrl.url)))
    assert article.script == "zh-Hans" and "王喆" in article.body
    assert article.canonical_url == original.canonical_url and {mirror.url, original.url} <= urls


def test_a_near_copy_on_another_site_stays_its_own_article(
    sessions: sessionmaker[Session], replica_site: ReplicaSite
) -> None:
    original, mirror = big5_mirror_pair(replica_site)
    elsewhere = ArticleItem.from_dict({**mirror.to_dict(), "url": "http://www.example.tw/news/1.html",
                                       "canonical_url": "http://www.example.tw/news/1.html", "site": "example.tw",
                                       "title": "另一個標題", "simplified": {**mirror.simplified, "title": "另一个标题"}})
    store_in_batches(sessions, [original, elsewhere], 1)
    assert totals(sessions) == (2, 2)
