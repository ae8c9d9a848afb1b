"""The frontier's schema: workers take only our own requests from Redis; the rest is dead-lettered."""

from __future__ import annotations

import json
import os
import pickle
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import redis
import scrapy
from sqlalchemy import select

from crawler.distributed import serializer
from crawler.distributed.entries import BadEntry, read_entry
from crawler.distributed.frontier import FrontierKeys, LeasedQueue
from crawler.contrib.scrapy.middlewares.politeness import BLOCK_RETRIES_META
from crawler.replica.server import ReplicaServer
from crawler.replica.site import ReplicaSite
from crawler.spiders.people import PeopleSpider
from models.engine import make_engine
from models.schema import ArticleUrl, ArticleVersion, Capture, CrawlJob
from tests.conftest import run_cli
from tests.distributed_support import REDIS_URL, frontier, redis_server  # noqa: F401 - fixtures
from tests.hostile_site import FORGED_TITLE, OTHER_HOST, SECRET_MARKERS, SECRET_TEXT, other_host_site
from tests.services import REPO

SPIDER = PeopleSpider(channel="js", base_url="http://127.0.0.1:8800")
GOOD = "http://127.0.0.1:8800/n2/2022/0213/c360307-35131671.html"


def entry(url: str = GOOD, **fields: Any) -> str:
    return serializer.dumps({**scrapy.Request(url, callback=SPIDER.parse_article).to_dict(spider=SPIDER), **fields})


def forged_pages() -> list[dict[str, Any]]:
    return [{"url": GOOD, "title": FORGED_TITLE, "body": "伪造的正文。" * 20}]


def test_a_request_the_spider_pushed_is_read_back() -> None:
    request = read_entry(entry(meta={"depth": 2, "is_start_request": False}), SPIDER)
    assert request.url == GOOD and request.callback == SPIDER.parse_article and request.meta["depth"] == 2
    lister = scrapy.Request("http://127.0.0.1:8800/GB/1/index.html", callback=SPIDER.parse_list, cb_kwargs={"depth": 3})
    assert read_entry(serializer.dumps(lister.to_dict(spider=SPIDER)), SPIDER).cb_kwargs == {"depth": 3}


def test_a_request_asked_again_after_a_block_page_keeps_its_count_through_the_queue() -> None:
    request = read_entry(entry(meta={BLOCK_RETRIES_META: 1}), SPIDER)
    assert request.meta[BLOCK_RETRIES_META] == 1
    with pytest.raises(BadEntry, match="holds a str"):
        read_entry(entry(meta={BLOCK_RETRIES_META: "1"}), SPIDER)


@pytest.mark.parametrize(("payload", "reason"), [
    (b"not json at all", "not JSON"),
    (pickle.dumps({"url": GOOD}), "pickled"),
    (json.dumps({"hello": "world"}), "not a request"),
    (entry("file:///etc/passwd"), "scheme"),
    (entry("http://127.0.0.2:8902/creds"), "offsite"),
    (entry(callback="parse_next_page"), "unknown callback 'parse_next_page'"),
    (entry(callback="__init__"), "unknown callback"),
    (entry(errback="close"), "unknown errback"),
    (entry(meta={"pages_done": forged_pages()}), "meta key 'pages_done'"),
    (entry(meta={"proxy": "http://evil.example:3128"}), "meta key 'proxy'"),
    (entry(meta={"dont_obey_robotstxt": True}), "meta key 'dont_obey_robotstxt'"),
    (entry(meta={"depth": "deep"}), "meta key 'depth' holds a str"),
    (entry(cb_kwargs={"depth": 1}), "takes no argument 'depth'"),
    (entry(method="POST"), "only GET and HEAD"),
    (entry(headers={"Host": ["evil.example"]}), "header 'Host'"),
    (entry(_class="scrapy.http.FormRequest"), "unknown request fields"),
])
def test_an_entry_that_is_not_one_of_our_requests_is_refused_with_the_reason(payload: Any, reason: str) -> None:
    with pytest.raises(BadEntry, match=reason.replace("(", r"\(")):
        read_entry(payload, SPIDER)


def test_refused_entries_are_dead_lettered_and_acknowledged_and_the_next_good_one_is_taken(
    redis_server: redis.Redis, frontier: FrontierKeys
) -> None:
    queue = LeasedQueue(redis_server, SPIDER, frontier.requests, serializer, frontier=frontier, worker="w1",
                        lease_seconds=30)
    for bad in (b"garbage", entry("file:///etc/passwd"), entry(callback="parse_next_page")):
        queue.push_payload(bad, priority=10)  # more urgent than the good one: popped first
    queue.push_payload(entry(), priority=0)
    request, payload = queue.pop()
    assert request.url == GOOD
    assert queue.dead_lettered == 3
    assert queue.state().queued == 0 and queue.state().leased == 1  # only the good one is held
    queue.ack([payload])
    assert queue.state().empty
    letters = [json.loads(raw) for raw in redis_server.lrange(frontier.dead, 0, -1)]
    assert len(letters) == 3 and int(redis_server.get(frontier.dead_total)) == 3
    assert any("scheme" in letter["reason"] for letter in letters)
    assert any("unknown callback" in letter["reason"] for letter in letters)
    assert all(letter["worker"] == "w1" for letter in letters)


