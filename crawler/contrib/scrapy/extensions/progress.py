"""A one-line live progress display for crawls run at a terminal.

Scrapy's LogStats writes a log line every ``LOGSTATS_INTERVAL`` seconds, which is right
for log files and Scrapyd, but an operator watching a crawl wants to see it move. When
standard error is a terminal this extension redraws one line — pages, articles, rate,
errors — every ``NEWSARCHIVE_PROGRESS_INTERVAL`` seconds. Settings ``NEWSARCHIVE_PROGRESS``
and ``NEWSARCHIVE_PROGRESS_INTERVAL``: see :mod:`crawler.default_settings`. The line itself
is :func:`operations.figures.progress_line`.
"""

from __future__ import annotations

import sys
import time
from typing import Any, TextIO

from scrapy import signals
from scrapy.exceptions import NotConfigured
from twisted.internet import task

from crawler.default_settings import read
from operations.figures import progress_line


class Progress:
    """Scrapy extension redrawing the progress line; ``NEWSARCHIVE_PROGRESS=off`` turns it off."""

    def __init__(self, stats: Any, interval: float, stream: TextIO):
        self.stats = stats
        self.interval = interval
        self.stream = stream
        self.started = time.monotonic()
        self.loop: task.LoopingCall | None = None

    @classmethod
    def from_crawler(cls, crawler: Any) -> Progress:
        mode = read(crawler.settings, "NEWSARCHIVE_PROGRESS")
        if mode == "off" or (mode == "auto" and not sys.stderr.isatty()):
            raise NotConfigured  # logs and Scrapyd keep LogStats lines instead
        extension = cls(crawler.stats, read(crawler.settings, "NEWSARCHIVE_PROGRESS_INTERVAL"), sys.stderr)
        crawler.signals.connect(extension.opened, signal=signals.spider_opened)
        crawler.signals.connect(extension.closed, signal=signals.spider_closed)
        return extension

    def opened(self, spider: Any) -> None:
        self.started = time.monotonic()
        self.loop = task.LoopingCall(self.draw)
        self.loop.start(self.interval, now=False)

    def draw(self, end: str = "\r") -> None:
        line = progress_line(self.stats.get_stats(), time.monotonic() - self.started)
        self.stream.write("\x1b[2K" + line + end)
        self.stream.flush()

    def closed(self, spider: Any) -> None:
        if self.loop is not None and self.loop.running:
            self.loop.stop()
        self.draw(end="\n")
