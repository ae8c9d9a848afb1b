"""End to end: the generic spider archives the people.com.cn replica with the generic template."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from crawler.replica.server import ReplicaServer
from crawler.replica.site import ReplicaSite
from crawler.replica.xinhua import XinhuaSite, build_xinhua_site
from crawler.spiders.generic import GenericSpider
from tests.announcing_site import ATOM_PATH, build_announcing_site
from tests.conftest import run_cli
from tests.spider_crawls import archived_by_url, crawl_replica


def test_every_replica_article_is_archived_and_list_pages_are_skipped(
    tmp_path: Path, replica_site: ReplicaSite, replica_server: ReplicaServer
) -> None:
    db_file = tmp_path / "archive.db"
    start = replica_server.base_url + replica_site.list_pages[0]
    result = run_cli("--db", f"sqlite:///{db_file}", "crawl", "generic", "-a", f"start_url={start}",
                     "-a", "depth=20", "-a", r"allow=/(GB|n2)/")
    assert result.returncode in (0, 1), result.stderr[-3000:]
    with sqlite3.connect(db_file) as conn:
        urls = {u for (u,) in conn.execute("select url from article_url")}
        templates = {t for (t,) in conn.execute("select distinct template from article")}
        stored = conn.execute("select count(*) from article").fetchone()[0]
    wanted = [a for a in replica_site.canonical_articles if a.path.startswith("/n2/")]
    assert wanted
    assert [a.path for a in wanted if replica_server.base_url + a.path not in urls] == []
    assert templates == {"generic"}
    # list pages and the special-topic index were fetched (that is how articles were found) but not stored
    skipped = {replica_server.base_url + p for p in replica_site.non_articles}
    assert not skipped & urls
    assert all(replica_server.hits[p] >= 1 for p in replica_site.list_pages)
    assert stored == len(wanted)  # later pages of multi-page articles are merged, not stored on their own
    assert "pages rejected as not articles: reasons no article text" in result.stdout
    stats = run_cli("--db", f"sqlite:///{db_file}", "stats")
    assert "pages rejected as not articles: reasons no article text" in stats.stdout, stats.stdout


def test_allow_and_depth_limit_what_is_followed(tmp_path: Path, replica_site: ReplicaSite,
                                                replica_server: ReplicaServer) -> None:
    start = replica_server.base_url + replica_site.list_pages[0]
    result = run_cli("--db", f"sqlite:///{tmp_path / 'a.db'}", "crawl", "generic", "-a", f"start_url={start}",
                     "-a", "depth=1", "-a", "allow=/nothing-matches-this/")
    assert result.returncode in (0, 1), result.stderr[-3000:]
    # the start page, and robots.txt (read by Scrapy for its rules and by the spider for Sitemap: lines) only
    assert set(replica_server.hits) <= {"/robots.txt", replica_site.list_pages[0]}


def test_bad_arguments_say_what_to_give() -> None:
    with pytest.raises(ValueError, match="start_url"):
        GenericSpider(start_url="www.example.cn")
    with pytest.raises(ValueError, match="depth"):
        GenericSpider(start_url="http://www.example.cn/", depth="deep")
    with pytest.raises(ValueError, match="allow"):
        GenericSpider(start_url="http://www.example.cn/", allow="(")


@pytest.fixture
def announcing_server() -> Iterator[tuple[ReplicaServer, XinhuaSite]]:
    with ReplicaServer(build_xinhua_site(), port=0) as server:  # type: ignore[arg-type] - serves any object with .pages
        server.site = build_announcing_site(server.base_url)  # type: ignore[assignment]
        yield server, server.site  # type: ignore[misc]


def crawl_announced(db_file: Path, server: ReplicaServer, *arguments: str) -> set[str]:
    crawl_replica(db_file, "generic", f"start_url={server.base_url}/", "template=xinhua",
                  f"feeds={server.base_url}{ATOM_PATH}", *arguments)
    return set(archived_by_url(db_file))


def test_a_site_is_crawled_by_its_sitemap_index_and_feeds_and_a_recrawl_fetches_no_article_again(
    tmp_path: Path, announcing_server: tuple[ReplicaServer, XinhuaSite]
) -> None:
    server, site = announcing_server
    db_file = tmp_path / "archive.db"
    urls = crawl_announced(db_file, server, "depth=0")
    assert urls == {server.base_url + a.path for a in site.articles}
    for path in ("/sitemap_index.xml", "/sitemaps/2022.xml.gz", "/sitemaps/2021.xml", "/rss.xml", ATOM_PATH):
        assert server.hits[path] == 1, path
    first = server.hits.copy()
    assert crawl_announced(db_file, server, "depth=0", "recheck_days=0") == urls
    assert all(server.hits[a.path] == first[a.path] == 1 for a in site.articles)


def test_date_bounds_skip_announced_pages_and_sitemaps_dated_outside_them(
    tmp_path: Path, announcing_server: tuple[ReplicaServer, XinhuaSite]
) -> None:
    server, site = announcing_server
    urls = crawl_announced(tmp_path / "archive.db", server, "depth=0", "since=2022-01-01")
    assert urls == {server.base_url + a.path for a in site.articles if a.day >= "2022-01-01"}
    assert server.hits["/sitemaps/2021.xml"] == 0  # its lastmod in the index is before since
    assert all(server.hits[a.path] == 0 for a in site.articles if a.day < "2022-01-01")


def test_announced_urls_count_as_the_start_site_whatever_their_scheme_or_www_but_not_another_port() -> None:
    spider = GenericSpider(start_url="http://www.example.cn/news/")
    assert spider.on_start_host("https://www.example.cn/sitemap.xml")
    assert spider.on_start_host("http://example.cn:80/a.html")
    assert not spider.on_start_host("http://www.example.cn:8080/a.html")
    assert not spider.on_start_host("http://news.example.com/a.html")
    assert not spider.on_start_host("ftp://www.example.cn/a.html")
