"""Distributed crawls end to end: real Redis, real PostgreSQL, worker subprocesses on the replica."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import redis
from scrapy.utils.test import get_crawler
from sqlalchemy import func, select

from crawler.distributed import serializer
from crawler.distributed.addon import worker_settings
from crawler.distributed.frontier import FrontierKeys
from crawler.distributed.store import AckingStorePipeline
from crawler.replica.server import ReplicaServer
from crawler.replica.site import ReplicaSite, build_site
from models.engine import make_engine, session_factory
from models.operations import JobDetail
from models.repository import finish_job, start_job
from models.schema import Article, ArticleUrl, CrawlJob
from operations.figures import CRAWL_TOTALS
from operations.replica_check import check_archive
from tests.archive_items import BODY, make_article
from tests.conftest import run_cli
from tests.distributed_support import REDIS_URL, frontier, redis_server  # noqa: F401 - fixtures
from tests.services import REPO

pytestmark = [pytest.mark.redis, pytest.mark.postgres]
ON_POSTGRES = pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)
ARTICLE_PATH = re.compile(r"^/n[12]/")


class GatedReplica(ReplicaServer):
    """The replica, holding every article page after the first ``free`` until :meth:`open` —
    so the test knows workers hold leased requests in flight when it kills one."""

    def __init__(self, site: ReplicaSite, free: int) -> None:
        super().__init__(site)
        self.free = free
        self.served_articles = 0
        self.gate = threading.Event()

    def count(self, target: str) -> None:
        super().count(target)
        if not ARTICLE_PATH.match(target):
            return
        with self._hits_lock:
            self.served_articles += 1
            held = self.served_articles > self.free
        if held:
            self.gate.wait(timeout=60)

    def open(self) -> None:
        self.gate.set()


@pytest.fixture
def gated_replica(replica_site: ReplicaSite) -> Iterator[GatedReplica]:
    server = GatedReplica(replica_site, free=40)
    with server:
        yield server
        server.open()


def start_worker(db: str, keys: FrontierKeys, log: Path) -> subprocess.Popen[str]:
    """One ``newsarchive crawl --distributed`` worker; cwd is the test's folder so its spool stays there."""
    command = [sys.executable, "-m", "cli.main", "--db", db, "crawl", "people", "--distributed", "--redis", REDIS_URL,
               "--frontier", keys.name, "--idle-close", "2", "--lease", "10"]
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.Popen(command, cwd=log.parent, env=env, text=True, stdout=log.open("w"), stderr=subprocess.STDOUT)


def worker_id(server: redis.Redis, keys: FrontierKeys, pid: int) -> str | None:
    """The worker id a process registered under (ids are ``host:pid:random``)."""
    for member in server.zrange(keys.workers, 0, -1):
        if f":{pid}:" in member.decode():
            return member.decode()
    return None


def wait_for(condition: Callable[[], object], what: str, timeout: float = 60) -> object:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


@ON_POSTGRES
def test_survivors_finish_the_crawl_of_a_killed_worker_and_archive_every_article_once(
    migrated_db_url: str, replica_site: ReplicaSite, gated_replica: GatedReplica, redis_server: redis.Redis,
    frontier: FrontierKeys, tmp_path: Path,
) -> None:
    seeded = run_cli("seed", "people", "-a", "channel=js", "-a", f"base_url={gated_replica.base_url}",
                     "--redis", REDIS_URL, "--frontier", frontier.name)
    assert seeded.returncode == 0, seeded.stderr[-3000:]
    assert "pushed 1 start requests" in seeded.stdout

    workers = [start_worker(migrated_db_url, frontier, tmp_path / f"worker{n}.log") for n in range(3)]
    try:
        victim = workers[0]
        victim_id = str(wait_for(lambda: worker_id(redis_server, frontier, victim.pid), "the victim to join"))
        processing = frontier.processing_prefix + victim_id
        wait_for(lambda: gated_replica.served_articles > gated_replica.free and redis_server.zcard(processing) > 0,
                 "the victim to hold requests in flight")
        victim.send_signal(signal.SIGKILL)
        assert victim.wait(timeout=30) == -signal.SIGKILL
        # read at once: the lease (renewed every second) has not expired yet, so nobody took these back
        in_flight = [serializer.loads(p)["url"].removeprefix(gated_replica.base_url)
                     for p in redis_server.zrange(processing, 0, -1)]
        hits_at_kill = {path: gated_replica.hits[path] for path in in_flight}
        gated_replica.open()
        for survivor in workers[1:]:
            survivor.wait(timeout=150)
    finally:
        for worker in workers:
            if worker.poll() is None:
                worker.kill()
    for n, survivor in enumerate(workers[1:], start=1):
        log = (tmp_path / f"worker{n}.log").read_text()
        assert "crawl people: finished" in log, log[-3000:]
    assert any("stopped renewing their lease: requeued" in (tmp_path / f"worker{n}.log").read_text() for n in (1, 2))

    engine = make_engine(migrated_db_url)
    with session_factory(engine)() as session:
        report = check_archive(session, replica_site, gated_replica.base_url)
    engine.dispose()
    expected = len(replica_site.canonical_articles)
    assert report.missing == []
    assert report.archived == report.articles_in_archive == expected
    assert report.merged_wrongly == []
    # everything the victim held was fetched again, by a survivor, after the kill
    assert in_flight and all(gated_replica.hits[path] > hits_at_kill[path] for path in in_flight)
    assert redis_server.zcard(frontier.requests) == 0
    assert redis_server.zcard(frontier.workers) == 0
    assert redis_server.zcard(frontier.failed) == 0
    assert not redis_server.exists(processing)


