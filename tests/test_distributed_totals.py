"""A distributed crawl's figures are the sum of its workers' (real Redis)."""

from __future__ import annotations

import pytest
import redis

from crawler.distributed.frontier import FrontierKeys
from crawler.distributed.totals import crawl_totals, forget, publish
from operations.figures import CRAWL_TOTALS, crawl_figures
from operations.health import Thresholds, run_checks
from tests.distributed_support import frontier, redis_server  # noqa: F401 - fixtures

pytestmark = pytest.mark.redis


def worker_stats(new: int, responses: int) -> dict[str, object]:
    return {"newsarchive/articles/new": new, "downloader/response_count": responses, "log_count/INFO": 9,
            "start_time": "2026-12-03T10:00:00", "newsarchive/distributed/acked": responses}


def test_the_totals_sum_every_workers_latest_figures(redis_server: redis.Redis, frontier: FrontierKeys) -> None:
    publish(redis_server, frontier, "a", worker_stats(10, 20))
    publish(redis_server, frontier, "a", worker_stats(30, 40))  # a later snapshot replaces the earlier
    publish(redis_server, frontier, "b", worker_stats(5, 6))
    totals = crawl_totals(redis_server, frontier)
    assert totals["newsarchive/articles/new"] == 35 and totals["downloader/response_count"] == 46
    assert totals["newsarchive/distributed/workers"] == 2
    assert "log_count/INFO" not in totals and "start_time" not in totals
    forget(redis_server, frontier)
    assert crawl_totals(redis_server, frontier) == {"newsarchive/distributed/workers": 0}


def test_a_worker_with_a_small_share_of_a_healthy_crawl_is_healthy(redis_server: redis.Redis,
                                                                  frontier: FrontierKeys) -> None:
    earlier_crawl = crawl_figures(worker_stats(100, 120))
    for worker, new in (("a", 90), ("b", 10)):
        publish(redis_server, frontier, worker, worker_stats(new, new + 2))
    small_share = {**worker_stats(10, 12), CRAWL_TOTALS: crawl_totals(redis_server, frontier)}
    checks = {c.name: c for c in run_checks(crawl_figures(small_share), [earlier_crawl], Thresholds())}
    assert checks["items"].ok, checks["items"].detail
    # judged on its own share, as before, the same worker "dropped" 90 % of the articles
    assert not {c.name: c for c in run_checks(crawl_figures(worker_stats(10, 12)), [earlier_crawl], Thresholds())}[
        "items"].ok
