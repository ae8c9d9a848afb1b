"""Schedules: validated before anything is written; due times from intervals and cron."""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from models.engine import make_engine, session_factory
from models.operations import Schedule
from operations.schedules import (
    ScheduleError,
    add_schedule,
    format_every,
    next_run,
    parse_every,
    set_paused,
)

os.environ.setdefault("SCRAPY_SETTINGS_MODULE", "crawler.settings")
NOW = datetime(2026, 11, 28, 10, 7, tzinfo=UTC)


@pytest.fixture
def sessions(migrated_db_url):
    engine = make_engine(migrated_db_url)
    yield session_factory(engine)
    engine.dispose()


def _count(sessions) -> int:
    with sessions() as session:
        return session.scalar(select(func.count(Schedule.id)))


def test_intervals_parse_and_print_back():
    assert parse_every("30m") == 1800
    assert parse_every("1d") == 86400
    assert format_every(parse_every("6h")) == "6h"
    for bad in ("30", "0m", "5x", "m"):
        with pytest.raises(ScheduleError, match="e.g. 45s, 30m"):
            parse_every(bad)


def test_interval_schedule_is_due_at_once_then_every_interval(sessions):
    with sessions.begin() as session:
        schedule = add_schedule(session, "js", "people", {"channel": "js"}, every="30m", now=NOW)
        assert schedule.next_run_at == NOW
        assert next_run(schedule, NOW) == NOW + timedelta(minutes=30)


def test_cron_schedule_is_due_at_the_next_match(sessions):
    with sessions.begin() as session:
        schedule = add_schedule(session, "js", "people", {"channel": "js"}, cron="*/30 * * * *", now=NOW)
        assert schedule.next_run_at == datetime(2026, 11, 28, 10, 30, tzinfo=UTC)


@pytest.mark.parametrize(
    ("spider", "arguments", "options", "message"),
    [
        ("people", {"channel": "js"}, {"cron": "61 * * * *"}, "not a cron expression"),
        ("nosuch", {}, {"every": "1h"}, "unknown spider 'nosuch'"),
        ("people", {"channel": "zz"}, {"every": "1h"}, "rejects the arguments"),
        ("people", {"channel": "js", "since": "yesterday"}, {"every": "1h"}, "is not a date"),
        ("people", {"channel": "js"}, {}, "exactly one of"),
    ],
)
def test_bad_input_is_refused_and_nothing_written(sessions, spider, arguments, options, message):
    with pytest.raises(ScheduleError, match=message), sessions.begin() as session:
        add_schedule(session, "x", spider, arguments, **options)
    assert _count(sessions) == 0


def test_a_name_that_exists_is_refused(sessions):
    with sessions.begin() as session:
        add_schedule(session, "js", "people", {"channel": "js"}, every="1h")
    with pytest.raises(ScheduleError, match="exists already"), sessions.begin() as session:
        add_schedule(session, "js", "people", {"channel": "sh"}, every="2h")
    with sessions() as session:
        assert session.scalars(select(Schedule.every_seconds)).all() == [3600]


def test_resume_does_not_replay_runs_missed_while_paused(sessions):
    with sessions.begin() as session:
        add_schedule(session, "js", "people", {"channel": "js"}, cron="0 * * * *", now=NOW)
        set_paused(session, "js", True)
    later = NOW + timedelta(days=2, minutes=5)
    with sessions.begin() as session:
        schedule = set_paused(session, "js", False, now=later)
        assert not schedule.paused
        assert later < schedule.next_run_at <= later + timedelta(hours=1)
