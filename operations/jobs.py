"""Job history: every crawl, however started, is a :class:`~models.schema.CrawlJob` row.

The Scrapy extension :class:`crawler.contrib.scrapy.extensions.jobs.JobRecorder` (enabled
in ``crawler/settings.py``) records a crawl started by ``newsarchive crawl``, by the
scheduler, by Scrapyd's ``schedule.json`` or by plain ``scrapy crawl`` the same way: a row
at ``spider_opened``, finished at ``spider_closed`` with its stats, per-field coverage and
health checks. This module holds the records themselves, without Scrapy.

The scheduler creates the row itself before it starts a crawl (so a failed dispatch is
on record too) and passes its id in the ``NEWSARCHIVE_JOB_ID`` setting or environment
variable; the recorder then adopts that row (:func:`adopt_job`) instead of adding one.

A crawl that is killed never reaches ``spider_closed``; :func:`mark_dead_jobs` finds
rows whose process is gone and marks them ``died`` rather than leaving them "running".
"""

from __future__ import annotations

import os
import socket
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import psutil
from sqlalchemy import select
from sqlalchemy.orm import Session

from models.operations import JobDetail, Schedule
from models.repository import finish_job, start_job
from models.schema import CrawlJob
from operations.figures import Figures, crawl_figures
from operations.health import CheckResult, Thresholds, record_in_stats, run_checks
from operations.incremental import POLICY_ARGUMENTS

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


def open_crawl_job(session: Session, spider: str, arguments: dict[str, Any], *, assigned_id: int | None,
                   scrapyd_job: str | None) -> int:
    """The job row of a crawl starting now: the one created for it in advance (``assigned_id``,
    adopted), or a new one; ``scrapyd_job`` is Scrapyd's id for it, if Scrapyd started it."""
    if assigned_id is not None:
        job_id = adopt_job(session, assigned_id)
    else:
        job_id = start_job(session, spider, arguments)
        session.add(JobDetail(job_id=job_id, launcher="scrapyd" if scrapyd_job else "cli", checks=[]))
    if scrapyd_job:
        session.get_one(JobDetail, job_id).scrapyd_job = scrapyd_job
    return job_id


def close_crawl_job(session: Session, job_id: int, stats: Any, reason: str, thresholds: Thresholds) -> list[CheckResult]:
    """Judge the crawl's figures against its history, put the verdicts into ``stats`` (the
    crawl's stats collector: ``get_stats``/``set_value``) and save them all on the job row."""
    results = run_checks(crawl_figures(stats.get_stats()), job_history(session, job_id), thresholds)
    record_in_stats(stats, results)
    values = dict(stats.get_stats())
    values.setdefault("finish_reason", reason)
    finish_job(session, job_id, reason, values)
    detail = session.get_one(JobDetail, job_id)
    detail.checks = [r.as_dict() for r in results]
    detail.healthy = all(r.ok for r in results)
    return results


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
