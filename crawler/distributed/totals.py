"""The figures of a distributed crawl as a whole: every worker's stats, summed in Redis.

A worker only sees its share of a crawl, so its health checks judged that share against
whole earlier crawls: a healthy worker of three was "far below the median" and exited 1.
So each worker publishes the numbers the figures are read from (``newsarchive/…`` and
``downloader/…`` stats, :mod:`operations.figures`) into the frontier's ``stats`` hash
under its worker id, at every heartbeat, before it acknowledges stored requests
(:mod:`crawler.distributed.leases`) and when it closes; the crawl's totals are the sum over
every worker that took part, dead ones included (their last publication).

A worker closes only after the whole frontier (queue and every lease) stayed empty for
``NEWSARCHIVE_IDLE_CLOSE`` seconds; a request leaves the frontier only once its articles
are stored and counted in a published snapshot, so by then the totals hold every article
stored by any worker. The totals go into the closing worker's stats under
:data:`operations.figures.CRAWL_TOTALS`, where the job's health checks read them.
A crawl begins when ``seed`` finds the frontier idle: seeding then clears the hash.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from crawler.distributed.frontier import FrontierKeys

#: Prefixes of the stats the figures are made of.
_FIGURE_PREFIXES = ("newsarchive/", "downloader/")


def snapshot(stats: Mapping[str, Any]) -> dict[str, float]:
    """The numeric figure stats of one worker."""
    return {
        key: value for key, value in stats.items()
        if key.startswith(_FIGURE_PREFIXES) and isinstance(value, int | float) and not isinstance(value, bool)
    }


def publish(server: Any, keys: FrontierKeys, worker: str, stats: Mapping[str, Any]) -> None:
    """Record this worker's figures so far as its part of the crawl."""
    server.hset(keys.stats, worker, json.dumps(snapshot(stats)))


def crawl_totals(server: Any, keys: FrontierKeys) -> dict[str, float]:
    """Every worker's published figures, summed; ``newsarchive/distributed/workers`` counts the workers."""
    totals: dict[str, float] = {}
    parts = server.hvals(keys.stats)
    for raw in parts:
        for key, value in json.loads(raw).items():
            totals[key] = totals.get(key, 0) + value
    totals["newsarchive/distributed/workers"] = len(parts)
    return totals


def forget(server: Any, keys: FrontierKeys) -> None:
    """Start a new crawl's totals (the frontier is idle: the previous crawl is over)."""
    server.delete(keys.stats)
