"""Per-host politeness in real crawls of the replica: Crawl-delay, Retry-After, block pages, unreachable sites."""

from __future__ import annotations

import re
import socket
import sqlite3
from pathlib import Path

from crawler.pauses import retry_after
from crawler.replica.pages import ReplicaPage
from crawler.replica.refusals import WAF_CHALLENGE, rate_limited
from crawler.replica.server import ReplicaServer
from crawler.replica.site import build_site
from tests.conftest import run_cli

ARTICLES = 20
#: Pauses short enough for tests; the defaults (60 s, 10 s) are for real sites.
FAST_PAUSES = ("-s", "NEWSARCHIVE_BLOCK_PAUSE=0.2", "-s", "NEWSARCHIVE_BACKOFF=0.2")


def crawl(db_file: Path, base_url: str, *extra: str, timeout: float = 120):
    return run_cli("--db", f"sqlite:///{db_file}", "crawl", "people", "-a", "channel=js",
                   "-a", f"base_url={base_url}", *FAST_PAUSES, *extra, timeout=timeout)


def stored_titles(db_file: Path) -> list[str]:
    with sqlite3.connect(db_file) as conn:
        return [title for (title,) in conn.execute("select title from article")]


def summary_count(stdout: str, label: str) -> int:
    return int(re.search(rf"^\s+{label}\s+(\d+)", stdout, re.MULTILINE)[1])


def arrivals(server: ReplicaServer, target: str) -> list[float]:
    return [when for when, path in server.requests if path == target]


def test_retry_after_reads_seconds_and_dates_and_ignores_garbage() -> None:
    assert retry_after(b"7") == 7.0
    assert retry_after(b"Wed, 21 Oct 2015 07:28:00 GMT") == 0.0  # in the past: no wait
    assert retry_after(b"soon") is None
    assert retry_after(None) is None


def test_a_waf_challenge_is_counted_paused_and_the_page_fetched_again(tmp_path: Path) -> None:
    site = build_site(articles=ARTICLES)
    target = site.canonical_articles[3].path
    with ReplicaServer(site) as server:
        server.once[target] = WAF_CHALLENGE
        result = crawl(tmp_path / "archive.db", server.base_url)
        times = arrivals(server, target)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    assert summary_count(result.stdout, "blocked") == 1
    assert len(times) == 2 and times[1] - times[0] >= 0.15  # fetched again after the host's pause
    assert site.canonical_articles[3].title in stored_titles(tmp_path / "archive.db")
    assert summary_count(result.stdout, "articles new") == len(site.canonical_articles)
    assert "Block page from 127.0.0.1 (WAF challenge page (cookie acw_tc))" in result.stderr


def test_a_site_answering_too_frequent_is_blocked_state_not_articles(tmp_path: Path) -> None:
    site = build_site(articles=ARTICLES, variant="blocked")
    with ReplicaServer(site) as server:
        # one request at a time with a delay, as for real sites (the replica's loopback lifts both)
        result = crawl(tmp_path / "archive.db", server.base_url, "-s", "NEWSARCHIVE_BLOCK_STOP_AFTER=3",
                       "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=1", "-s", "DOWNLOAD_DELAY=0.01")
        article_requests = sum(n for path, n in server.hits.items() if path.startswith("/n2/"))
    assert result.returncode != 0
    assert stored_titles(tmp_path / "archive.db") == []
    assert summary_count(result.stdout, "blocked") == 3
    assert article_requests == 3  # given up: the other article pages are not even asked for
    assert "Gave up 127.0.0.1: 3 block pages in a row" in result.stderr
    assert "articles     FAILED: only 0 articles seen (minimum 1): blocked by the site" in result.stdout
    assert "access       FAILED: blocked by the site: 3 block/challenge/captcha pages; gave up 127.0.0.1" in result.stdout
    assert "list pages still link" not in result.stdout


def test_a_429_with_retry_after_pauses_the_host_that_long(tmp_path: Path) -> None:
    site = build_site(articles=ARTICLES)
    with ReplicaServer(site) as server:
        server.once[site.start_path] = rate_limited("1")
        result = crawl(tmp_path / "archive.db", server.base_url)
        times = arrivals(server, site.start_path)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    assert len(times) == 2 and times[1] - times[0] >= 0.95
    assert summary_count(result.stdout, "articles new") == len(site.canonical_articles)
    assert "answered 429" in result.stderr and "as its Retry-After asks" in result.stderr


def test_robots_txt_crawl_delay_spaces_every_request_and_is_logged(tmp_path: Path) -> None:
    site = build_site(articles=ARTICLES)
    site.pages["/robots.txt"] = ReplicaPage(200, "text/plain", b"User-agent: *\nCrawl-delay: 0.25\nDisallow: /admin/\n")
    with ReplicaServer(site) as server:
        result = crawl(tmp_path / "archive.db", server.base_url, "-a", "since=2020-05-20")
        times = sorted(when for when, path in server.requests if path != "/robots.txt")
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    assert len(times) >= 3
    assert min(b - a for a, b in zip(times, times[1:])) >= 0.2  # one at a time, never sooner than asked
    assert "asks for Crawl-delay 0.25 s: at most 14400 pages an hour" in result.stderr


def test_a_host_that_does_not_resolve_is_reported_as_unreachable(tmp_path: Path) -> None:
    result = crawl(tmp_path / "archive.db", "http://no-such-channel.invalid", "-s", "RETRY_TIMES=0",
                   "-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=False")
    assert result.returncode != 0
    assert "site unreachable: DNS lookup failed for no-such-channel.invalid" in result.stdout
    assert "list pages still link" not in result.stdout


def test_a_closed_port_is_reported_as_refused(tmp_path: Path) -> None:
    with socket.socket() as probe:  # a port that was free a moment ago, with nobody listening
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    result = crawl(tmp_path / "archive.db", f"http://127.0.0.1:{port}")
    assert result.returncode != 0
    assert f"site unreachable: connection refused by 127.0.0.1:{port}" in result.stdout
