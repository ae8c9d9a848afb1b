"""Scrapy extension recording every crawl as a job (the records: :mod:`operations.jobs`).

A row at ``spider_opened`` (or the row the scheduler made in advance, named by
``NEWSARCHIVE_JOB_ID``), the stats saved on it every ``NEWSARCHIVE_JOB_PROGRESS_INTERVAL``
seconds, and at ``spider_closed`` the final stats, per-field coverage and health checks.
It reads the crawl's ``-a`` arguments (Scrapyd's ``_job`` among them) from
:attr:`crawler.spiders.base.ArchiveSpider.arguments`.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from scrapy import signals
from scrapy.exceptions import NotConfigured
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session
from twisted.internet import task

from crawler.default_settings import read
from crawler.items import Article
from models.engine import database_url, make_engine, session_factory
from models.errors import display_url, error_reason
from models.repository import record_progress
from operations.figures import COVERAGE_FIELDS, FIELDS_TOTAL
from operations.health import Thresholds
from operations.jobs import JOB_ID_SETTING, close_crawl_job, open_crawl_job

log = logging.getLogger(__name__)


class JobRecorder:
    """Scrapy extension recording the crawl as a job. ``NEWSARCHIVE_JOBS=False`` turns it off."""

    def __init__(self, crawler: Any) -> None:
        settings = crawler.settings
        self.crawler = crawler
        self.url = database_url(settings.get("NEWSARCHIVE_DATABASE_URL"))
        self.thresholds = Thresholds.from_settings(settings)
        assigned = settings.get(JOB_ID_SETTING) or os.environ.get(JOB_ID_SETTING)
        self.assigned_id = int(assigned) if assigned else None
        self.job_id: int | None = None
        self.progress: task.LoopingCall | None = None

    @classmethod
    def from_crawler(cls, crawler: Any) -> JobRecorder:
        if not read(crawler.settings, "NEWSARCHIVE_JOBS"):
            raise NotConfigured("job recording disabled by NEWSARCHIVE_JOBS=False")
        recorder = cls(crawler)
        crawler.signals.connect(recorder.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(recorder.item_scraped, signal=signals.item_scraped)
        crawler.signals.connect(recorder.spider_closed, signal=signals.spider_closed)
        return recorder

    def spider_opened(self, spider: Any) -> None:
        given = dict(getattr(spider, "arguments", {}))
        scrapyd_job = given.pop("_job", None)
        try:
            with self._session() as session, session.begin():
                self.job_id = open_crawl_job(session, spider.name, given, assigned_id=self.assigned_id,
                                             scrapyd_job=str(scrapyd_job) if scrapyd_job else None)
        except SQLAlchemyError as exc:
            # Scrapyd runs crawls from a zipped egg, where Alembic cannot read the
            # migrations: the archive must be at the newest schema already.
            log.error("cannot record this crawl as a job in %s (%s): bring the archive to the newest schema "
                      "with `newsarchive --db URL db upgrade` (the scheduler does it itself)",
                      display_url(self.url), error_reason(exc))
            return
        log.info("recording this crawl as job #%d in %s", self.job_id, display_url(self.url))
        interval = float(read(self.crawler.settings, "NEWSARCHIVE_JOB_PROGRESS_INTERVAL"))
        if interval > 0:
            self.progress = task.LoopingCall(self.report_progress)
            self.progress.start(interval, now=False)

    def report_progress(self) -> None:
        """Save the stats so far on the job row, so operators see a running crawl move
        (``newsarchive serve``'s running jobs); a failed save only costs this update."""
        try:
            with self._session() as session, session.begin():
                record_progress(session, self.job_id, self.crawler.stats.get_stats())
        except SQLAlchemyError as exc:
            log.warning("could not save job #%s's progress (%s); the final stats are saved at the end",
                        self.job_id, error_reason(exc))

    def item_scraped(self, item: Any) -> None:
        """Count field coverage in the stats as items pass (a distributed worker publishes
        its stats before ``spider_closed``, see :mod:`crawler.distributed.totals`)."""
        if not isinstance(item, Article):
            return
        stats = self.crawler.stats
        stats.inc_value(FIELDS_TOTAL)
        for name in COVERAGE_FIELDS:
            if getattr(item, name):
                stats.inc_value(f"newsarchive/fields/{name}")

    def spider_closed(self, spider: Any, reason: str) -> None:
        if self.progress is not None and self.progress.running:
            self.progress.stop()
        if self.job_id is None:
            return
        stats = self.crawler.stats
        for key in (FIELDS_TOTAL, *(f"newsarchive/fields/{name}" for name in COVERAGE_FIELDS)):
            stats.set_value(key, stats.get_value(key, 0))
        with self._session() as session, session.begin():
            results = close_crawl_job(session, self.job_id, stats, reason, self.thresholds)
        for result in results:
            log.log(logging.INFO if result.ok else logging.ERROR, "health check %s: %s%s", result.name,
                    "ok, " if result.ok else "FAILED, ", result.detail)

    @contextmanager
    def _session(self) -> Iterator[Session]:
        """A session on an engine of its own, disposed after: the recorder touches the
        database twice per crawl and should hold no connections in between."""
        engine = make_engine(self.url)
        try:
            with session_factory(engine)() as session:
                yield session
        finally:
            engine.dispose()
