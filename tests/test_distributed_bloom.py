"""The bounded dupefilter: sized as Bloom filters are, and never dropping an unfetched URL."""

from __future__ import annotations

import pytest
import redis
import scrapy
from scrapy.statscollectors import DummyStatsCollector
from scrapy.utils.test import get_crawler

from crawler.distributed.bloom import BloomDupeFilter, bloom_size
from crawler.distributed.frontier import FrontierKeys
from models.engine import make_engine, session_factory
from models.repository import store_captures
from tests.archive_items import make_capture
from tests.distributed_support import frontier, redis_server  # noqa: F401 - fixtures


def test_size_follows_the_bloom_formulas() -> None:
    # m = -n ln p / (ln 2)^2 = 14,377,588 bits (about 1.71 MiB) and k = m/n ln 2 = 10 for a million at 0.1 %
    assert bloom_size(1_000_000, 0.001) == (14_377_588, 10)
    with pytest.raises(ValueError, match="lower NEWSARCHIVE_BLOOM_CAPACITY"):
        bloom_size(10**9, 0.0001)


@pytest.mark.redis
@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_a_positive_drops_only_urls_the_archive_has_fetched(
    migrated_db_url: str, redis_server: redis.Redis, frontier: FrontierKeys
) -> None:
    stats = DummyStatsCollector(get_crawler())
    # one bit, one hash: after the first URL every other URL is a (false) positive
    dupefilter = BloomDupeFilter(redis_server, frontier.bloom, bits=1, hashes=1, database=migrated_db_url, stats=stats)
    engine = make_engine(migrated_db_url)
    with session_factory(engine).begin() as session:
        store_captures(session, [make_capture("http://x/fetched.html", b"<html></html>")])
    engine.dispose()

    assert dupefilter.push_if_new(scrapy.Request("http://x/fetched.html"), "first", frontier.requests)
    assert dupefilter.push_if_new(scrapy.Request("http://x/never-fetched.html"), "second", frontier.requests)
    assert not dupefilter.push_if_new(scrapy.Request("http://x/fetched.html"), "again", frontier.requests)
    assert sorted(redis_server.zrange(frontier.requests, 0, -1)) == [b"first", b"second"]
    dupefilter.close()
