"""Distributed crawl throughput: 1, 2 and 4 workers on a replica of 5,000 articles; dupefilter memory.

    .venv/bin/python -m bench.distributed [--articles 5000] [--workers 1,2,4]

Needs the Redis and PostgreSQL of the tests (``NEWSARCHIVE_TEST_REDIS_URL``,
``NEWSARCHIVE_TEST_POSTGRES_URL``). Each run gets a fresh database and frontier, both
removed afterwards. pages/s is captures stored divided by the span between the first and
the last capture, so start-up and idle close are not counted. Workers share this
machine's cores (and the replica server runs here too): on 2 cores, more than 2 workers
cannot go faster; the figure to read is how close 2 workers come to twice one.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import redis
from sqlalchemy import create_engine, func, make_url, select, text

from crawler.default_settings import environment
from crawler.distributed.bloom import MARK_AND_PUSH_SCRIPT, bit_positions, bloom_size
from crawler.distributed.frontier import FrontierKeys
from crawler.replica.server import ReplicaServer
from crawler.replica.site import build_site
from models.engine import make_engine, session_factory, upgrade_to_head
from models.schema import Capture

REPO = Path(__file__).resolve().parents[1]
REDIS_URL = environment("NEWSARCHIVE_TEST_REDIS_URL")
POSTGRES_URL = environment("NEWSARCHIVE_TEST_POSTGRES_URL")
SAMPLE = 100_000


def run_workers(count: int, base_url: str, database: str, server: redis.Redis) -> tuple[int, float]:
    """Seed a fresh frontier, run ``count`` workers to the end: ``(pages, seconds crawling)``."""
    keys = FrontierKeys(f"bench-{uuid.uuid4().hex[:8]}")
    cli = [sys.executable, "-m", "cli.main"]
    frontier = ["--redis", REDIS_URL, "--frontier", keys.name]
    try:
        # max_list_pages lifted: the spider's default bound (50 list pages) would stop short of 5,000 articles
        subprocess.run([*cli, "seed", "people", "-a", "channel=js", "-a", f"base_url={base_url}",
                        "-a", "max_list_pages=100000", *frontier],
                       cwd=REPO, check=True, capture_output=True)
        workers = [subprocess.Popen([*cli, "--db", database, "crawl", "people", "--distributed", *frontier,
                                     "--idle-close", "2"], cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                   for _ in range(count)]
        for worker in workers:
            worker.wait()
    finally:
        existing = keys.all_keys(server)
        if existing:
            server.delete(*existing)
    engine = make_engine(database)
    with session_factory(engine)() as session:
        pages, first, last = session.execute(
            select(func.count(Capture.id), func.min(Capture.fetched_at), func.max(Capture.fetched_at))).one()
    engine.dispose()
    return pages, (last - first).total_seconds()


def fresh_database() -> tuple[str, str]:
    name = f"newsarchive_bench_{uuid.uuid4().hex[:8]}"
    with create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT").connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)
    upgrade_to_head(url)
    return name, url


def drop_database(name: str) -> None:
    with create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT").connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def dupefilter_memory(server: redis.Redis) -> list[str]:
    """Measured bytes per URL: the exact set with SAMPLE fingerprints; the Bloom bitmap for a million."""
    key = f"newsarchive:bench-memory-{uuid.uuid4().hex[:8]}"
    try:
        fingerprints = [f"{n:040x}" for n in range(SAMPLE)]  # same length as scrapy-redis' SHA-1 hex
        for start in range(0, SAMPLE, 10_000):
            server.sadd(key + ":set", *fingerprints[start:start + 10_000])
        exact = server.memory_usage(key + ":set", samples=0) / SAMPLE
        bits, hashes = bloom_size(1_000_000, 0.001)
        server.register_script(MARK_AND_PUSH_SCRIPT)(keys=[key + ":bloom", key + ":q"],
                                                     args=[0, "", *bit_positions("f" * 40, bits, hashes)])
        server.setbit(key + ":bloom", bits - 1, 1)
        bloom = server.memory_usage(key + ":bloom", samples=0)
    finally:
        server.delete(key + ":set", key + ":bloom", key + ":q")
    return [
        f"exact dupefilter (Redis set)   {exact:6.1f} bytes per URL = {exact * 1e6 / 2**20:6.1f} MiB per million URLs",
        f"bloom dupefilter (1M, 0.1 %)   {bloom / 2**20:6.1f} MiB for up to a million URLs, fixed ({hashes} hashes)",
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.distributed", description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=5000)
    parser.add_argument("--workers", default="1,2,4", help="comma-separated worker counts")
    args = parser.parse_args(argv)
    server = redis.Redis.from_url(REDIS_URL)
    print("\n".join(dupefilter_memory(server)))
    started = time.monotonic()
    site = build_site(articles=args.articles)
    print(f"replica: {args.articles} articles, {len(site.pages)} pages (built in {time.monotonic() - started:.1f} s); "
          f"{os.cpu_count()} cores")
    baseline = None
    with ReplicaServer(site) as replica:
        for count in (int(n) for n in args.workers.split(",")):
            name, database = fresh_database()
            try:
                pages, seconds = run_workers(count, replica.base_url, database, server)
            finally:
                drop_database(name)
            rate = pages / seconds if seconds else 0.0
            baseline = baseline or rate
            print(f"{count} worker(s): {pages} pages in {seconds:6.1f} s = {rate:6.1f} pages/s ({rate / baseline:.2f}x one worker)",
                  flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