# -- a worker fed hostile entries ---------------------------------------------------------


@pytest.fixture
def hostile_frontier(tmp_path: Path, replica_site: ReplicaSite, db_url: str, redis_server: redis.Redis,
                     frontier: FrontierKeys) -> Iterator[dict[str, Any]]:
    """Seed a small people crawl of the replica, push hostile entries beside it, run one worker."""
    secret = tmp_path / "creds.txt"
    secret.write_text(SECRET_TEXT, "utf-8")
    with ReplicaServer(other_host_site(), host=OTHER_HOST, port=0) as other, ReplicaServer(replica_site, port=0) as server:
        other_base = other.base_url
        common = ["--redis", REDIS_URL, "--frontier", frontier.name]
        arguments = ["-a", "channel=js", "-a", f"base_url={server.base_url}", "-a", f"lists={replica_site.list_pages[0]}",
                     "-a", "max_list_pages=1"]
        seeded = run_cli("--db", db_url, "seed", "people", *arguments, *common)
        assert seeded.returncode == 0, seeded.stderr
        spider = PeopleSpider(channel="js", base_url=server.base_url)
        article = next(a for a in replica_site.canonical_articles if len(a.paths) == 1)
        forged = scrapy.Request(server.base_url + "/n2/2099/0101/c1-1.html", callback=spider.parse_article)
        hostile = [
            b"\x80\x04garbage that looks like a pickle",
            json.dumps({"url": 42}),
            serializer.dumps(scrapy.Request(f"file://{secret}", callback=spider.parse_article).to_dict(spider=spider)),
            serializer.dumps(scrapy.Request(f"{other_base}/stolen.html", callback=spider.parse_article).to_dict(spider=spider)),
            serializer.dumps({**forged.to_dict(spider=spider), "callback": "parse_next_page",
                              "meta": {"pages_done": [{"url": server.base_url + article.path, "title": FORGED_TITLE}]}}),
        ]
        for payload in hostile:
            redis_server.zadd(frontier.requests, {payload: -100})
        env = {"PYTHONPATH": str(REPO)}
        worker = subprocess.run([sys.executable, "-m", "cli.main", "--db", db_url, "crawl", "people", "--distributed",
                                 *common, "--idle-close", "2"], cwd=tmp_path, env={**os.environ, **env},
                                capture_output=True, text=True, timeout=240)
        status = run_cli("seed", "people", "--status", *common)
        yield {"worker": worker, "status": status, "other_hits": dict(other.hits), "db": db_url,
               "hits": dict(server.hits), "hostile": len(hostile)}


def test_a_worker_fed_hostile_entries_dead_letters_them_and_still_finishes(hostile_frontier: dict[str, Any]) -> None:
    worker = hostile_frontier["worker"]
    assert worker.returncode in (0, 1), worker.stderr[-3000:]
    assert "Traceback" not in worker.stderr
    assert hostile_frontier["other_hits"] == {}
    assert not [h for h in hostile_frontier["hits"] if "2099" in h]  # the forged page was never fetched either
    engine = make_engine(hostile_frontier["db"])
    with engine.connect() as conn:
        stats = conn.scalars(select(CrawlJob.stats)).one()
        stored = "".join(json.dumps(i, ensure_ascii=False) for i in conn.scalars(select(ArticleVersion.item)))
        stored += b"".join(b or b"" for b in conn.scalars(select(Capture.body))).decode("utf-8", "replace")
        urls = set(conn.scalars(select(ArticleUrl.url))) | set(conn.scalars(select(Capture.url)))
    engine.dispose()
    assert stats["newsarchive/distributed/dead_letters"] == hostile_frontier["hostile"]
    assert stats.get("newsarchive/articles/new", 0) > 0  # the real crawl went on around them
    assert not [m for m in (*SECRET_MARKERS, FORGED_TITLE) if m in stored + worker.stderr]
    assert not [url for url in urls if "2099" in url or url.startswith("file:") or OTHER_HOST in url]


def test_seed_status_shows_the_dead_letters_and_why(hostile_frontier: dict[str, Any]) -> None:
    status = hostile_frontier["status"]
    assert status.returncode == 0, status.stderr
    assert f"{hostile_frontier['hostile']} dead letters" in status.stdout
    assert "0 queued, 0 leased" in status.stdout
    for reason in ("pickled", "not a request", "scheme", "offsite", "unknown callback 'parse_next_page'"):
        assert reason in status.stdout, reason


def test_what_a_retried_or_redirected_request_inherits_is_accepted_or_dropped_never_trusted() -> None:
    inherited = {"retry_times": 1, "redirect_urls": [GOOD], "redirect_times": 1, "download_maxsize": 0,
                 "newsarchive_redirect_hops": [{"url": GOOD, "body": "Zm9yZ2Vk"}], "handle_httpstatus_list": [404]}
    request = read_entry(entry(meta=inherited), SPIDER)
    assert request.meta == {"retry_times": 1, "redirect_urls": [GOOD], "redirect_times": 1,
                            "handle_httpstatus_list": [404]}
