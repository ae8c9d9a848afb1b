"""The long-running scheduler: starts due crawls, one process (or Scrapyd job) each.

Why a tick loop over the database rather than APScheduler's in-memory job store: the
schedules live in the archive and change under the running scheduler (``schedule add``
from another shell), and two schedulers may point at one database. Each tick re-reads
the due schedules; croniter computes due times. Rules:

* one scheduler acts at a time: it holds a lease row (:class:`~models.operations.SchedulerLease`)
  renewed every tick; a second scheduler waits until the lease expires;
* never two jobs of one schedule at once: a due schedule whose previous job is still
  running skips that run;
* a run missed during downtime runs once, then the schedule moves to its next due time
  after *now* (not one run per missed slot);
* every start creates the job row first, so a refused dispatch (Scrapyd unreachable) is
  on record as ``dispatch_failed`` and is retried per :class:`RetryPolicy`;
* SIGTERM (``stop()``) ends the loop, asks running crawls to shut down (Scrapy finishes
  them with outcome ``shutdown``), waits, and releases the lease.
"""

from __future__ import annotations

import logging
import os
import signal
import socket
import subprocess
import sys
import threading
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Protocol

from sqlalchemy import delete, make_url, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from crawler.default_settings import environment
from crawler.secret_files import secret_file
from models.engine import DATABASE_URL_ENV, make_engine, session_factory
from models.operations import JobDetail, Schedule, SchedulerLease
from models.schema import CrawlJob
from operations.figures import figures
from operations.jobs import DIED, DISPATCH_FAILED, JOB_ID_SETTING, create_job, fail_job, mark_dead_jobs
from operations.schedules import next_run
from operations.scrapyd import Scrapyd, ScrapydError

log = logging.getLogger(__name__)

LEASE_NAME = "scheduler"


class DispatchFailed(RuntimeError):
    """The crawl could not be handed to its runner; the message says why and what to do."""


class Dispatcher(Protocol):
    """Starts the crawl of an existing job row; returns the local process, if any."""

    target: str

    def start(self, job_id: int, spider: str, arguments: dict[str, Any]) -> subprocess.Popen[bytes] | None: ...


@dataclass
class LocalDispatcher:
    """Runs each crawl as ``newsarchive crawl`` in a child process, its output in ``log_dir``.

    The archive URL goes to the child in its environment, never on its command line,
    which every local user can read (see :mod:`crawler.secret_files`)."""

    db_url: str
    log_dir: Path
    target: str = "local"

    def start(self, job_id: int, spider: str, arguments: dict[str, Any]) -> subprocess.Popen[bytes]:
        self.log_dir.mkdir(parents=True, exist_ok=True)
        command = [sys.executable, "-m", "cli.main", "crawl", spider]
        for name, value in arguments.items():
            command += ["-a", f"{name}={value}"]
        env = {**os.environ, JOB_ID_SETTING: str(job_id), DATABASE_URL_ENV: self.db_url}
        try:
            with open(self.log_dir / f"job-{job_id}.log", "ab") as output:
                return subprocess.Popen(command, stdout=output, stderr=subprocess.STDOUT, env=env)
        except OSError as exc:
            raise DispatchFailed(f"cannot start {command[0]} ({exc}): check the Python installation") from exc


@dataclass
class ScrapydDispatcher:
    """Queues each crawl on Scrapyd (deployed with ``newsarchive scheduler --deploy`` or scrapyd-deploy).

    Scrapyd logs every job's settings and puts them on the crawl's command line, so an
    archive URL with a password is passed as the path of a 0600 file holding it
    (``NEWSARCHIVE_DATABASE_URL_FILE``, written in ``secrets_dir``; Scrapyd must run as
    the same user on this machine, or be given the archive URL in its own environment)."""

    scrapyd: Scrapyd
    db_url: str
    project: str = "newsarchive"
    secrets_dir: Path = field(default_factory=lambda: Path(environment("NEWSARCHIVE_SECRETS_DIR")))

    @property
    def target(self) -> str:
        return self.scrapyd.url

    def start(self, job_id: int, spider: str, arguments: dict[str, Any]) -> None:
        settings: dict[str, Any] = {JOB_ID_SETTING: job_id}
        if make_url(self.db_url).password:
            settings["NEWSARCHIVE_DATABASE_URL_FILE"] = str(secret_file(self.db_url, self.secrets_dir.absolute()))
        else:
            settings["NEWSARCHIVE_DATABASE_URL"] = self.db_url
        try:
            self.scrapyd.schedule(spider, arguments, project=self.project, settings=settings)
        except ScrapydError as exc:
            raise DispatchFailed(str(exc)) from exc
        return None


