"""Scrapy's scheduler, stopping the crawl when its job folder cannot be written.

A resumable crawl (``JOBDIR``) keeps its pending requests in a disk queue and its seen
requests in a file there; an ``OSError`` escaping Scrapy's scheduler left the engine
waiting forever. Here a full disk (:func:`crawler.disk_full.is_disk_full`) becomes one
error line and a stop with :data:`crawler.disk_full.DISK_FULL_REASON` (see
:mod:`crawler.disk_full` for why the job's saved state is then not trusted).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from scrapy import Request
from scrapy.core.scheduler import Scheduler

from crawler.contrib.scrapy.stop import stop_crawl
from crawler.disk_full import DISK_FULL_REASON, is_disk_full


class DiskFullSafeScheduler(Scheduler):
    """Scrapy's scheduler; a request the disk queue or the seen-requests file cannot take
    is dropped and the crawl stopped (the stop makes the job's state untrusted, so
    ``--resume`` finds the request again from the seeds)."""

    def enqueue_request(self, request: Request) -> bool:
        return _unless_folder_full(self.crawler, False, super().enqueue_request, request)

    def next_request(self) -> Request | None:
        return _unless_folder_full(self.crawler, None, super().next_request)

    def close(self, reason: str) -> Any:
        """Save the queue and the seen requests; on a full disk, tell it and carry on closing."""
        return _unless_folder_full(self.crawler, None, super().close, reason)


def _unless_folder_full(crawler: Any, fallback: Any, call: Callable[..., Any], *args: Any) -> Any:
    """``call(*args)``; when the job folder is full, stop the crawl and return ``fallback``."""
    try:
        return call(*args)
    except OSError as exc:
        if not is_disk_full(exc):
            raise
        stop_crawl(
            crawler, DISK_FULL_REASON,
            "the job folder %s cannot be written (%s): stopping the crawl. Free disk space there, then run the same "
            "crawl with --resume: it starts again from the seeds and fetches what the archive lacks",
            crawler.settings.get("JOBDIR"), exc.strerror or exc,
        )
        return fallback
