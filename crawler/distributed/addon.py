"""Scrapy add-on that turns a crawl into one worker of a shared Redis frontier.

``newsarchive crawl SPIDER --distributed`` enables it through the ``ADDONS`` setting (see
:func:`worker_settings`); it can also be enabled in a project's own settings. It swaps in
the Redis scheduler and dupefilter, the JSON serialiser, the acknowledging store pipeline
and the middleware that makes the spider start from Redis; everything else (pipelines,
extraction, politeness) is the single-process crawl's.
"""

from __future__ import annotations

from typing import Any

from scrapy.settings import BaseSettings

from crawler.default_settings import environment

STORE = "pipelines.store.StorePipeline"
ACKING_STORE = "crawler.distributed.store.AckingStorePipeline"
START_FROM_FRONTIER = "crawler.distributed.start.StartFromFrontier"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/0"


class DistributedCrawl:
    """The add-on; its settings are documented in :mod:`crawler.distributed.scheduler`."""

    def update_settings(self, settings: BaseSettings) -> None:
        for name, value in {
            "SCHEDULER": "crawler.distributed.scheduler.DistributedScheduler",
            "SCHEDULER_SERIALIZER": "crawler.distributed.serializer",
            "SCHEDULER_PERSIST": True,
            "DUPEFILTER_CLASS": "scrapy_redis.dupefilter.RFPDupeFilter",
        }.items():
            settings.set(name, value, priority="cmdline")
        settings.setdefault("REDIS_URL", DEFAULT_REDIS_URL)
        pipelines = settings.getdict("ITEM_PIPELINES")
        order = pipelines.pop(STORE, 900)
        settings.set("ITEM_PIPELINES", {**pipelines, ACKING_STORE: order}, priority="cmdline")
        middlewares = settings.getdict("SPIDER_MIDDLEWARES")
        settings.set("SPIDER_MIDDLEWARES", {**middlewares, START_FROM_FRONTIER: 0}, priority="cmdline")


def worker_settings(redis_url: str | None = None, *, frontier: str | None = None, idle_close: float | None = None,
                    lease_seconds: int | None = None, dupefilter: str | None = None) -> dict[str, Any]:
    """Settings for ``run_crawl(..., settings=...)`` that make it a distributed worker.

    Options left ``None`` keep the project's settings (or the defaults in
    :mod:`crawler.distributed.scheduler`); the Redis URL defaults to ``$NEWSARCHIVE_REDIS_URL``.
    """
    optional = {
        "REDIS_URL": redis_url or environment("NEWSARCHIVE_REDIS_URL"),
        "NEWSARCHIVE_FRONTIER": frontier,
        "NEWSARCHIVE_IDLE_CLOSE": idle_close,
        "NEWSARCHIVE_LEASE_SECONDS": lease_seconds,
        "NEWSARCHIVE_DUPEFILTER": dupefilter,
    }
    addons = {"crawler.contrib.scrapy.addons.SecretFiles": 0, f"{__name__}.DistributedCrawl": 10}  # replaces the project's ADDONS
    return {"ADDONS": addons, **{k: v for k, v in optional.items() if v is not None}}
