"""Seed a distributed crawl: push the spider's own start requests into the Redis frontier.

The spider is built exactly as a worker builds it (same arguments, same class) and its
``start()`` is run once, here, so the start requests keep their callbacks and
``cb_kwargs`` (a plain list of URLs, scrapy-redis' usual seeding, would lose them). The
arguments are stored with the frontier so workers can be started without repeating them.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import redis
from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.settings import Settings
from scrapy.spiderloader import SpiderLoader
from scrapy.statscollectors import MemoryStatsCollector

from crawler.default_settings import read
from crawler.distributed import serializer
from crawler.distributed.addon import DEFAULT_REDIS_URL
from crawler.distributed.frontier import FrontierKeys, LeasedQueue, frontier_name, store_arguments
from crawler.distributed.scheduler import make_dupefilter
from crawler.distributed.totals import forget
from models.errors import display_url


class SeedFailed(Exception):
    """Seeding could not be done; the message says what to do."""


@dataclass
class SeedResult:
    frontier: str
    pushed: int
    queued: int
    cleared_keys: int


def seed_frontier(spider_name: str, arguments: dict[str, str], settings: Settings, *, reset: bool = False) -> SeedResult:
    """Push ``spider_name``'s start requests (built with ``arguments``) into the frontier in ``settings``.

    ``reset`` deletes the frontier first (queue, dupefilter, leases): do that to start a new
    crawl rather than add start points to a running one.
    """
    try:
        spidercls = SpiderLoader.from_settings(settings).load(spider_name)
    except KeyError as exc:
        raise SeedFailed(f"unknown spider {spider_name!r}: run `newsarchive crawl --list` to see the spiders") from exc
    crawler = Crawler(spidercls, settings)
    try:
        spider = spidercls.from_crawler(crawler, **arguments)
    except (TypeError, ValueError) as exc:
        raise SeedFailed(f"spider {spider_name!r} refused its arguments: {exc}") from exc
    server = redis.Redis.from_url(settings.get("REDIS_URL") or DEFAULT_REDIS_URL)
    try:
        server.ping()
    except redis.RedisError as exc:
        raise SeedFailed(f"Redis at {display_url(settings.get('REDIS_URL') or DEFAULT_REDIS_URL)} is not reachable ({exc}): "
                         "start it or pass --redis redis://[:password@]host:port/db") from exc
    keys = FrontierKeys(frontier_name(read(settings, "NEWSARCHIVE_FRONTIER"), spider.name))
    cleared = 0
    if reset:
        existing = keys.all_keys(server)
        cleared = server.delete(*existing) if existing else 0
    queue = LeasedQueue(server, spider, keys.requests, serializer, frontier=keys, worker="seed", lease_seconds=1)
    if queue.state().empty:  # the last crawl of this frontier is over: this seed starts a new one
        forget(server, keys)
    dupefilter = make_dupefilter(server, keys, settings, MemoryStatsCollector(crawler))
    requests = asyncio.run(_collect(spider.start()))
    for request in requests:
        payload = queue.encode(request)
        # marked, so links back to a start page are not followed; pushed even if seen: re-read every crawl
        if not dupefilter.push_if_new(request, payload, queue.key):
            queue.push_payload(payload, request.priority)
    store_arguments(server, keys, spider.name, arguments)
    return SeedResult(frontier=keys.base, pushed=len(requests), queued=len(queue), cleared_keys=cleared)


@dataclass
class FrontierStatus:
    frontier: str
    queued: int
    leased: int
    workers: int
    parked: int
    dead_letters: int
    #: The newest dead letters: ``{"reason", "worker", "at", "entry"}``, newest first.
    latest_dead: list[dict[str, Any]]


def frontier_status(spider_name: str, settings: Settings, *, latest: int = 10) -> FrontierStatus:
    """What the frontier of ``spider_name`` in ``settings`` holds now, dead letters included."""
    server = redis.Redis.from_url(settings.get("REDIS_URL") or DEFAULT_REDIS_URL)
    keys = FrontierKeys(frontier_name(settings.get("NEWSARCHIVE_FRONTIER", "%(spider)s"), spider_name))
    try:
        leased = sum(server.zcard(keys.processing_prefix + w.decode()) for w in server.zrange(keys.workers, 0, -1))
        return FrontierStatus(
            frontier=keys.base, queued=server.zcard(keys.requests), leased=leased, workers=server.zcard(keys.workers),
            parked=server.zcard(keys.failed), dead_letters=int(server.get(keys.dead_total) or 0),
            latest_dead=[json.loads(raw) for raw in server.lrange(keys.dead, 0, latest - 1)],
        )
    except redis.RedisError as exc:
        raise SeedFailed(f"Redis at {display_url(settings.get('REDIS_URL') or DEFAULT_REDIS_URL)} is not reachable "
                         f"({exc}): start it or pass --redis redis://[:password@]host:port/db") from exc


async def _collect(start: AsyncIterator[Any]) -> list[Request]:
    return [request async for request in start if isinstance(request, Request)]
