"""How long a host pauses, and when it is given up: the politeness decisions, without Scrapy.

A host that answers 429 or 503 pauses for what its ``Retry-After`` asks or, without one,
``NEWSARCHIVE_BACKOFF`` seconds doubling with each such answer in a row; a host that sends
block pages (:func:`crawler.blocks.block_reason`) pauses ``NEWSARCHIVE_BLOCK_PAUSE`` seconds
doubling with each block in a row, and is given up after ``NEWSARCHIVE_BLOCK_STOP_AFTER`` in
a row. No pause is longer than ``NEWSARCHIVE_MAX_PAUSE``. The downloader middleware that
applies these to Scrapy's download slots is
:class:`crawler.contrib.scrapy.middlewares.politeness.HostPoliteness`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from typing import Any

from crawler.default_settings import read


@dataclass(frozen=True)
class PausePolicy:
    """The politeness settings (defaults and meanings in :mod:`crawler.default_settings`)."""

    block_pause: float
    stop_after: int
    block_retries: int
    backoff: float
    max_pause: float

    @classmethod
    def from_settings(cls, settings: Any) -> PausePolicy:
        return cls(
            block_pause=read(settings, "NEWSARCHIVE_BLOCK_PAUSE"),
            stop_after=max(1, read(settings, "NEWSARCHIVE_BLOCK_STOP_AFTER")),
            block_retries=read(settings, "NEWSARCHIVE_BLOCK_RETRIES"),
            backoff=read(settings, "NEWSARCHIVE_BACKOFF"),
            max_pause=read(settings, "NEWSARCHIVE_MAX_PAUSE"),
        )


@dataclass
class HostState:
    """What one host asked for and did in this crawl."""

    crawl_delay: float = 0.0
    #: Slot delay to return to after a pause (None while not paused).
    usual_delay: float | None = None
    usual_jitter: float = 0.5
    blocked_in_row: int = 0
    backoff_in_row: int = 0
    stopped: bool = False
    #: ``time.monotonic()`` until which the host is paused (answers of requests already
    #: under way do not end a pause early).
    paused_until: float = 0.0
    #: Whether giving up was logged and recorded (once per host).
    reported: bool = False

    def blocked(self, policy: PausePolicy) -> float:
        """Count a block page; the pause it asks, 0 once the host is given up (:attr:`stopped`)."""
        self.blocked_in_row += 1
        self.stopped = self.stopped or self.blocked_in_row >= policy.stop_after
        return 0.0 if self.stopped else min(policy.block_pause * 2 ** (self.blocked_in_row - 1), policy.max_pause)

    def throttled(self, policy: PausePolicy, asked: float | None) -> float:
        """Count a 429/503; the pause: what ``Retry-After`` asked (``asked``) or the doubling back-off."""
        self.backoff_in_row += 1
        return min(asked if asked is not None else policy.backoff * 2 ** (self.backoff_in_row - 1), policy.max_pause)

    def answered(self) -> None:
        """A normal answer ends the runs of blocks and back-offs."""
        self.blocked_in_row = self.backoff_in_row = 0

    @property
    def resting(self) -> bool:
        """Whether the host is in a run of blocks or back-offs (its pause must not end yet)."""
        return bool(self.blocked_in_row or self.backoff_in_row)


def retry_after(value: bytes | None) -> float | None:
    """Seconds a ``Retry-After`` header asks to wait (delta-seconds or HTTP date), or None
    when absent or unreadable (hostile values never mean 'no wait' or forever)."""
    if not value:
        return None
    text = value.decode("latin-1").strip()
    if text.isdigit():
        return float(text)
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return max(0.0, (when - datetime.now(timezone.utc)).total_seconds())
