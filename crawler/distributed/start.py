"""Spider middleware: in a distributed crawl the spider starts from Redis, not from its own start().

The seed command (``newsarchive seed``) pushes the spider's start requests into the
frontier once; workers must not push them again on every start (a persistent dupefilter
would drop them anyway, but a re-seed after ``--reset`` would be doubled). Dropping the
start requests here keeps one spider class for both modes.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any


class StartFromFrontier:
    async def process_start(self, start: AsyncIterator[Any]) -> AsyncIterator[Any]:
        """Yield nothing: the frontier in Redis already holds the start requests."""
        return
        yield  # pragma: no cover - makes this an async generator
