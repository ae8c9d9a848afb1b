"""The one reference of newsarchive's own settings and environment variables.

In the spirit of Scrapy's ``scrapy/settings/default_settings.py``: every ``NEWSARCHIVE_*``
name the project reads is defined here once, with its default and a one-line meaning.
Components read their defaults from here (:func:`read` for Scrapy settings,
:func:`environment` for environment variables) rather than from literals of their own, and
``docs/settings.md`` is generated from this module::

    python -m crawler.default_settings --markdown > docs/settings.md

A test (tests/test_crawler_default_settings.py) fails when that file is stale or when a
``NEWSARCHIVE_*`` name appears in the source without an entry here. ``crawler/settings.py``
stays Scrapy's project settings module (USER_AGENT, throttling, components).

Kinds: ``setting`` is a Scrapy setting (``-s NAME=VALUE``, ``crawler/settings.py``, a
spider's ``custom_settings``); ``environment`` is read from the process environment;
``both`` is a setting whose default comes from the environment variable of the same name.
This module imports nothing of Scrapy's, so the read side may use it too.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Setting:
    """One name: its default (``None``: unset), what it means, where it is read."""

    name: str
    default: Any
    meaning: str
    kind: str = "setting"
    read_by: str = ""


def _settings(*entries: Setting) -> dict[str, Setting]:
    return {entry.name: entry for entry in entries}


#: Every ``NEWSARCHIVE_*`` name, in the order docs/settings.md lists them.
SETTINGS: dict[str, Setting] = _settings(
    # The archive
    Setting("NEWSARCHIVE_DATABASE_URL", "sqlite:///data/archive.db",
            "Archive database URL in SQLAlchemy form (sqlite:///… or postgresql+psycopg://…); --db overrides it.",
            "both", "models.engine"),
    Setting("NEWSARCHIVE_DATABASE_URL_FILE", None,
            "Path of a file (mode 0600) holding the archive URL; how Scrapyd jobs get a URL with a password.",
            read_by="crawler.contrib.scrapy.addons"),
    Setting("NEWSARCHIVE_SECRETS_DIR", "data/secrets",
            "Folder (0700) where the scheduler writes 0600 files of URLs with passwords for Scrapyd jobs.",
            "environment", "operations.scheduler"),
    Setting("NEWSARCHIVE_STORE_BATCH_SIZE", 500,
            "Items written per transaction; at most one batch is held in memory and spooled if the database fails.",
            read_by="pipelines.store"),
    Setting("NEWSARCHIVE_STORE_MAX_WAIT", 10.0,
            "Seconds an item may wait in an unfilled batch before the next item writes it (0: write every item).",
            read_by="pipelines.store"),
    Setting("NEWSARCHIVE_SPOOL_DIR", "data/spool",
            "Folder for batches the database could not take; replayed by the next crawl.",
            read_by="pipelines.store"),
    Setting("NEWSARCHIVE_NEAR_DUP_THRESHOLD", 0.5,
            "Jaccard similarity of shingles from which distinct articles are linked as near copies (0.4 to 1).",
            read_by="models.near_copies"),
    Setting("NEWSARCHIVE_MIN_BODY_CHARS", 50,
            "Articles with a shorter body get a short_body problem (maybe truncated); they are still stored.",
            read_by="pipelines.validate"),
    Setting("NEWSARCHIVE_PAGE_MAXSIZE", 2 * 1024 * 1024,
            "Bytes of a page kept at most; a larger page is cut to this size with an oversized problem (0: no limit).",
            read_by="crawler.contrib.scrapy.middlewares.size_limits"),
    Setting("NEWSARCHIVE_CAPTURE", True,
            "Store every response raw as a capture; off only for benchmarks of extraction alone.",
            read_by="crawler.contrib.scrapy.middlewares.capture"),
    # Crawls and jobs
    Setting("NEWSARCHIVE_JOBS", True,
            "Record each crawl as a job (history, stats, health checks); False turns the recorder off.",
            read_by="crawler.contrib.scrapy.extensions.jobs"),
    Setting("NEWSARCHIVE_JOB_ID", None,
            "Id of the job row made before the crawl started (scheduler, Scrapyd); setting or environment.",
            "both", "crawler.contrib.scrapy.extensions.jobs"),
    Setting("NEWSARCHIVE_JOB_PROGRESS_INTERVAL", 30.0,
            "Seconds between saves of a running crawl's stats on its job (live progress in `serve`); 0 turns them off.",
            read_by="crawler.contrib.scrapy.extensions.jobs"),
    Setting("NEWSARCHIVE_JOBS_DIR", "data/jobs",
            "Root of the per-job folders (Scrapy JOBDIR state) that --resume continues from.",
            read_by="operations.crawl"),
    Setting("NEWSARCHIVE_PROGRESS", "auto",
            "The live progress line: auto (only when standard error is a terminal), on or off.",
            read_by="crawler.contrib.scrapy.extensions.progress"),
    Setting("NEWSARCHIVE_PROGRESS_INTERVAL", 1.0,
            "Seconds between redraws of the progress line.",
            read_by="crawler.contrib.scrapy.extensions.progress"),
    # Incremental re-crawls (each also a spider argument of the lower-case name)
    Setting("NEWSARCHIVE_INCREMENTAL", True,
            "Skip archived articles and stop list paging at archived pages (-a incremental=off fetches everything).",
            read_by="crawler.contrib.scrapy.middlewares.incremental"),
    Setting("NEWSARCHIVE_RECHECK_DAYS", 2,
            "Archived articles published within this many days are re-fetched conditionally to catch corrections.",
            read_by="crawler.contrib.scrapy.middlewares.incremental"),
    Setting("NEWSARCHIVE_LIST_MARGIN_DAYS", 3,
            "List paging goes on until list pages are this many days older than the newest archived article.",
            read_by="crawler.contrib.scrapy.middlewares.incremental"),
    # Politeness and refusals, per host (crawler.pauses)
    Setting("NEWSARCHIVE_BLOCK_PAUSE", 60.0,
            "Seconds a host pauses after a block/challenge/captcha page; doubles with each one in a row.",
            read_by="crawler.pauses"),
    Setting("NEWSARCHIVE_BLOCK_STOP_AFTER", 5,
            "Block pages in a row after which a host is given up for the rest of the crawl.",
            read_by="crawler.pauses"),
    Setting("NEWSARCHIVE_BLOCK_RETRIES", 2,
            "Times a request answered by a block page is tried again after the pause.",
            read_by="crawler.pauses"),
    Setting("NEWSARCHIVE_BACKOFF", 10.0,
            "Seconds a host pauses after a 429/503 without Retry-After; doubles with each one in a row.",
            read_by="crawler.pauses"),
    Setting("NEWSARCHIVE_MAX_PAUSE", 900.0,
            "Longest pause of a host in seconds, whatever a Retry-After or Crawl-delay asks.",
            read_by="crawler.pauses"),
    # Health checks at the end of every job
    Setting("NEWSARCHIVE_HEALTH_MIN_ARTICLES", 1,
            "A job must see at least this many articles.",
            read_by="operations.health"),
    Setting("NEWSARCHIVE_HEALTH_ITEMS_RATIO", 0.5,
            "A job must see at least this fraction of the median articles of its recent runs.",
            read_by="operations.health"),
    Setting("NEWSARCHIVE_HEALTH_HISTORY", 5,
            "How many recent runs of the same schedule or spider and arguments a job is compared with.",
            read_by="operations.health"),
    Setting("NEWSARCHIVE_HEALTH_COVERAGE_DROP", 0.3,
            "Largest allowed drop of a field's coverage below its median in recent runs.",
            read_by="operations.health"),
    Setting("NEWSARCHIVE_HEALTH_MIN_SAMPLE", 5,
            "Coverage is compared only when both sides fetched at least this many articles.",
            read_by="operations.health"),
    Setting("NEWSARCHIVE_HEALTH_MAX_ERROR_RATE", 0.1,
            "Largest allowed share of requests ending in an HTTP error or a failed download.",
            read_by="operations.health"),
    Setting("NEWSARCHIVE_HEALTH_MIN_REQUESTS", 20,
            "The error rate is judged only from this many requests on.",
            read_by="operations.health"),
    # Distributed crawls (scrapy-redis)
    Setting("NEWSARCHIVE_FRONTIER", "%(spider)s",
            "Name of the crawl's frontier in Redis (keys newsarchive:<name>:…); workers and seed must agree.",
            read_by="crawler.distributed.scheduler"),
    Setting("NEWSARCHIVE_LEASE_SECONDS", 60,
            "How long a silent worker keeps its requests before another worker requeues them.",
            read_by="crawler.distributed.scheduler"),
    Setting("NEWSARCHIVE_IDLE_CLOSE", 30.0,
            "Seconds the whole frontier must stay empty before a worker closes.",
            read_by="crawler.distributed.scheduler"),
    Setting("NEWSARCHIVE_MAX_DELIVERIES", 3,
            "Deliveries of one request to workers that then died, before it is parked as failed.",
            read_by="crawler.distributed.scheduler"),
    Setting("NEWSARCHIVE_DUPEFILTER", "exact",
            "Duplicate filter of the frontier: exact (a Redis set of fingerprints) or bloom (bounded memory).",
            read_by="crawler.distributed.scheduler"),
    Setting("NEWSARCHIVE_REDIS_URL", None,
            "Redis of a distributed crawl when --redis is not given (keeps its password off the command line).",
            "environment", "cli.seed"),
    Setting("NEWSARCHIVE_REDIS_URL_FILE", None,
            "Path of a file (mode 0600) holding REDIS_URL, for workers started through Scrapyd.",
            read_by="crawler.contrib.scrapy.addons"),
    Setting("NEWSARCHIVE_BLOOM_CAPACITY", 10_000_000,
            "URLs the bloom dupefilter is sized for (about 1.8 bytes each).",
            read_by="crawler.distributed.bloom"),
    Setting("NEWSARCHIVE_BLOOM_ERROR_RATE", 0.001,
            "False-positive rate of the bloom dupefilter at its capacity.",
            read_by="crawler.distributed.bloom"),
    # Scrapyd
    Setting("NEWSARCHIVE_SCRAPYD_USERNAME", None,
            "User name for Scrapyd's HTTP basic auth when the --scrapyd URL carries none.",
            "environment", "operations.scrapyd"),
    Setting("NEWSARCHIVE_SCRAPYD_PASSWORD", None,
            "Password for Scrapyd's HTTP basic auth when the --scrapyd URL carries none.",
            "environment", "operations.scrapyd"),
    # Tests and benchmarks
    Setting("NEWSARCHIVE_REQUIRE_SERVICES", None,
            "1 makes tests fail instead of skip when PostgreSQL, Redis, Scrapyd or a browser is absent (CI sets it).",
            "environment", "tests.services"),
    Setting("NEWSARCHIVE_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test",
            "PostgreSQL server the tests and bench/distributed.py create throw-away databases on.",
            "environment", "tests.db_fixtures"),
    Setting("NEWSARCHIVE_TEST_REDIS_URL", "redis://127.0.0.1:6379/9",
            "Redis the distributed tests and bench/distributed.py use (random key names per run).",
            "environment", "tests.distributed_support"),
    Setting("NEWSARCHIVE_BENCH_POSTGRES", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres",
            "PostgreSQL server the storage and end-to-end benchmarks run against.",
            "environment", "bench.e2e"),
)

_GETTERS = {bool: "getbool", int: "getint", float: "getfloat"}


def default(name: str) -> Any:
    """The default of ``name``; a KeyError names a setting missing from this reference."""
    return SETTINGS[name].default


def read(settings: Any, name: str) -> Any:
    """``name`` from Scrapy ``settings``, typed like its default, the default when unset."""
    value = default(name)
    return getattr(settings, _GETTERS.get(type(value), "get"))(name, value)


def environment(name: str) -> Any:
    """The environment variable ``name``, else its default."""
    return os.environ.get(name, default(name))


def markdown(entries: Iterable[Setting] = SETTINGS.values()) -> str:
    """docs/settings.md: one table row per name."""
    lines = [
        "# Settings",
        "",
        "Generated by `python -m crawler.default_settings --markdown > docs/settings.md` from",
        "`crawler/default_settings.py`, the one reference; a test fails when this file is stale.",
        "Scrapy's own settings (USER_AGENT, throttling, the components) are in `crawler/settings.py`.",
        "",
        "Kind `setting`: a Scrapy setting (`newsarchive crawl … -s NAME=VALUE`, `scrapy crawl … -s`,",
        "`crawler/settings.py`). `environment`: an environment variable. `both`: a setting whose",
        "default is the environment variable of the same name.",
        "",
        "| name | default | kind | meaning | read by |",
        "|---|---|---|---|---|",
    ]
    for entry in entries:
        shown = "(unset)" if entry.default is None else f"`{entry.default}`"
        lines.append(f"| `{entry.name}` | {shown} | {entry.kind} | {entry.meaning} | `{entry.read_by}` |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m crawler.default_settings",
                                     description="Print the newsarchive settings reference.")
    parser.add_argument("--markdown", action="store_true", help="print docs/settings.md")
    options = parser.parse_args(argv)
    if options.markdown:
        sys.stdout.write(markdown())
    else:
        for entry in SETTINGS.values():
            print(f"{entry.name}={'' if entry.default is None else entry.default}  # {entry.meaning}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