@ON_POSTGRES
def test_two_workers_storing_copies_of_one_article_at_once_keep_one_article(migrated_db_url: str, tmp_path: Path) -> None:
    def pipeline(name: str) -> AckingStorePipeline:
        settings = {**worker_settings(REDIS_URL), "NEWSARCHIVE_DATABASE_URL": migrated_db_url,
                    "NEWSARCHIVE_STORE_BATCH_SIZE": 1, "NEWSARCHIVE_SPOOL_DIR": str(tmp_path / name)}
        return AckingStorePipeline.from_crawler(get_crawler(settings_dict=settings))

    rounds = 15
    pipelines = [pipeline("a"), pipeline("b")]
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def store(worker: int) -> None:
        try:
            for n in range(rounds):
                # the same report under the worker's own URL (a mirror) and under the shared one
                body = f"第{n}篇报道。\n{BODY}"
                copies = [make_article(f"http://js.people.com.cn/n2/2022/0213/c1-{n}.html", body=body),
                          make_article(f"http://mirror{worker}.cn/{n}.html", body=body)]
                barrier.wait(timeout=30)
                for item in copies:
                    pipelines[worker].process_item(item)
        except BaseException as exc:  # noqa: BLE001 - re-raised in the test thread
            errors.append(exc)

    threads = [threading.Thread(target=store, args=(w,)) for w in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    for p in pipelines:
        p.close_spider()
    assert errors == []
    engine = make_engine(migrated_db_url)
    with session_factory(engine)() as session:
        assert session.scalar(select(func.count(Article.id))) == rounds
        # three URLs a round, each kept as served (http) and in its https identity form
        assert session.scalar(select(func.count(ArticleUrl.id))) == rounds * 3 * 2
    engine.dispose()
    spooled = sum(p.stats.get_value("newsarchive/store/spooled", 0) for p in pipelines)
    new = sum(p.stats.get_value("newsarchive/articles/new", 0) for p in pipelines)
    assert (spooled, new) == (0, rounds)


@ON_POSTGRES
def test_every_worker_judges_the_health_of_the_whole_crawl_not_its_share(
    migrated_db_url: str, redis_server: redis.Redis, frontier: FrontierKeys, tmp_path: Path,
) -> None:
    site = build_site(articles=40)
    expected = len(site.articles)  # articles and mirrors: what a whole crawl stores
    with ReplicaServer(site) as server:
        arguments = {"channel": "js", "base_url": server.base_url}
        seeded = run_cli("seed", "people", *(f"-a{k}={v}" for k, v in arguments.items()),
                         "--redis", REDIS_URL, "--frontier", frontier.name)
        assert seeded.returncode == 0, seeded.stderr[-3000:]
        engine = make_engine(migrated_db_url)
        with session_factory(engine).begin() as session:  # an earlier whole crawl of the same channel
            earlier = start_job(session, "people", arguments)
            finish_job(session, earlier, "finished", {"newsarchive/articles/new": expected,
                                                      "downloader/response_count": expected + 20})
        workers = [start_worker(migrated_db_url, frontier, tmp_path / f"worker{n}.log") for n in range(3)]
        try:
            codes = [worker.wait(timeout=150) for worker in workers]
        finally:
            for worker in workers:
                if worker.poll() is None:
                    worker.kill()
    with session_factory(engine)() as session:
        jobs = session.execute(select(CrawlJob, JobDetail).join(JobDetail, JobDetail.job_id == CrawlJob.id)
                               .where(CrawlJob.id != earlier)).all()
    engine.dispose()
    logs = [(tmp_path / f"worker{n}.log").read_text()[-2000:] for n in range(3)]
    assert len(jobs) == 3
    shares = sorted(job.stats.get("newsarchive/articles/new", 0) + job.stats.get("newsarchive/articles/duplicate", 0)
                    for job, _ in jobs)
    assert shares[0] < expected / 2  # some worker's share alone is "far below" the earlier crawl
    for job, detail in jobs:
        totals = job.stats[CRAWL_TOTALS]
        assert totals["newsarchive/articles/new"] + totals.get("newsarchive/articles/duplicate", 0) == expected
        assert detail.healthy, detail.checks
    assert codes == [0, 0, 0], logs
