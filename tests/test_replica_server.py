"""The replica's HTTP server answers like a real news site's server (on 127.0.0.1 only)."""

from __future__ import annotations

import urllib.error
import urllib.request
import urllib.robotparser
from collections.abc import Iterator

import pytest

from crawler.replica.server import ReplicaServer, running_replica
from crawler.replica.site import ReplicaSite, build_site


@pytest.fixture(scope="module")
def site() -> ReplicaSite:
    return build_site(seed=11, articles=40)


@pytest.fixture(scope="module")
def server(site: ReplicaSite) -> Iterator[ReplicaServer]:
    with ReplicaServer(site) as running:
        yield running


def fetch(url: str, method: str = "GET", headers: dict[str, str] | None = None):
    """(status, headers, body) without raising on 304/404."""
    request = urllib.request.Request(url, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


def test_article_is_served_with_declared_charset_and_validators(site: ReplicaSite, server: ReplicaServer) -> None:
    article = next(a for a in site.canonical_articles if a.encoding == "gbk")
    status, headers, body = fetch(server.base_url + article.path)
    assert status == 200
    assert body == site.pages[article.path].body
    assert headers["Content-Type"] == "text/html; charset=GB2312"
    assert headers["ETag"].startswith('"') and headers["Last-Modified"].endswith("GMT")
    assert int(headers["Content-Length"]) == len(body)


def test_utf8_page_that_claims_gb2312_keeps_lying_in_the_header(site: ReplicaSite, server: ReplicaServer) -> None:
    article = next(a for a in site.canonical_articles if a.encoding == "utf-8" and a.declared_charset == "GB2312")
    status, headers, body = fetch(server.base_url + article.path)
    assert status == 200 and "charset=GB2312" in headers["Content-Type"]
    assert article.title in body.decode("utf-8")


def test_conditional_get_answers_304_only_when_unchanged(site: ReplicaSite, server: ReplicaServer) -> None:
    url = server.base_url + site.canonical_articles[3].path
    _, headers, _ = fetch(url)
    etag, modified = headers["ETag"], headers["Last-Modified"]
    status, again, body = fetch(url, headers={"If-None-Match": etag})
    assert (status, body, again["ETag"]) == (304, b"", etag)
    assert fetch(url, headers={"If-None-Match": '"something-else"'})[0] == 200
    assert fetch(url, headers={"If-Modified-Since": modified})[0] == 304
    assert fetch(url, headers={"If-Modified-Since": "Sat, 01 Feb 2020 00:00:00 GMT"})[0] == 200
    assert fetch(url, headers={"If-Modified-Since": "not a date"})[0] == 200


def test_head_sends_headers_without_body(site: ReplicaSite, server: ReplicaServer) -> None:
    path = site.list_pages[0]
    status, headers, body = fetch(server.base_url + path, method="HEAD")
    assert status == 200 and body == b""
    assert int(headers["Content-Length"]) == len(site.pages[path].body)


def test_missing_pages_and_the_dead_link_give_404(site: ReplicaSite, server: ReplicaServer) -> None:
    assert fetch(server.base_url + site.missing_paths[0])[0] == 404
    assert fetch(server.base_url + "/no/such/page.html")[0] == 404


def test_query_strings_are_ignored_like_a_static_server(site: ReplicaSite, server: ReplicaServer) -> None:
    path = site.canonical_articles[0].path
    status, _, body = fetch(f"{server.base_url}{path}?from=timeline")
    assert status == 200 and body == site.pages[path].body


def test_robots_txt_blocks_only_admin(site: ReplicaSite, server: ReplicaServer) -> None:
    status, headers, _ = fetch(server.base_url + "/robots.txt")
    assert status == 200 and headers["Content-Type"].startswith("text/plain")
    robots = urllib.robotparser.RobotFileParser(server.base_url + "/robots.txt")
    robots.read()
    assert not robots.can_fetch("newsarchive", server.base_url + "/admin/login.html")
    assert robots.can_fetch("newsarchive", server.base_url + site.canonical_articles[0].path)
    assert robots.can_fetch("newsarchive", server.base_url + site.list_pages[0])


def test_hits_count_requests_per_target(site: ReplicaSite) -> None:
    path = site.canonical_articles[1].path
    with ReplicaServer(site) as fresh:
        fetch(fresh.base_url + path)
        fetch(fresh.base_url + path, method="HEAD")
        fetch(fresh.base_url + path + "?a=1")
        fetch(fresh.base_url + "/missing.html")
        assert fresh.hits[path] == 2
        assert fresh.hits[path + "?a=1"] == 1
        assert fresh.hits["/missing.html"] == 1
        assert sum(fresh.hits.values()) == 4


def test_running_replica_yields_base_url_and_stops_afterwards(site: ReplicaSite) -> None:
    with running_replica(site) as base_url:
        assert base_url.startswith("http://127.0.0.1:")
        assert fetch(base_url + site.list_pages[0])[0] == 200
    with pytest.raises(urllib.error.URLError):
        urllib.request.urlopen(base_url + site.list_pages[0], timeout=2)