@dataclass(frozen=True)
class RetryPolicy:
    """A failed dispatch is retried ``retries`` times, ``delay`` apart, then waits for the next due time."""

    retries: int = 3
    delay: timedelta = timedelta(minutes=1)


@dataclass
class _Watched:
    schedule: str
    process: subprocess.Popen[bytes] | None


@dataclass
class Scheduler:
    db_url: str
    dispatcher: Dispatcher
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    lease_seconds: float = 60.0
    holder: str = field(default_factory=lambda: f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}")

    def __post_init__(self) -> None:
        self.engine = make_engine(self.db_url)
        self.sessions = session_factory(self.engine)
        self.watched: dict[int, _Watched] = {}
        self._stop = threading.Event()

    # -- the loop -------------------------------------------------------------------

    def run(self, tick_seconds: float = 5.0, *, once: bool = False) -> None:
        """Tick until :meth:`stop` (SIGTERM); ``once`` ticks once and waits for what it started."""
        log.info("scheduler %s started; dispatching to %s", self.holder, self.dispatcher.target)
        try:
            while not self._stop.is_set():
                self.tick()
                if once:
                    while self.watched and not self._stop.is_set():
                        self._stop.wait(0.5)
                        self.reap()
                    break
                self._stop.wait(tick_seconds)
        finally:
            self.shutdown()

    def stop(self, *_: Any) -> None:
        """Ask the loop to end (safe from a signal handler)."""
        self._stop.set()

    def tick(self, now: datetime | None = None) -> list[int]:
        """Start every due schedule, if this scheduler holds the lease; returns the new job ids."""
        now = now or datetime.now(UTC)
        self.reap()
        with self.sessions.begin() as session:
            if not self._hold_lease(session, now):
                log.debug("another scheduler holds the lease; not starting anything")
                return []
            mark_dead_jobs(session, now)
            due = session.scalars(
                select(Schedule).where(Schedule.paused.is_(False), Schedule.next_run_at <= now).order_by(Schedule.next_run_at)
            ).all()
            plans = [(s.id, s.name) for s in due]
        return [job for sid, name in plans if (job := self._start(sid, name, now)) is not None]

    # -- starting and watching jobs --------------------------------------------------

    def _start(self, schedule_id: int, name: str, now: datetime) -> int | None:
        with self.sessions.begin() as session:
            schedule = session.get_one(Schedule, schedule_id)
            if _running_job(session, schedule_id) is not None:
                schedule.next_run_at = next_run(schedule, now)
                log.info("schedule %s: previous job still running; skipped this run", name)
                return None
            launcher = "scheduler" if self.dispatcher.target == "local" else "scrapyd"
            job_id = create_job(session, schedule.spider, schedule.arguments, schedule_id=schedule_id, launcher=launcher)
            spider, arguments = schedule.spider, dict(schedule.arguments)
        try:  # outside the transaction: the child must see the committed job row
            process = self.dispatcher.start(job_id, spider, arguments)
        except DispatchFailed as exc:
            self._dispatch_failed(schedule_id, job_id, str(exc), now)
            return None
        with self.sessions.begin() as session:
            schedule = session.get_one(Schedule, schedule_id)
            schedule.dispatch_failures = 0
            schedule.next_run_at = next_run(schedule, now)
            if process is not None:
                session.get_one(CrawlJob, job_id).pid = process.pid
                session.get_one(CrawlJob, job_id).host = socket.gethostname()
        self.watched[job_id] = _Watched(name, process)
        log.info("job #%d started: schedule %s, %s %s on %s", job_id, name, spider,
                 " ".join(f"{k}={v}" for k, v in arguments.items()), self.dispatcher.target)
        return job_id

    def _dispatch_failed(self, schedule_id: int, job_id: int, error: str, now: datetime) -> None:
        with self.sessions.begin() as session:
            schedule = session.get_one(Schedule, schedule_id)
            fail_job(session, job_id, DISPATCH_FAILED, error)
            schedule.dispatch_failures += 1
            if schedule.dispatch_failures <= self.retry.retries:
                schedule.next_run_at = now + self.retry.delay
                plan = f"retry {schedule.dispatch_failures} of {self.retry.retries} at {schedule.next_run_at:%H:%M:%S}"
            else:
                schedule.dispatch_failures = 0
                schedule.next_run_at = next_run(schedule, now)
                plan = f"retries used up; next run at {schedule.next_run_at:%Y-%m-%d %H:%M:%S}"
            log.error("job #%d of schedule %s failed to dispatch: %s (%s)", job_id, schedule.name, error, plan)

    def reap(self) -> None:
        """Log the end of watched jobs; a child that exited without finishing its row died."""
        if not self.watched:
            return
        with self.sessions.begin() as session:
            for job_id, watched in list(self.watched.items()):
                job = session.get_one(CrawlJob, job_id)
                code = watched.process.poll() if watched.process is not None else None
                if job.finished_at is None and code is not None:
                    fail_job(session, job_id, DIED, f"crawl process exited with status {code} before finishing: "
                             f"see its log for the cause")
                    session.flush()
                if job.finished_at is None:
                    continue
                del self.watched[job_id]
                detail = session.get(JobDetail, job_id)
                health = "healthy" if detail is not None and detail.healthy else "UNHEALTHY"
                log.info("job #%d ended: schedule %s, %s, %d articles seen, %s", job_id, watched.schedule,
                         job.outcome, figures(job.stats).articles_seen, health)

    def shutdown(self, grace: float = 60.0) -> None:
        """Stop running children gracefully (SIGTERM, then SIGKILL after ``grace``), release the lease."""
        for watched in self.watched.values():
            if watched.process is not None and watched.process.poll() is None:
                watched.process.send_signal(signal.SIGTERM)
        for watched in self.watched.values():
            if watched.process is not None:
                try:
                    watched.process.wait(grace)
                except subprocess.TimeoutExpired:
                    watched.process.kill()
                    watched.process.wait()
        self.reap()
        with self.sessions.begin() as session:
            session.execute(delete(SchedulerLease).where(SchedulerLease.holder == self.holder))
        self.engine.dispose()
        log.info("scheduler %s stopped", self.holder)

    # -- the lease ---------------------------------------------------------------------

    def _hold_lease(self, session: Session, now: datetime) -> bool:
        """Take or renew the lease; False while another live scheduler holds it."""
        expires = now + timedelta(seconds=self.lease_seconds)
        taken = session.execute(
            update(SchedulerLease)
            .where(SchedulerLease.name == LEASE_NAME,
                   or_(SchedulerLease.holder == self.holder, SchedulerLease.expires_at < now))
            .values(holder=self.holder, expires_at=expires)
        ).rowcount
        if taken:
            return True
        if session.get(SchedulerLease, LEASE_NAME) is not None:
            return False
        try:
            with session.begin_nested():
                session.add(SchedulerLease(name=LEASE_NAME, holder=self.holder, expires_at=expires))
        except IntegrityError:  # another scheduler created it first
            return False
        return True


def _running_job(session: Session, schedule_id: int) -> int | None:
    return session.scalar(
        select(CrawlJob.id).join(JobDetail, JobDetail.job_id == CrawlJob.id)
        .where(JobDetail.schedule_id == schedule_id, CrawlJob.finished_at.is_(None)).limit(1)
    )
