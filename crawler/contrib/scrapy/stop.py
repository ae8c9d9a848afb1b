"""Stopping a crawl loudly, once: the one way an adapter ends a crawl on its own.

Why: a writer that cannot go on (a full disk under the job folder or the spool, see
:mod:`crawler.disk_full`) must end the crawl with a reason, say why in one error line,
and not bury that line under the failures that follow it. The first stop records its
reason in the stats under :data:`STOPPED_KEY`; later ones are only logged at debug level.
Used by the scheduler (:mod:`crawler.contrib.scrapy.scheduler`) and the store pipeline.
"""

from __future__ import annotations

import logging
from typing import Any

from scrapy.utils.defer import deferred_from_coro

logger = logging.getLogger(__name__)

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
