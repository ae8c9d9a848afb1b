"""End to end: the xinhua spider crawls the local news.cn provincial channel replica into SQLite."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from crawler.replica.server import ReplicaServer
from crawler.replica.xinhua import CHANNEL, XinhuaSite, build_xinhua_site
from crawler.spiders.xinhua import XinhuaSpider, article_day, channels
from tests.spider_crawls import archived_by_url, crawl_replica


@pytest.fixture(scope="module")
def channel_site() -> XinhuaSite:
    return build_xinhua_site()


@pytest.fixture
def server(channel_site: XinhuaSite) -> Iterator[ReplicaServer]:
    with ReplicaServer(channel_site, port=0) as running:  # type: ignore[arg-type] - serves any object with .pages
        yield running


def crawl(db_file: Path, server: ReplicaServer, *arguments: str) -> dict[str, tuple[str, ...]]:
    crawl_replica(db_file, "xinhua", f"channel={CHANNEL}", *arguments, f"base_url={server.base_url}")
    return archived_by_url(db_file, "title", "published_at", "source", "body", "template")


def test_a_channel_crawl_archives_every_article_of_both_url_forms_and_a_recrawl_fetches_none_again(
    tmp_path: Path, channel_site: XinhuaSite, server: ReplicaServer
) -> None:
    db_file = tmp_path / "archive.db"
    rows = crawl(db_file, server)
    assert sorted(rows) == sorted(server.base_url + a.path for a in channel_site.articles)
    assert {a.path.endswith("c.html") for a in channel_site.articles} == {True, False}  # both forms served
    for truth in channel_site.articles:
        title, _, source, body, template = rows[server.base_url + truth.path]
        assert (title, source, body, template) == (truth.title, truth.source, truth.body, "xinhua"), truth.path
    assert all(server.hits[path] == 1 for path in channel_site.list_paths)
    first = server.hits.copy()
    assert len(crawl(db_file, server, "recheck_days=0")) == len(channel_site.articles)
    assert all(server.hits[a.path] == first[a.path] == 1 for a in channel_site.articles)


def test_date_bounds_archive_only_the_articles_of_those_days(
    tmp_path: Path, channel_site: XinhuaSite, server: ReplicaServer
) -> None:
    since, until = date(2021, 4, 1), date(2022, 2, 28)
    db_file = tmp_path / "archive.db"
    rows = crawl(db_file, server, f"since={since}", f"until={until}")
    expected = {server.base_url + a.path for a in channel_site.articles if since <= date.fromisoformat(a.day) <= until}
    assert 0 < len(expected) < len(channel_site.articles)
    assert set(rows) == expected
    older = [a.path for a in channel_site.articles if date.fromisoformat(a.day) < since]
    assert all(server.hits[path] == 0 for path in older)


@pytest.mark.parametrize(("url", "expected"), [
    ("http://www.js.xinhuanet.com/2021-02/07/c_1127073849.htm", date(2021, 2, 7)),
    ("http://www.he.news.cn/20240515/d59c39d4160a4fe4b3084c3e4abfb450/c.html", date(2024, 5, 15)),
    ("http://www.he.news.cn/20240515/d59c39d4160a4fe4b3084c3e4abfb450/c.html?page=2", date(2024, 5, 15)),
    ("http://he.news.cn/society/index.htm", None),
    ("http://www.he.news.cn/20241315/d59c39d4160a4fe4b3084c3e4abfb450/c.html", None),
    ("http://www.he.news.cn/20240515/notahexid/c.html", None),
])
def test_article_urls_of_both_forms_are_dated_from_their_path(url: str, expected: date | None) -> None:
    assert article_day(url) == expected


def test_the_channel_table_is_checked_before_any_fetch() -> None:
    with pytest.raises(ValueError, match="js"):
        XinhuaSpider(channel="nosuchchannel")
    assert all(isinstance(entry["verified"], bool) and entry["evidence"] for entry in channels().values())
    spider = XinhuaSpider(channel="he")
    assert spider.on_site("http://www.he.news.cn/20240515/d59c39d4160a4fe4b3084c3e4abfb450/c.html")
    assert spider.on_site("https://he.news.cn/society/index.htm")
    assert not spider.on_site("http://www.news.cn/20240515/d59c39d4160a4fe4b3084c3e4abfb450/c.html")
