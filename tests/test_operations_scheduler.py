"""The scheduler's rules: one scheduler acts, one job per schedule, missed runs once,
failed dispatches recorded and retried, dead processes marked."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from models.engine import make_engine, session_factory
from models.operations import JobDetail, Schedule
from models.schema import CrawlJob
from operations.jobs import DIED, DISPATCH_FAILED, mark_dead_jobs
from operations.scheduler import RetryPolicy, Scheduler, ScrapydDispatcher
from operations.schedules import add_schedule
from operations.scrapyd import Scrapyd

os.environ.setdefault("SCRAPY_SETTINGS_MODULE", "crawler.settings")
NOW = datetime(2026, 11, 28, 10, 0, tzinfo=UTC)


class RecordingDispatcher:
    """Stands in for a runner: records what it was asked to start, starts nothing."""

    target = "local"

    def __init__(self) -> None:
        self.started: list[int] = []

    def start(self, job_id, spider, arguments):
        self.started.append(job_id)
        return None


@pytest.fixture
def sessions(migrated_db_url):
    engine = make_engine(migrated_db_url)
    with session_factory(engine).begin() as session:
        add_schedule(session, "js", "people", {"channel": "js"}, every="1h", now=NOW - timedelta(hours=5))
    yield session_factory(engine)
    engine.dispose()


def _schedule(sessions) -> Schedule:
    with sessions() as session:
        return session.scalars(select(Schedule)).one()


def _finish_all(sessions) -> None:
    with sessions.begin() as session:
        for job in session.scalars(select(CrawlJob).where(CrawlJob.finished_at.is_(None))):
            job.finished_at, job.outcome = NOW, "finished"


def test_a_run_missed_during_downtime_runs_once(migrated_db_url, sessions):
    dispatcher = RecordingDispatcher()
    scheduler = Scheduler(migrated_db_url, dispatcher)
    assert len(scheduler.tick(NOW)) == 1  # five hourly slots were missed
    assert _schedule(sessions).next_run_at == NOW + timedelta(hours=1)
    _finish_all(sessions)
    assert scheduler.tick(NOW + timedelta(minutes=1)) == []
    scheduler.shutdown()


def test_never_two_jobs_of_one_schedule_at_once(migrated_db_url, sessions):
    scheduler = Scheduler(migrated_db_url, RecordingDispatcher())
    first = scheduler.tick(NOW)
    assert scheduler.tick(NOW + timedelta(hours=1)) == []  # the first job has not finished
    _finish_all(sessions)
    second = scheduler.tick(NOW + timedelta(hours=2))
    assert len(first) == len(second) == 1 and first != second
    scheduler.watched.clear()
    scheduler.shutdown()


def test_two_schedulers_on_one_database_do_not_both_start_a_job(migrated_db_url, sessions):
    a, b = RecordingDispatcher(), RecordingDispatcher()
    first, second = Scheduler(migrated_db_url, a), Scheduler(migrated_db_url, b)
    first.tick(NOW)
    second.tick(NOW)
    assert len(a.started) == 1 and b.started == []
    _finish_all(sessions)
    first.watched.clear()
    first.shutdown()  # releases the lease: the other one takes over
    second.tick(NOW + timedelta(hours=2))
    assert len(b.started) == 1
    second.watched.clear()
    second.shutdown()


def test_scrapyd_unreachable_records_the_failure_and_retries(migrated_db_url, sessions):
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    dispatcher = ScrapydDispatcher(Scrapyd.from_url(f"http://127.0.0.1:{port}"), migrated_db_url)
    scheduler = Scheduler(migrated_db_url, dispatcher, retry=RetryPolicy(retries=1, delay=timedelta(minutes=2)))
    assert scheduler.tick(NOW) == []
    with sessions() as session:
        job, detail = session.execute(select(CrawlJob, JobDetail).join(JobDetail)).one()
        assert job.outcome == DISPATCH_FAILED
        assert "unreachable" in detail.error and "start it" in detail.error
    assert _schedule(sessions).next_run_at == NOW + timedelta(minutes=2)  # the retry
    scheduler.tick(NOW + timedelta(minutes=2))
    assert _schedule(sessions).next_run_at == NOW + timedelta(minutes=2, hours=1)  # retries used up
    scheduler.shutdown()


def test_a_job_whose_process_died_is_marked_not_left_running(migrated_db_url, sessions):
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    with sessions.begin() as session:
        session.add(CrawlJob(spider="people", arguments={}, started_at=datetime.now(UTC),
                             pid=process.pid, host=socket.gethostname()))
        session.add(CrawlJob(spider="people", arguments={}, started_at=datetime.now(UTC),
                             pid=os.getpid(), host=socket.gethostname()))
    with sessions.begin() as session:
        marked = mark_dead_jobs(session)
    with sessions() as session:
        outcomes = dict(session.execute(select(CrawlJob.pid, CrawlJob.outcome)).all())
    assert len(marked) == 1
    assert outcomes == {process.pid: DIED, os.getpid(): None}
