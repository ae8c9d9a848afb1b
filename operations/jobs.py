"""Job history: every crawl, however started, is a :class:`~models.schema.CrawlJob` row.

:class:`JobRecorder` is a Scrapy extension (enabled in ``crawler/settings.py``), so a
crawl started by ``newsarchive crawl``, by the scheduler, by Scrapyd's ``schedule.json``
or by plain ``scrapy crawl`` is recorded the same way: a row at ``spider_opened``,
finished at ``spider_closed`` with its stats, per-field coverage and health checks.

The scheduler creates the row itself before it starts a crawl (so a failed dispatch is
on record too) and passes its id in the ``NEWSARCHIVE_JOB_ID`` setting or environment
variable; the recorder then adopts that row instead of adding one.

A crawl that is killed never reaches ``spider_closed``; :func:`mark_dead_jobs` finds
rows whose process is gone and marks them ``died`` rather than leaving them "running".
"""

from __future__ import annotations

import logging
import os
import socket
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import psutil
from scrapy import signals
from scrapy.exceptions import NotConfigured
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session
from twisted.internet import task

from crawler.default_settings import read
from crawler.items import Article
from models.engine import database_url, make_engine, session_factory
from models.errors import display_url, error_reason
from models.operations import JobDetail, Schedule
from models.repository import finish_job, record_progress, start_job
from models.schema import CrawlJob
from operations.figures import COVERAGE_FIELDS, FIELDS_TOTAL, Figures, crawl_figures, figures
from operations.health import Thresholds, record_in_stats, run_checks
from operations.incremental import POLICY_ARGUMENTS

log = logging.getLogger(__name__)

#: Setting / environment variable naming a job row created in advance (by the scheduler).
JOB_ID_SETTING = "NEWSARCHIVE_JOB_ID"
#: Outcome of a job whose process vanished without finishing it.
DIED = "died"
#: Outcome of a job that could not be handed to its runner (Scrapyd unreachable …).
DISPATCH_FAILED = "dispatch_failed"
#: Outcome of a job created in advance whose crawl never started within the grace period.
NEVER_STARTED = "never_started"
#: How long a job created in advance may wait for its crawl to start (Scrapyd queues).
START_GRACE = timedelta(hours=1)
#: Slack between a job's start time and its process's creation time (pid reuse check).
PID_SLACK = timedelta(minutes=2)


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
        try:
            self._open(spider)
        except SQLAlchemyError as exc:
            # Scrapyd runs crawls from a zipped egg, where Alembic cannot read the
            # migrations: the archive must be at the newest schema already.
            log.error("cannot record this crawl as a job in %s (%s): bring the archive to the newest schema "
                      "with `newsarchive --db URL db upgrade` (the scheduler does it itself)",
                      display_url(self.url), error_reason(exc))
            return
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

    def _open(self, spider: Any) -> None:
        arguments = {k: v for k, v in getattr(spider, "arguments", {}).items() if k != "_job"}
        scrapyd_job = getattr(spider, "_job", None)
        with self._session() as session, session.begin():
            if self.assigned_id is not None:
                self.job_id = adopt_job(session, self.assigned_id)
            else:
                self.job_id = start_job(session, spider.name, arguments)
                session.add(JobDetail(job_id=self.job_id, launcher="scrapyd" if scrapyd_job else "cli", checks=[]))
            detail = session.get_one(JobDetail, self.job_id)
            if scrapyd_job:
                detail.scrapyd_job = str(scrapyd_job)
        log.info("recording this crawl as job #%d in %s", self.job_id, display_url(self.url))

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
            results = run_checks(crawl_figures(stats.get_stats()), job_history(session, self.job_id), self.thresholds)
            record_in_stats(stats, results)
            values = dict(stats.get_stats())
            values.setdefault("finish_reason", reason)
            finish_job(session, self.job_id, reason, values)
            detail = session.get_one(JobDetail, self.job_id)
            detail.checks = [r.as_dict() for r in results]
            detail.healthy = all(r.ok for r in results)
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


def adopt_job(session: Session, job_id: int) -> int:
    """Take over a job row created in advance: this process and machine now run it."""
    job = session.get(CrawlJob, job_id)
    if job is None:
        raise RuntimeError(f"{JOB_ID_SETTING}={job_id} names no job in the archive: unset it, "
                           "or point --db at the archive the scheduler uses")
    job.pid = os.getpid()
    job.host = socket.gethostname()
    job.started_at = datetime.now(UTC)
    if session.get(JobDetail, job_id) is None:
        session.add(JobDetail(job_id=job_id, launcher="scheduler", checks=[]))
    return job_id


#: Scrapy's finish reason for a crawl stopped by Ctrl-C or SIGTERM, and the word people read for it.
INTERRUPTED_REASON = "shutdown"


def job_outcome(finish_reason: str | None, healthy: bool | None) -> str:
    """The one word the jobs table, ``jobs show`` text and JSON, and the crawl summary use:
    ``running``, ``finished``, ``unhealthy`` (finished, a health check failed),
    ``interrupted`` (Ctrl-C or SIGTERM: resumable), or Scrapy's or the scheduler's own
    reason (``closespider_timeout``, ``died``, ``shutdown`` of a scheduler …)."""
    if finish_reason is None:
        return "running"
    if finish_reason == INTERRUPTED_REASON:
        return "interrupted"
    if finish_reason == "finished" and healthy is False:
        return "unhealthy"
    return finish_reason


