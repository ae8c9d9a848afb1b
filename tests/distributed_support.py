"""Shared fixtures for the distributed-crawl tests: a real Redis, one fresh frontier per test.

Redis is shared with other engineers and test runs, so every test gets its own frontier
name (``test-<random>``) in database 9 and deletes its keys afterwards.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest
import redis
import scrapy

from crawler.default_settings import environment
from crawler.distributed.frontier import FrontierKeys
from tests.services import unavailable

#: Redis for tests; override with $NEWSARCHIVE_TEST_REDIS_URL.
REDIS_URL = environment("NEWSARCHIVE_TEST_REDIS_URL")


@pytest.fixture
def redis_server() -> Iterator[redis.Redis]:
    server = redis.Redis.from_url(REDIS_URL)
    try:
        server.ping()
    except redis.RedisError as exc:
        unavailable(f"Redis not reachable at {REDIS_URL} ({exc}): start it with `service redis-server start` "
                    "or set NEWSARCHIVE_TEST_REDIS_URL")
    yield server
    server.close()


@pytest.fixture
def frontier(redis_server: redis.Redis) -> Iterator[FrontierKeys]:
    """A frontier name nobody else uses; its keys are deleted after the test."""
    keys = FrontierKeys(f"test-{uuid.uuid4().hex[:10]}")
    yield keys
    existing = keys.all_keys(redis_server)
    if existing:
        redis_server.delete(*existing)


class ListSpider(scrapy.Spider):
    """A spider with the callback names the archive spiders use, for (de)serialising requests."""

    name = "list_spider"
    allowed_domains = ["x"]

    def parse_list(self, response: Any, depth: int = 1) -> None:
        """Never called: only its name travels through Redis."""

    def parse_next_page(self, response: Any) -> None:
        """Never called: only its name travels through Redis."""

    def page_failed(self, failure: Any) -> None:
        """Never called: only its name travels through Redis."""
