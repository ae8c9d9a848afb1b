"""Shared by the fault tests: a replica crawl as a subprocess that can be interrupted, and waiting on it."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from crawler.replica.server import ReplicaServer
from crawler.replica.site import ReplicaSite, build_site
from tests.services import REPO

#: Articles in the fault tests' replica: enough for several store batches and list pages,
#: few enough that two crawls of it stay quick.
SMALL_SITE_ARTICLES = 30


@pytest.fixture(scope="module")
def small_site() -> ReplicaSite:
    return build_site(articles=SMALL_SITE_ARTICLES)


@pytest.fixture
def small_server(small_site: ReplicaSite) -> Iterator[ReplicaServer]:
    with ReplicaServer(small_site, port=0) as server:
        yield server


def crawl_args(db: str, base_url: str, work: Path, *extra: str) -> list[str]:
    """``newsarchive`` arguments crawling the replica at ``base_url`` into ``db``; job folders
    and the spool go under ``work``, not into the repository."""
    return ["--db", db, "crawl", "people", "-a", "channel=js", "-a", f"base_url={base_url}",
            "-s", f"NEWSARCHIVE_JOBS_DIR={work / 'jobs'}", "-s", f"NEWSARCHIVE_SPOOL_DIR={work / 'spool'}", *extra]


#: Settings for a crawl meant to be interrupted: a few requests at a time, small store
#: batches, so that it is caught with part of the site stored and a batch in hand.
INTERRUPTIBLE = ("-s", "CONCURRENT_REQUESTS=4", "-s", "NEWSARCHIVE_STORE_BATCH_SIZE=10")


def start_cli(args: list[str], log: Path, env: dict[str, str] | None = None) -> subprocess.Popen[bytes]:
    """``newsarchive ARGS`` in the background, stdout and stderr to ``log`` (a pipe could fill and stall it)."""
    with log.open("wb") as out:
        return subprocess.Popen([sys.executable, "-m", "cli.main", *args], cwd=REPO, stdout=out,
                                stderr=subprocess.STDOUT, env=env)


def wait_for(condition: Callable[[], Any], what: str, process: subprocess.Popen[bytes] | None = None,
             timeout: float = 90) -> Any:
    """Poll ``condition`` until it returns something true; fail saying ``what`` was awaited."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        if process is not None and process.poll() is not None:
            raise AssertionError(f"the crawl ended (exit {process.returncode}) before {what}")
        time.sleep(0.05)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")
