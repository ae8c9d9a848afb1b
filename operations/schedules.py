"""Recurring crawls kept in the archive database: add, list, pause, resume, run now, remove.

A schedule runs ``spider`` with ``arguments`` either every fixed interval (``30m``,
``6h``, ``1d``; the first run is due at once) or on a cron expression (evaluated in the
scheduler machine's local time zone; the first run is the next match). Everything is
checked before anything is written: the spider must exist and accept the arguments,
the cron expression must parse, the name must be free.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from croniter import croniter
from sqlalchemy import select
from sqlalchemy.orm import Session

from models.operations import Schedule

_INTERVAL = re.compile(r"^\s*(\d+)\s*([smhd])\s*$")
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$")


class ScheduleError(ValueError):
    """A schedule request that cannot be carried out; the message says what to do instead."""


class ScheduleNotFound(ScheduleError):
    """No schedule has the name given (the web API answers 404 rather than 400)."""


def parse_every(text: str) -> int:
    """``30m`` → 1800 seconds; ``s``, ``m``, ``h``, ``d`` units."""
    match = _INTERVAL.match(text)
    if not match or int(match[1]) == 0:
        raise ScheduleError(f"--every {text!r} is not an interval: use a number and a unit, e.g. 45s, 30m, 6h, 1d")
    return int(match[1]) * _UNITS[match[2]]


def format_every(seconds: int) -> str:
    """Inverse of :func:`parse_every`: 1800 → ``30m``."""
    unit = next(u for u in ("d", "h", "m", "s") if seconds % _UNITS[u] == 0)
    return f"{seconds // _UNITS[unit]}{unit}"


def check_cron(expression: str) -> str:
    """The expression if croniter accepts it (five fields, or six with seconds)."""
    if not croniter.is_valid(expression):
        raise ScheduleError(f"--cron {expression!r} is not a cron expression: use five fields "
                            "(minute hour day month weekday), e.g. \"*/30 * * * *\" or \"0 6 * * *\"")
    return expression


def next_run(schedule: Schedule, after: datetime) -> datetime:
    """When ``schedule`` is next due strictly after ``after`` (an aware time)."""
    if schedule.every_seconds:
        return after + timedelta(seconds=schedule.every_seconds)
    local = after.astimezone()  # cron speaks the operator's wall-clock time
    return croniter(schedule.cron, local).get_next(datetime).astimezone(UTC)


def check_spider(spider: str, arguments: dict[str, str]) -> None:
    """Refuse unknown spiders and arguments the spider rejects (it is built once, offline)."""
    from scrapy.spiderloader import SpiderLoader
    from scrapy.utils.project import get_project_settings

    loader = SpiderLoader.from_settings(get_project_settings())
    try:
        spider_class = loader.load(spider)
    except KeyError:
        raise ScheduleError(f"unknown spider {spider!r}: use one of {', '.join(loader.list())}") from None
    try:
        spider_class(**arguments)
    except (TypeError, ValueError) as exc:
        raise ScheduleError(f"spider {spider!r} rejects the arguments: {exc}") from exc


def add_schedule(session: Session, name: str, spider: str, arguments: dict[str, str], *,
                 every: str | None = None, cron: str | None = None, now: datetime | None = None) -> Schedule:
    """Validate everything, then add the schedule (the caller commits)."""
    if not _NAME.match(name):
        raise ScheduleError(f"schedule name {name!r}: use letters, digits, '.', '_' or '-' (at most 128)")
    if (every is None) == (cron is None):
        raise ScheduleError("give exactly one of --every INTERVAL or --cron EXPRESSION")
    if session.scalar(select(Schedule.id).where(Schedule.name == name)) is not None:
        raise ScheduleError(f"a schedule named {name!r} exists already: pick another name, "
                            f"or `newsarchive schedule remove {name}` first")
    check_spider(spider, arguments)
    now = now or datetime.now(UTC)
    schedule = Schedule(
        name=name, spider=spider, arguments=dict(arguments), paused=False, created_at=now, dispatch_failures=0,
        every_seconds=parse_every(every) if every is not None else None,
        cron=check_cron(cron) if cron is not None else None,
    )
    schedule.next_run_at = now if schedule.every_seconds else next_run(schedule, now)
    session.add(schedule)
    session.flush()
    return schedule


def get_schedule(session: Session, name: str) -> Schedule:
    schedule = session.scalars(select(Schedule).where(Schedule.name == name)).first()
    if schedule is None:
        raise ScheduleNotFound(f"no schedule named {name!r}: `newsarchive schedule list` shows them")
    return schedule


def remove_schedule(session: Session, name: str) -> None:
    """Delete the schedule; its past jobs stay in the history, unlinked."""
    session.delete(get_schedule(session, name))


def set_paused(session: Session, name: str, paused: bool, now: datetime | None = None) -> Schedule:
    """Pause or resume. Resuming does not replay the runs missed while paused: the next
    run is the next due time from now (at once for an interval schedule that is overdue)."""
    schedule = get_schedule(session, name)
    if not paused and schedule.paused:
        now = now or datetime.now(UTC)
        schedule.next_run_at = max(now, schedule.next_run_at) if schedule.every_seconds else next_run(schedule, now)
    schedule.paused = paused
    return schedule


def run_now(session: Session, name: str, now: datetime | None = None) -> Schedule:
    """Make the schedule due now: the running scheduler starts it on its next tick (a
    paused schedule stays paused until resumed)."""
    schedule = get_schedule(session, name)
    schedule.next_run_at = now or datetime.now(UTC)
    return schedule


def list_schedules(session: Session) -> Sequence[Schedule]:
    return session.scalars(select(Schedule).order_by(Schedule.name)).all()


def describe(schedule: Schedule) -> dict[str, Any]:
    """A schedule as plain values, for listings."""
    when = f"every {format_every(schedule.every_seconds)}" if schedule.every_seconds else f"cron {schedule.cron}"
    return {
        "name": schedule.name,
        "spider": schedule.spider,
        "arguments": " ".join(f"-a {k}={v}" for k, v in schedule.arguments.items()),
        "when": when,
        "state": "paused" if schedule.paused else "active",
        "next_run": schedule.next_run_at.astimezone().isoformat(timespec="seconds"),
    }
