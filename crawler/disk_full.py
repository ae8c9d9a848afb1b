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

This module only tells a full disk from other failures; the Scrapy side — stopping the
crawl (:mod:`crawler.contrib.scrapy.stop`), the job folder's scheduler
(:mod:`crawler.contrib.scrapy.scheduler`) and spider state
(:mod:`crawler.contrib.scrapy.extensions.spider_state`) — lives with the other adapters.
"""

from __future__ import annotations

import errno

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
