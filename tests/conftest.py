"""Shared fixtures: databases (tests/db_fixtures.py), the local replica, crawl subprocesses."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from crawler.replica.server import ReplicaServer
from crawler.replica.site import ReplicaSite, build_site
from tests.db_fixtures import db_url, migrated_db_url, postgres_database_url  # noqa: F401 - fixtures
from tests.services import REPO


@pytest.fixture(scope="session")
def replica_site() -> ReplicaSite:
    """The default replica (240 articles); built once, it is deterministic."""
    return build_site()


@pytest.fixture
def replica_server(replica_site: ReplicaSite) -> Iterator[ReplicaServer]:
    """The replica served on a free 127.0.0.1 port; ``server.hits`` counts requests per path."""
    with ReplicaServer(replica_site, port=0) as server:
        yield server


def run_cli(*args: str, timeout: float = 240, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Run ``newsarchive ARGS`` in a fresh process (Twisted's reactor cannot restart in one)."""
    return subprocess.run(
        [sys.executable, "-m", "cli.main", *args],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, **(env or {})},
    )


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'archive.db'}"
