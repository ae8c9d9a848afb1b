"""CPU seconds per crawl stage, kept in Scrapy's stats (``newsarchive/cpu_s/<stage>``).

Why: "the crawl is slow" has to be answered with where the time goes. Every crawl's
stats, and so its job record, say how much CPU extraction, normalisation and each
storage step took; ``make bench`` divides them by the pages fetched. Timing costs two
``time.process_time()`` calls per stage and page, far below what any stage does.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

#: Stats key prefix; the stage name follows.
STAT_PREFIX = "newsarchive/cpu_s/"


@contextmanager
def cpu_time(stats: Any, stage: str) -> Iterator[None]:
    """Add the process CPU time spent inside the block to ``newsarchive/cpu_s/<stage>``."""
    start = time.process_time()
    try:
        yield
    finally:
        stats.inc_value(STAT_PREFIX + stage, time.process_time() - start)
