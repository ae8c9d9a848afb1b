"""The request gate: what a crawl will and will not fetch (crawler/fetch_rules.py and its middleware).

The end-to-end tests crawl a hostile local site (tests/hostile_site.py) whose pager,
redirects and meta refreshes point at another host and at local files, and check that
nothing was fetched from them, nothing of them stored, and every refusal recorded.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from scrapy import Request
from scrapy.utils.test import get_crawler
from sqlalchemy import select

from crawler.contrib.scrapy.middlewares.gate import RefusedRequest, RequestGate
from crawler.fetch_rules import is_private_address, refusal
from crawler.replica.server import ReplicaServer
from crawler.replica.site import ReplicaSite
from crawler.spiders.generic import GenericSpider
from crawler.spiders.people import PeopleSpider
from models.engine import make_engine
from models.schema import ArticleUrl, ArticleVersion, Capture, CrawlJob
from tests.conftest import run_cli
from tests.db_fixtures import empty_database_url
from tests.hostile_site import FORGED_TITLE, OTHER_HOST, SECRET_MARKERS, SECRET_TEXT, hostile_pages, other_host_site, page_number_links

SITES = frozenset({"js.people.com.cn"})


@pytest.mark.parametrize("url", [
    "http://js.people.com.cn/n2/2022/0213/c360307-1.html",
    "https://js.people.com.cn/n2/2022/0213/c360307-1-2.html",
    "http://www.js.people.com.cn/",
    "https://JS.People.com.cn:8443/GB/index.html",
])
def test_the_same_host_on_http_https_www_or_another_port_is_one_site(url: str) -> None:
    assert refusal(url, SITES) is None


@pytest.mark.parametrize(("url", "reason"), [
    ("file:///etc/passwd", "scheme"),
    ("data:text/html,<h1>x</h1>", "scheme"),
    ("ftp://js.people.com.cn/x", "scheme"),
    ("s3://bucket/key", "scheme"),
    ("http://localhost:8902/creds", "offsite"),
    ("http://sh.people.com.cn/n2/2022/0213/c1-1.html", "offsite"),
    ("http://js.people.com.cn.evil.example/", "offsite"),
    ("http://evil.example/?js.people.com.cn", "offsite"),
    ("http:///no-host", "offsite"),
])
def test_other_schemes_and_other_hosts_are_refused(url: str, reason: str) -> None:
    refused = refusal(url, SITES)
    assert refused is not None and refused.reason == reason


@pytest.mark.parametrize(("host", "private"), [
    ("127.0.0.1", True), ("localhost", True), ("10.1.2.3", True), ("192.168.0.1", True), ("172.16.5.4", True),
    ("169.254.169.254", True), ("::1", True), ("[::ffff:127.0.0.1]", True), ("fe80::1", True), ("0.0.0.0", True),
    ("8.8.8.8", False), ("js.people.com.cn", False), ("2001:4860:4860::8888", False),
])
def test_private_loopback_and_link_local_addresses_are_recognised(host: str, private: bool) -> None:
    assert is_private_address(host) is private


def test_private_addresses_are_refused_only_where_the_crawl_says_so() -> None:
    sites = frozenset({"10.0.0.5"})
    assert refusal("http://10.0.0.5/a.html", sites) is None
    refused = refusal("http://10.0.0.5/a.html", sites, private_allowed=False)
    assert refused is not None and refused.reason == "private_address"


def test_a_generic_crawl_refuses_private_addresses_unless_it_starts_at_one() -> None:
    public = GenericSpider(start_url="https://www.example.cn/news/")
    local = GenericSpider(start_url="http://127.0.0.1:8800/GB/index.html")
    assert public.allowed_sites == frozenset({"example.cn"}) and not public.private_addresses_allowed
    assert local.allowed_sites == frozenset({"127.0.0.1"}) and local.private_addresses_allowed


def test_a_spider_knows_its_sites_before_it_runs() -> None:
    assert PeopleSpider(channel="js").allowed_sites == frozenset({"js.people.com.cn"})
    assert PeopleSpider(channel="js", base_url="http://127.0.0.1:8800").allowed_sites == frozenset({"127.0.0.1"})


def test_a_dont_filter_request_to_another_host_is_refused_counted_and_logged(caplog: pytest.LogCaptureFixture) -> None:
    crawler = get_crawler(PeopleSpider)
    crawler.spider = PeopleSpider.from_crawler(crawler, channel="js")
    gate = RequestGate.from_crawler(crawler)
    gate.process_request(Request("http://js.people.com.cn/n2/2022/0213/c1-2.html", dont_filter=True))
    page = Request("http://localhost:8902/n2/2022/0213/c1-2.html", dont_filter=True,
                   headers={"Referer": "http://js.people.com.cn/n2/2022/0213/c1-1.html"})
    with pytest.raises(RefusedRequest):
        gate.process_request(page)
    with pytest.raises(RefusedRequest):
        gate.process_request(Request("file:///etc/passwd", dont_filter=True))
    assert crawler.stats.get_value("newsarchive/refused/offsite") == 1
    assert crawler.stats.get_value("newsarchive/refused/scheme") == 1
    assert "Refused http://localhost:8902/n2/2022/0213/c1-2.html (linked from http://js.people.com.cn/" in caplog.text


# -- a crawl of a hostile site ------------------------------------------------------


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def hostile_crawl(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory,
                  replica_site: ReplicaSite) -> Iterator[dict[str, Any]]:
    """One crawl of the hostile site per database, shared by the tests below."""
    tmp_path = tmp_path_factory.mktemp("hostile")
    db_url = empty_database_url(request, tmp_path)
    secret = tmp_path / "creds.txt"
    secret.write_text(SECRET_TEXT, "utf-8")
    with ReplicaServer(other_host_site(), host=OTHER_HOST, port=0) as other:
        other_base = other.base_url
        site, article_path = hostile_pages(replica_site, other_base, secret)
        with ReplicaServer(site, port=0) as server:  # type: ignore[arg-type] - serves any path → page map
            result = run_cli("--db", db_url, "crawl", "generic", "-a", f"start_url={server.base_url}/index.html",
                             "-a", "depth=3")
        yield {"result": result, "other_hits": dict(other.hits), "hits": dict(server.hits), "db": db_url,
               "base": server.base_url, "article": article_path, "site": site, "other": other_base}


def test_a_hostile_site_cannot_make_the_crawler_fetch_another_host_or_a_local_file(hostile_crawl) -> None:
    result, site = hostile_crawl["result"], hostile_crawl["site"]
    assert result.returncode in (0, 1), result.stderr[-3000:]
    pager = page_number_links(site.pages[hostile_crawl["article"]].body)
    assert any(link.startswith(hostile_crawl["other"]) for link in pager) and any(l.startswith("file:") for l in pager)
    assert hostile_crawl["hits"]["/go/other"] == 1 and hostile_crawl["hits"]["/refresh-file.html"] == 1
    assert hostile_crawl["other_hits"] == {}  # not one request reached the other host
    output = result.stdout + result.stderr
    assert not [marker for marker in (*SECRET_MARKERS, FORGED_TITLE) if marker in output]
    # Scrapy's RemoteControl (runs code sent over HTTP, leaves token files) is not among the extensions
    assert "Enabled extensions" in result.stderr and "RemoteControl" not in result.stderr


def test_nothing_from_another_host_or_a_local_file_is_stored(hostile_crawl) -> None:
    engine = make_engine(hostile_crawl["db"])
    with engine.connect() as conn:
        captures = conn.execute(select(Capture.url, Capture.body)).all()
        urls = set(conn.scalars(select(ArticleUrl.url)))
        bodies = [json.dumps(item, ensure_ascii=False) for item in conn.scalars(select(ArticleVersion.item))]
    engine.dispose()
    base = hostile_crawl["base"]
    assert base + hostile_crawl["article"] in urls  # the article itself is archived, as one page
    assert {urlsplit(url).netloc for url in {u for u, _ in captures} | urls} == {urlsplit(base).netloc}
    stored = b"".join(body or b"" for _, body in captures).decode("utf-8", "replace") + "".join(bodies)
    assert not [marker for marker in (*SECRET_MARKERS, FORGED_TITLE) if marker in stored]


def test_every_refused_redirect_and_refresh_is_counted_and_logged(hostile_crawl) -> None:
    engine = make_engine(hostile_crawl["db"])
    with engine.connect() as conn:
        stats = conn.scalars(select(CrawlJob.stats)).one()
    engine.dispose()
    # other host: 302, 301 to https, meta refresh; other scheme: 302 to file:, 302 to data:, meta refresh to file:
    assert stats.get("newsarchive/refused/offsite") == 3
    assert stats.get("newsarchive/refused/scheme") == 3
    log = hostile_crawl["result"].stderr
    other = hostile_crawl["other"]
    for refused in (f"{other}/stolen.html", other.replace("http:", "https:") + "/stolen-tls.html",
                    f"{other}/refreshed.html", "file://", "data:text/html"):
        assert f"Refused {refused}" in log, refused


def test_a_refused_url_with_a_password_is_logged_masked(caplog: pytest.LogCaptureFixture) -> None:
    crawler = get_crawler(PeopleSpider)
    crawler.spider = PeopleSpider.from_crawler(crawler, channel="js")
    with pytest.raises(RefusedRequest):
        RequestGate.from_crawler(crawler).process_request(Request("http://admin:hunter2@127.0.0.2/", dont_filter=True))
    assert "http://admin:***@127.0.0.2/" in caplog.text and "hunter2" not in caplog.text
