"""scrapy-redis scheduler with leased requests, worker heartbeats and idle close.

Settings (all optional; :func:`crawler.distributed.settings.distributed_settings` sets them):
``REDIS_URL`` (the shared Redis, e.g. ``redis://:password@frontier.example:6379/0`` or
``rediss://…`` for TLS) and ``NEWSARCHIVE_FRONTIER``, ``NEWSARCHIVE_LEASE_SECONDS`` (heartbeats
renew a lease every third of it), ``NEWSARCHIVE_IDLE_CLOSE``, ``NEWSARCHIVE_MAX_DELIVERIES``
(then a request is parked in ``<frontier>:failed``) and ``NEWSARCHIVE_DUPEFILTER`` (see
:mod:`crawler.distributed.bloom`), defined with defaults and meanings in :mod:`crawler.default_settings`.

Stats: ``newsarchive/distributed/leased``, ``…/acked``, ``…/requeued`` (taken over from
dead workers), ``…/parked``, ``…/lease_lost`` (this worker was too slow to renew its lease),
``…/dead_letters`` (entries refused by the frontier's schema, :mod:`crawler.distributed.entries`).
"""

from __future__ import annotations

import logging
import time
from typing import Any

from scrapy import Request, signals
from scrapy.exceptions import DontCloseSpider
from scrapy_redis.scheduler import Scheduler
from twisted.internet import task

from crawler.default_settings import read
from crawler.distributed import serializer
from crawler.distributed.bloom import BloomDupeFilter
from crawler.distributed.dupefilter import ExactDupeFilter
from crawler.distributed.frontier import FrontierKeys, LeasedQueue, frontier_name, new_worker_id
from crawler.distributed.leases import Leases, leases_for
from crawler.distributed.totals import crawl_totals, publish
from operations.figures import CRAWL_TOTALS

logger = logging.getLogger(__name__)



def make_dupefilter(server: Any, keys: FrontierKeys, settings: Any, stats: Any) -> ExactDupeFilter:
    """The dupefilter ``NEWSARCHIVE_DUPEFILTER`` names, on this frontier's keys (workers and seeding share it)."""
    kind = read(settings, "NEWSARCHIVE_DUPEFILTER")
    if kind == "bloom":
        return BloomDupeFilter.from_frontier(server, keys, settings, stats)
    if kind != "exact":
        raise ValueError(f"NEWSARCHIVE_DUPEFILTER={kind!r}: use 'exact' or 'bloom'")
    return ExactDupeFilter(server, key=keys.dupefilter, debug=settings.getbool("DUPEFILTER_DEBUG"))


class DistributedScheduler(Scheduler):
    """One worker's view of the shared frontier; see :mod:`crawler.distributed.frontier`."""

    crawler: Any
    leases: Leases
    queue: LeasedQueue

    @classmethod
    def from_crawler(cls, crawler: Any) -> DistributedScheduler:
        scheduler = super().from_crawler(crawler)
        scheduler.crawler = crawler
        scheduler.leases = leases_for(crawler)
        scheduler.persist = True  # the frontier outlives any one worker; `seed --reset` clears it
        scheduler.serializer = serializer  # never pickle, whatever the settings say
        return scheduler

    def open(self, spider: Any) -> None:
        settings = self.crawler.settings
        self.spider = spider
        self.keys = FrontierKeys(frontier_name(read(settings, "NEWSARCHIVE_FRONTIER"), spider.name))
        self.lease_seconds = read(settings, "NEWSARCHIVE_LEASE_SECONDS")
        self.idle_close = read(settings, "NEWSARCHIVE_IDLE_CLOSE")
        self.queue = LeasedQueue(
            self.server, spider, self.keys.requests, serializer,
            frontier=self.keys, worker=new_worker_id(), lease_seconds=self.lease_seconds,
            max_deliveries=read(settings, "NEWSARCHIVE_MAX_DELIVERIES"),
        )
        self.leases.queue = self.queue
        self.df = make_dupefilter(self.server, self.keys, settings, self.stats)
        self.queue.join()
        self.heartbeat = task.LoopingCall(self.beat)
        self.heartbeat.start(max(0.5, self.lease_seconds / 3), now=False)
        self.empty_since: float | None = None
        self.crawler.signals.connect(self.keep_open_while_work_remains, signal=signals.spider_idle)
        logger.info("worker %s joined frontier %s (%d requests queued)", self.queue.worker, self.keys.base, len(self.queue))

    def close(self, reason: str) -> None:
        """Leave the frontier; the crawl's totals (:mod:`crawler.distributed.totals`) go into the stats for the health checks."""
        if self.heartbeat.running:
            self.heartbeat.stop()
        publish(self.server, self.keys, self.queue.worker, self.stats.get_stats())
        self.stats.set_value(CRAWL_TOTALS, crawl_totals(self.server, self.keys))
        self.df.close(reason)
        _, returned, _ = self.queue.release_own()
        if returned:
            logger.info("worker %s gave %d unfinished requests back to the frontier", self.queue.worker, returned)

    def enqueue_request(self, request: Request) -> bool:
        """Push ``request`` unless already seen; marking and pushing are one atomic step."""
        payload = self.queue.encode(request)
        if request.dont_filter:
            self.queue.push_payload(payload, request.priority)
        elif not self.df.push_if_new(request, payload, self.queue.key):
            self.df.log(request, self.spider)
            return False
        self.stats.inc_value("scheduler/enqueued/redis")
        return True

    def next_request(self) -> Request | None:
        refused_before = self.queue.dead_lettered
        leased = self.queue.pop()
        if self.queue.dead_lettered > refused_before:
            self.stats.inc_value("newsarchive/distributed/dead_letters", self.queue.dead_lettered - refused_before)
        if leased is None:
            return None
        request, payload = leased
        self.leases.hold(request, payload)
        self.stats.inc_value("newsarchive/distributed/leased")
        self.stats.inc_value("scheduler/dequeued/redis")
        return request

    def has_pending_requests(self) -> bool:
        return len(self.queue) > 0

    def beat(self) -> None:
        """Renew this worker's lease, publish its figures and take back the requests of workers whose lease expired."""
        publish(self.server, self.keys, self.queue.worker, self.stats.get_stats())
        if not self.queue.renew():
            self.stats.inc_value("newsarchive/distributed/lease_lost")
            logger.warning("worker %s lost its lease (busy or cut off for over %d s); other workers fetch what it "
                           "held again. Raise --lease if this repeats", self.queue.worker, self.lease_seconds)
        workers, requeued, parked = self.queue.reap()
        if workers:
            self.stats.inc_value("newsarchive/distributed/requeued", requeued)
            self.stats.inc_value("newsarchive/distributed/parked", parked)
            logger.warning("%d worker(s) stopped renewing their lease: requeued %d of their requests%s",
                           workers, requeued, f", parked {parked} in {self.keys.failed}" if parked else "")

    def keep_open_while_work_remains(self, spider: Any = None) -> None:
        """Close only once the queue and every worker's leases have been empty for ``idle_close`` s.

        Another worker's leases count: if it dies, its requests come back to the queue.
        """
        state = self.queue.state()
        now = time.monotonic()
        if not state.empty:
            self.empty_since = None
            raise DontCloseSpider
        if self.empty_since is None:
            self.empty_since = now
        if now - self.empty_since < self.idle_close:
            raise DontCloseSpider
