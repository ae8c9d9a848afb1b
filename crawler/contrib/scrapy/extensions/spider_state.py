"""Scrapy's spider-state extension, safe on a full disk (see :mod:`crawler.disk_full`)."""

from __future__ import annotations

import logging
from pathlib import Path

from scrapy import Spider
from scrapy.extensions.spiderstate import SpiderState

from crawler.disk_full import is_disk_full

logger = logging.getLogger(__name__)


class DiskFullSafeSpiderState(SpiderState):
    """A state file the full disk cut short is removed rather than left looking complete."""

    def spider_closed(self, spider: Spider) -> None:
        try:
            super().spider_closed(spider)
        except OSError as exc:
            if not is_disk_full(exc):
                raise
            Path(self.statefn).unlink(missing_ok=True)
            logger.debug("spider state not saved in %s: %s", self.statefn, exc)