def create_job(session: Session, spider: str, arguments: dict[str, Any], *, schedule_id: int | None,
               launcher: str) -> int:
    """A job row for a crawl about to be dispatched; its process adopts it when it starts."""
    job_id = start_job(session, spider, arguments, pid=0, host="")
    session.add(JobDetail(job_id=job_id, schedule_id=schedule_id, launcher=launcher, checks=[]))
    session.flush()
    return job_id


def fail_job(session: Session, job_id: int, outcome: str, error: str) -> None:
    """End a job that Scrapy never finished (dispatch refused, process gone), saying why."""
    finish_job(session, job_id, outcome, {})
    detail = session.get(JobDetail, job_id) or JobDetail(job_id=job_id, checks=[])
    detail.error = error
    detail.healthy = False
    session.add(detail)


def process_alive(pid: int, started_at: datetime) -> bool:
    """Whether ``pid`` on this machine is still the process that started at ``started_at``
    (a pid reused by a later process does not count; nor does an unreaped zombie)."""
    try:
        process = psutil.Process(pid)
        if process.status() == psutil.STATUS_ZOMBIE:
            return False
        created = datetime.fromtimestamp(process.create_time(), UTC)
    except psutil.NoSuchProcess:
        return False
    except psutil.AccessDenied:  # someone else's process: it exists, and ours would not be denied
        return True
    return created <= started_at + PID_SLACK


def mark_dead_jobs(session: Session, now: datetime | None = None) -> list[int]:
    """Finish unfinished jobs of this machine whose process is gone; returns their ids.

    Jobs on other machines are left alone (their processes cannot be seen from here);
    the ``jobs`` command on that machine, or its scheduler, marks them.
    """
    now = now or datetime.now(UTC)
    host = socket.gethostname()
    marked = []
    for job in session.scalars(select(CrawlJob).where(CrawlJob.finished_at.is_(None))):
        if not job.pid:  # created in advance, not adopted yet
            if now - job.started_at > START_GRACE:
                fail_job(session, job.id, NEVER_STARTED,
                         f"the crawl did not start within {START_GRACE}: check the scheduler's or Scrapyd's log")
                marked.append(job.id)
            continue
        if job.host == host and not process_alive(job.pid, job.started_at):
            fail_job(session, job.id, DIED,
                     f"process {job.pid} on {host} ended without finishing the job (killed, or out of memory): "
                     "see the crawl's log, then run the crawl again")
            marked.append(job.id)
    return marked


def job_history(session: Session, job_id: int) -> list[Figures]:
    """Figures of earlier finished runs like ``job_id``, newest first: the same schedule's,
    or for an unscheduled crawl the same spider's with the same arguments (policy ones aside)."""
    job = session.get_one(CrawlJob, job_id)
    detail = session.get(JobDetail, job_id)
    query = (select(CrawlJob).where(CrawlJob.id != job_id, CrawlJob.outcome == "finished")
             .order_by(CrawlJob.started_at.desc()).limit(200))
    if detail is not None and detail.schedule_id is not None:
        query = query.join(JobDetail, JobDetail.job_id == CrawlJob.id).where(JobDetail.schedule_id == detail.schedule_id)
        return [crawl_figures(j.stats) for j in session.scalars(query)]
    query = query.where(CrawlJob.spider == job.spider)
    return [crawl_figures(j.stats) for j in session.scalars(query) if _what(j.arguments) == _what(job.arguments)]


def _what(arguments: dict[str, Any]) -> dict[str, Any]:
    """The arguments that say what is crawled (not the incremental policy)."""
    return {k: v for k, v in arguments.items() if k not in POLICY_ARGUMENTS}


@dataclass(frozen=True)
class JobRow:
    """A job with its details, as the ``jobs`` command shows it."""

    job: CrawlJob
    detail: JobDetail | None
    schedule: str | None

    @property
    def failed(self) -> bool:
        finished_badly = self.job.outcome is not None and self.job.outcome != "finished"
        return finished_badly or (self.detail is not None and self.detail.healthy is False)


def list_jobs(session: Session, *, since: datetime | None = None, failed: bool = False,
              limit: int = 50) -> Sequence[JobRow]:
    """Jobs newest first, after marking dead ones; ``failed`` keeps only those that went wrong."""
    mark_dead_jobs(session)
    query = (select(CrawlJob, JobDetail, Schedule.name)
             .outerjoin(JobDetail, JobDetail.job_id == CrawlJob.id)
             .outerjoin(Schedule, Schedule.id == JobDetail.schedule_id)
             .order_by(CrawlJob.started_at.desc(), CrawlJob.id.desc()))
    if since is not None:
        query = query.where(CrawlJob.started_at >= since)
    rows = [JobRow(job, detail, name) for job, detail, name in session.execute(query)]
    if failed:
        rows = [r for r in rows if r.failed]
    return rows[:limit]
