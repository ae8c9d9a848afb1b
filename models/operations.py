"""Tables for operating crawls: recurring schedules, job details, the scheduler's lease.

Kept apart from :mod:`models.schema` (the archive itself): these rows say *how* the
archive was filled, not what is in it. :class:`~models.schema.CrawlJob` stays the one
row per crawl; :class:`JobDetail` adds what only operations care about (which schedule
started it, how it was dispatched, its health-check results).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from models.schema import Base
from models.types import AwareDateTime


class Schedule(Base):
    """A recurring crawl: ``spider`` with ``arguments`` every ``every_seconds`` or on ``cron``.

    Exactly one of ``every_seconds`` / ``cron`` is set. ``next_run_at`` is when the
    scheduler starts it next; after downtime it is in the past and the schedule runs once,
    then moves to the next time after now. ``dispatch_failures`` counts failed dispatch
    attempts since the last successful one (the retry policy reads it).
    """

    __tablename__ = "schedule"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(128), unique=True)
    spider: Mapped[str] = mapped_column(String(64))
    arguments: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    every_seconds: Mapped[int | None] = mapped_column(Integer)
    cron: Mapped[str | None] = mapped_column(String(128))
    paused: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(AwareDateTime)
    next_run_at: Mapped[datetime] = mapped_column(AwareDateTime, index=True)
    dispatch_failures: Mapped[int] = mapped_column(Integer, default=0)


class JobDetail(Base):
    """Operations facts about one :class:`~models.schema.CrawlJob`.

    ``launcher`` is ``"cli"``, ``"scheduler"`` or ``"scrapyd"`` (started through Scrapyd's
    ``schedule.json``, by the scheduler or by hand); ``scrapyd_job`` is Scrapyd's job id.
    ``error`` says why a job failed outside Scrapy (dispatch refused, process died).
    ``checks`` holds the health-check results ``[{"name", "ok", "detail"}]`` and
    ``healthy`` their verdict (``None`` until the job ends).
    """

    __tablename__ = "job_detail"

    job_id: Mapped[int] = mapped_column(ForeignKey("crawl_job.id", ondelete="CASCADE"), primary_key=True)
    schedule_id: Mapped[int | None] = mapped_column(ForeignKey("schedule.id", ondelete="SET NULL"), index=True)
    launcher: Mapped[str] = mapped_column(String(16), default="cli")
    scrapyd_job: Mapped[str | None] = mapped_column(String(64))
    error: Mapped[str | None] = mapped_column(Text)
    checks: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    healthy: Mapped[bool | None] = mapped_column(Boolean)


class SchedulerLease(Base):
    """The database lock that lets only one scheduler start jobs.

    ``holder`` (host:pid:random) owns the lease until ``expires_at``; it renews the lease
    every tick, and another scheduler takes over only once it has expired.
    """

    __tablename__ = "scheduler_lease"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    holder: Mapped[str] = mapped_column(String(255))
    expires_at: Mapped[datetime] = mapped_column(AwareDateTime)
