"""A full disk ends the crawl loudly instead of losing pages or hanging.

Why: a crawl writes to three places besides the network — the archive database, the
spool (:mod:`pipelines.spool`) and, when resumable, Scrapy's job folder (``JOBDIR``: the
disk queue of pending requests and the seen-requests file). When one of them cannot
grow, fetching on only loses what is fetched next; and an ``OSError`` escaping Scrapy's
scheduler left the engine waiting forever. So each writer turns "no space" into one
error line and a stop with :data:`DISK_FULL_REASON`, and the crawl exits non-zero; the
job's saved state is then not trusted (pages may have been fetched and neither stored
nor spooled, requests dropped), so ``--resume`` starts again from the seeds and fetches
what the archive lacks (see :mod:`operations.resume`).
"""

from __future__ import annotations

import errno
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

from scrapy import Request, Spider
from scrapy.core.scheduler import Scheduler
from scrapy.extensions.spiderstate import SpiderState
from scrapy.utils.defer import deferred_from_coro

logger = logging.getLogger(__name__)

#: Finish reason of a crawl stopped because a disk it writes to is full.
DISK_FULL_REASON = "disk_full"
#: ``errno`` values meaning "this file or disk cannot grow": no space, quota, file size limit.
_FULL = (errno.ENOSPC, errno.EDQUOT, errno.EFBIG)


def is_disk_full(exc: BaseException) -> bool:
    """Whether ``exc`` (or what it wraps) says a disk or file cannot grow."""
    while exc is not None:
        if isinstance(exc, OSError) and exc.errno in _FULL:
            return True
        exc = exc.__cause__ or exc.__context__  # type: ignore[assignment]
    return False


#: Stats key set by the first stop: the reason, so later failures are not told again.
STOPPED_KEY = "newsarchive/stopped_by"


def stop_crawl(crawler: Any, reason: str, message: str, *args: Any) -> None:
    """Close the crawler's spider with ``reason``, telling why in one error line (``message``
    % ``args``); what fails after the first stop is only logged at debug level."""
    first = crawler is None or crawler.stats.get_value(STOPPED_KEY) is None
    logger.log(logging.ERROR if first else logging.DEBUG, message, *args)
    if crawler is None:
        return
    if first:
        crawler.stats.set_value(STOPPED_KEY, reason)
    engine = getattr(crawler, "engine", None)
    if engine is not None and engine.spider is not None:
        deferred_from_coro(engine.close_spider_async(reason=reason))


def _folder_full(crawler: Any, exc: OSError) -> None:
    stop_crawl(
        crawler, DISK_FULL_REASON,
        "the job folder %s cannot be written (%s): stopping the crawl. Free disk space there, then run the same "
        "crawl with --resume: it starts again from the seeds and fetches what the archive lacks",
        crawler.settings.get("JOBDIR"), exc.strerror or exc,
    )


class DiskFullSafeScheduler(Scheduler):
    """Scrapy's scheduler, stopping the crawl when its job folder cannot be written.

    A request the disk queue or the seen-requests file cannot take is dropped (the stop
    makes the job's state untrusted, so ``--resume`` finds it again from the seeds).
    """

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
        _folder_full(crawler, exc)
        return fallback


class DiskFullSafeSpiderState(SpiderState):
    """Scrapy's spider-state extension; a state file the full disk cut short is removed
    rather than left looking complete."""

    def spider_closed(self, spider: Spider) -> None:
        try:
            super().spider_closed(spider)
        except OSError as exc:
            if not is_disk_full(exc):
                raise
            Path(self.statefn).unlink(missing_ok=True)
            logger.debug("spider state not saved in %s: %s", self.statefn, exc)
