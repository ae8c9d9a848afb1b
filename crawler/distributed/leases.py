"""Which leased requests this worker may acknowledge, and when.

"Done" for a request is: the engine has finished with it — downloaded (or failed),
its callback or errback has run, every item it yielded has been through the item
pipelines and every request it yielded has been pushed to Redis — *and* the store
pipeline has since written its batch to the archive (or to the durable on-disk spool).
Only then is the lease acknowledged and the request removed from Redis. The store
pipeline asks this module at each flush (:class:`crawler.distributed.store.AckingStorePipeline`).

The engine's set of requests in progress is the one place Scrapy records "downloading or
being scraped" for every path (response, download error, errback, redirect), so it is
read here, in :func:`requests_in_progress`, and nowhere else.
"""

from __future__ import annotations

import weakref
from typing import Any

from scrapy import Request

from crawler.distributed.frontier import LeasedQueue
from crawler.distributed.totals import publish

_REGISTRY: weakref.WeakKeyDictionary[Any, Leases] = weakref.WeakKeyDictionary()


def requests_in_progress(crawler: Any) -> set[Request]:
    """Requests the engine has taken from the scheduler and not yet finished scraping.

    Scrapy has no public per-request "finished" signal; the engine slot's ``inprogress``
    set is that state (added when the download starts, removed after the scraper has
    processed all output). If a Scrapy upgrade renames it, the kill test fails loudly.
    """
    try:
        engine = crawler.engine
    except RuntimeError:  # no crawl running: the pipeline is used on its own
        return set()
    slot = getattr(engine, "_slot", None) if engine is not None else None
    return set(slot.inprogress) if slot is not None else set()


class Leases:
    """The requests this worker holds, with the payload that identifies each in Redis."""

    def __init__(self, crawler: Any) -> None:
        self.crawler = crawler
        self.queue: LeasedQueue | None = None
        self.held: dict[Request, bytes] = {}

    def hold(self, request: Request, payload: bytes) -> None:
        self.held[request] = payload

    def finished(self) -> list[Request]:
        """Held requests the engine is done with; their items are in the store's batch or stored."""
        busy = requests_in_progress(self.crawler)
        return [request for request in self.held if request not in busy]

    def ack(self, requests: list[Request]) -> int:
        """Acknowledge ``requests`` in Redis (call after their items were written); returns how many."""
        payloads = [self.held.pop(request) for request in requests if request in self.held]
        if payloads and self.queue is not None:
            # published first: once the frontier is empty, every stored article is in the crawl's totals
            publish(self.queue.server, self.queue.frontier, self.queue.worker, self.crawler.stats.get_stats())
            self.queue.ack(payloads)
            self.crawler.stats.inc_value("newsarchive/distributed/acked", len(payloads))
        return len(payloads)

    def release(self, requests: list[Request]) -> None:
        """Stop holding ``requests`` without acknowledging them (their items were lost): the
        frontier leases them again once their leases expire."""
        for request in requests:
            self.held.pop(request, None)


def leases_for(crawler: Any) -> Leases:
    """The one :class:`Leases` of ``crawler``, shared by its scheduler and store pipeline."""
    if crawler not in _REGISTRY:
        _REGISTRY[crawler] = Leases(crawler)
    return _REGISTRY[crawler]
