"""The people spider on the channel layouts of the real site: https moves, nested lists, old URLs."""

from __future__ import annotations

import sqlite3
from datetime import date
from pathlib import Path

import pytest

from crawler.replica.channel_lists import CITY_HUB, CITY_LISTS
from crawler.replica.server import ReplicaServer
from crawler.replica.site import ReplicaSite, build_site
from crawler.spiders.people import LIST_PAGE_PATH, PeopleSpider, article_day, channels
from models.engine import make_engine, session_factory
from operations.replica_check import ReplicaCheck, check_archive
from tests.conftest import run_cli
from tests.tls import self_signed_context

ARTICLES = 40
#: A loopback address of its own, so the two ports below are one host and nothing else.
TLS_ADDRESS = "127.0.0.2"


def crawl(db_file: Path, base_url: str, *arguments: str) -> str:
    result = run_cli("--db", f"sqlite:///{db_file}", "crawl", "people", "-a", "channel=js",
                     "-a", f"base_url={base_url}", *arguments)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-3000:]
    return result.stdout


def checked(db_file: Path, site: ReplicaSite, base_url: str) -> ReplicaCheck:
    engine = make_engine(f"sqlite:///{db_file}")
    try:
        with session_factory(engine)() as session:
            return check_archive(session, site, base_url)
    finally:
        engine.dispose()


def shown_urls(db_file: Path) -> list[str]:
    with sqlite3.connect(db_file) as conn:
        return [url for (url,) in conn.execute("select canonical_url from article")]


@pytest.mark.parametrize("path, day", [
    ("/n2/2022/0213/c360301-35131247.html", date(2022, 2, 13)),
    ("/n1/2021/0101/c1001-31985678.html", date(2021, 1, 1)),
    ("/n/2014/0515/c364565-25020276.html", date(2014, 5, 15)),
    ("/big5/n2/2020/0412/c360302-31603566.html", date(2020, 4, 12)),
])
def test_article_urls_of_every_generation_are_dated_from_their_path(path: str, day: date) -> None:
    assert article_day("http://js.people.com.cn" + path) == day


@pytest.mark.parametrize("path, is_list", [
    ("/GB/360302/index.html", True),
    ("/GB/360302/index12.html", True),
    ("/GB/361417/359575/index.html", True),
    ("/GB/361417/359576/359764/359765/index2.html", True),
    ("/index3.html", True),
    ("/GB/360302/n2/index.html", False),
    ("/n2/2022/0213/c360301-35131247.html", False),
    ("/GB/360302/indexes.html", False),
])
def test_list_pages_are_recognised_at_any_depth_and_on_the_home_page(path: str, is_list: bool) -> None:
    assert bool(LIST_PAGE_PATH.match(path)) is is_list


def test_a_channel_moved_to_https_is_crawled_whole_from_its_http_base_url(tmp_path: Path) -> None:
    """The http port answers every request with a 301 to the https port (two free ports
    on one loopback address: a site is its host, so they are one site, as :80/:443 are)."""
    site = build_site(articles=ARTICLES)
    tls = self_signed_context(tmp_path, TLS_ADDRESS)
    with ReplicaServer(site, TLS_ADDRESS, tls=tls) as https, \
            ReplicaServer(site, TLS_ADDRESS, redirect_to=https.base_url) as http:
        stdout = crawl(tmp_path / "archive.db", http.base_url)
        redirected = dict(http.hits)
    report = checked(tmp_path / "archive.db", site, https.base_url)
    assert report.missing == [] and report.archived == len(site.canonical_articles), stdout
    assert report.articles_in_archive == len(site.canonical_articles)
    assert report.mirrors_linked == report.mirrors_expected > 0
    # once the move is known, links are followed on https directly: one redirect, not one per page
    assert redirected == {"/robots.txt": 1, site.start_path: 1}
    assert all(url.startswith(https.base_url + "/") for url in shown_urls(tmp_path / "archive.db"))
    with sqlite3.connect(tmp_path / "archive.db") as conn:
        chain = conn.execute("select url, status from capture where status = 301").fetchall()
    assert chain == [(http.base_url + site.start_path, 301)]  # the redirect answer is archived raw


def test_an_article_of_an_http_only_site_is_shown_with_its_http_url(tmp_path: Path) -> None:
    site = build_site(articles=ARTICLES, variant="nested_lists")
    with ReplicaServer(site) as server:
        crawl(tmp_path / "archive.db", server.base_url, "-a", "lists=/")
    urls = shown_urls(tmp_path / "archive.db")
    assert urls and all(url.startswith(server.base_url + "/n") for url in urls)


def test_nested_city_lists_and_home_page_pagers_are_all_followed(tmp_path: Path) -> None:
    site = build_site(articles=ARTICLES, variant="nested_lists")
    with ReplicaServer(site) as server:
        stdout = crawl(tmp_path / "archive.db", server.base_url, "-a", "lists=/")
        fetched = set(server.hits)
    report = checked(tmp_path / "archive.db", site, server.base_url)
    assert report.missing == [], stdout
    assert report.archived == report.articles_in_archive == len(site.canonical_articles)
    assert CITY_HUB in fetched and "/index2.html" in fetched
    for folder in CITY_LISTS.values():
        assert {folder + "index.html", folder + "index2.html"} <= fetched
    assert not any("#" in target for target in fetched)  # fragments never reach the server


def test_pre_2015_article_urls_are_dated_and_bounded_like_the_others(tmp_path: Path) -> None:
    site = build_site(articles=ARTICLES, variant="old_urls")
    old = [a for a in site.canonical_articles if a.path.startswith("/n/")]
    assert old
    since, until = "2020-04-01", "2020-05-31"
    with ReplicaServer(site) as server:
        crawl(tmp_path / "archive.db", server.base_url, "-a", f"since={since}", "-a", f"until={until}")
        fetched = set(server.hits)
    report = checked(tmp_path / "archive.db", site, server.base_url)
    inside = {a.path for a in site.canonical_articles if since <= str(article_day("http://x" + a.path)) <= until}
    assert {a.path for a in old} & inside and {a.path for a in old} - inside  # both kinds present
    assert inside <= fetched
    assert set(report.missing) == {a.path for a in site.canonical_articles} - inside
    assert not ({a.path for a in old} - inside) & fetched  # out of bounds: never requested


def test_jiangsu_city_lists_are_data_each_marked_verified_or_not() -> None:
    city_lists = channels()["js"]["city_lists"]
    assert {entry["path"] for entry in city_lists} >= {folder + "index.html" for folder in CITY_LISTS.values()}
    for entry in city_lists:
        assert LIST_PAGE_PATH.match(entry["path"]), entry
        assert isinstance(entry["verified"], bool) and entry["evidence"], entry


def test_a_live_crawl_starts_from_the_city_lists_and_a_copy_only_when_asked() -> None:
    city = [entry["path"] for entry in channels()["js"]["city_lists"]]
    assert set(city) <= set(PeopleSpider(channel="js").list_paths)
    copy = PeopleSpider(channel="js", base_url="http://127.0.0.1:8800").list_paths
    assert copy == channels()["js"]["lists"]
    assert set(city) <= set(PeopleSpider(channel="js", base_url="http://127.0.0.1:8800", lists="all").list_paths)
