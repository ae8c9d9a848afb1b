"""The leased Redis queue: what a worker takes stays in Redis until acknowledged or requeued."""

from __future__ import annotations

import time

import pytest
import redis
import scrapy

from crawler.distributed import serializer
from crawler.distributed.frontier import FrontierKeys, LeasedQueue, store_arguments, worker_arguments
from tests.distributed_support import ListSpider, frontier, redis_server  # noqa: F401 - fixtures

pytestmark = pytest.mark.redis


def make_queue(server: redis.Redis, keys: FrontierKeys, worker: str, lease_seconds: int = 60,
               max_deliveries: int = 3) -> LeasedQueue:
    return LeasedQueue(server, ListSpider(), keys.requests, serializer, frontier=keys, worker=worker,
                       lease_seconds=lease_seconds, max_deliveries=max_deliveries)


def page(n: int, priority: int = 0) -> scrapy.Request:
    return scrapy.Request(f"http://x/GB/1/index{n}.html", callback=ListSpider().parse_list, priority=priority)


def wait_for_expiry(seconds: int) -> None:
    """Leases are whole seconds of the Redis clock; wait until one of ``seconds`` has surely passed."""
    time.sleep(seconds + 1.1)


def test_a_taken_request_stays_leased_until_acknowledged(redis_server: redis.Redis, frontier: FrontierKeys) -> None:
    queue = make_queue(redis_server, frontier, "w1")
    queue.push(page(1))
    queue.push(page(2, priority=5))
    request, payload = queue.pop()
    assert request.url.endswith("index2.html")  # higher priority first
    assert request.callback.__name__ == "parse_list"
    assert (queue.state().queued, queue.state().leased) == (1, 1)
    assert redis_server.zcard(frontier.processing_prefix + "w1") == 1
    queue.ack([payload])
    assert (queue.state().queued, queue.state().leased) == (1, 0)


def test_a_dead_workers_requests_go_back_to_the_queue(redis_server: redis.Redis, frontier: FrontierKeys) -> None:
    dead = make_queue(redis_server, frontier, "dead", lease_seconds=1)
    alive = make_queue(redis_server, frontier, "alive", lease_seconds=30)
    for n in range(3):
        dead.push(page(n))
    dead.pop()
    dead.pop()
    alive.renew()
    assert alive.reap() == (0, 0, 0)  # not expired yet: nothing moves
    wait_for_expiry(1)
    assert alive.reap() == (1, 2, 0)
    assert alive.state().queued == 3 and alive.state().leased == 0
    assert redis_server.zscore(frontier.workers, "dead") is None
    assert redis_server.zscore(frontier.workers, "alive") is not None
    taken = {alive.pop()[0].url for _ in range(3)}
    assert taken == {page(n).url for n in range(3)}


def test_a_request_that_keeps_killing_workers_is_parked(redis_server: redis.Redis, frontier: FrontierKeys) -> None:
    survivor = make_queue(redis_server, frontier, "survivor", lease_seconds=30)
    survivor.push(page(1))
    for attempt in range(1, 3):
        victim = make_queue(redis_server, frontier, f"victim{attempt}", lease_seconds=1, max_deliveries=2)
        assert victim.pop() is not None
        wait_for_expiry(1)
        survivor.max_deliveries = 2
        workers, requeued, parked = survivor.reap()
        assert (workers, requeued, parked) == ((1, 1, 0) if attempt == 1 else (1, 0, 1))
    assert survivor.state().queued == 0
    assert redis_server.zcard(frontier.failed) == 1


def test_a_clean_shutdown_gives_back_what_it_holds(redis_server: redis.Redis, frontier: FrontierKeys) -> None:
    queue = make_queue(redis_server, frontier, "w1")
    queue.push(page(1))
    queue.pop()
    assert queue.release_own() == (1, 1, 0)
    assert queue.state().queued == 1
    assert redis_server.hlen(frontier.deliveries) == 0  # giving back is not a failed delivery


def test_workers_take_the_seed_arguments_and_refuse_others(redis_server: redis.Redis, frontier: FrontierKeys) -> None:
    with pytest.raises(LookupError, match="never seeded"):
        worker_arguments(redis_server, frontier, "people", {})
    store_arguments(redis_server, frontier, "people", {"channel": "js"})
    assert worker_arguments(redis_server, frontier, "people", {}) == {"channel": "js"}
    assert worker_arguments(redis_server, frontier, "people", {"channel": "js"}) == {"channel": "js"}
    with pytest.raises(LookupError, match="seeded with"):
        worker_arguments(redis_server, frontier, "people", {"channel": "sh"})
    with pytest.raises(LookupError, match="seeded for spider 'people'"):
        worker_arguments(redis_server, frontier, "generic", {})
