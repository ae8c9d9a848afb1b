"""End to end: the xhby spider crawls the local 新华报业网 replica into SQLite."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from crawler.replica.server import ReplicaServer
from crawler.replica.xhby import XhbySite, build_xhby_site
from crawler.spiders.xhby import XhbySpider, site_table
from tests.spider_crawls import archived_by_url, crawl_replica


@pytest.fixture(scope="module")
def xhby_site() -> XhbySite:
    return build_xhby_site()


@pytest.fixture
def server(xhby_site: XhbySite) -> Iterator[ReplicaServer]:
    with ReplicaServer(xhby_site, port=0) as running:  # type: ignore[arg-type] - serves any object with .pages
        yield running


def crawl(db_file: Path, server: ReplicaServer, *arguments: str) -> dict[str, tuple[str, ...]]:
    crawl_replica(db_file, "xhby", f"base_url={server.base_url}", *arguments)
    return archived_by_url(db_file, "title", "body", "published_at")


def test_a_crawl_goes_from_the_home_page_through_every_channel_to_every_article_and_a_recrawl_fetches_none_again(
    tmp_path: Path, xhby_site: XhbySite, server: ReplicaServer
) -> None:
    db_file = tmp_path / "archive.db"
    rows = crawl(db_file, server)
    assert sorted(rows) == sorted(server.base_url + a.path for a in xhby_site.articles)
    for truth in xhby_site.articles:
        title, body, _ = rows[server.base_url + truth.path]
        assert (title, body) == (truth.title, truth.body), truth.path
    assert all(server.hits[path] == 1 for path in xhby_site.channel_paths)
    first = server.hits.copy()
    crawl(db_file, server, "recheck_days=0")
    assert all(server.hits[a.path] == first[a.path] == 1 for a in xhby_site.articles)


def test_date_bounds_keep_only_the_articles_dated_within_them(
    tmp_path: Path, xhby_site: XhbySite, server: ReplicaServer
) -> None:
    rows = crawl(tmp_path / "archive.db", server, "since=2024-04-01", "until=2024-05-14")
    expected = {server.base_url + a.path for a in xhby_site.articles if "2024-04-01" <= a.day <= "2024-05-14"}
    assert 0 < len(expected) < len(xhby_site.articles)
    assert set(rows) == expected


def test_channels_can_be_named_instead_of_found(tmp_path: Path, xhby_site: XhbySite, server: ReplicaServer) -> None:
    first = xhby_site.channel_paths[0]
    rows = crawl(tmp_path / "archive.db", server, f"channels={first}")
    home_articles = {xhby_site.articles[1].path}  # the home page links the newest one by its real-site URL
    expected = {a.path for a in xhby_site.articles if a.channel == first} | home_articles
    assert set(rows) == {server.base_url + path for path in expected}
    assert all(server.hits[path] == 0 for path in xhby_site.channel_paths[1:])


def test_the_site_table_names_the_article_url_form_and_what_was_verified() -> None:
    table = site_table()
    spider = XhbySpider()
    assert spider.is_article("https://www.xhby.net/content/s6800fe3fe4b0e37860aec499.html")
    assert not spider.is_article("https://www.xhby.net/content/s6800fe3fe4b0e37860aec49.html")
    assert spider.on_site("http://xhby.net/content/s6800fe3fe4b0e37860aec499.html")
    assert table["verified"]["article_path"] is True and table["evidence"]
