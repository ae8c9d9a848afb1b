"""Real services for tests: skip with a reason where absent, fail under NEWSARCHIVE_REQUIRE_SERVICES=1.

Tests never mock PostgreSQL, Redis or Scrapyd; on a machine without them the tests that
need them say so instead of passing silently, and CI (which has them) insists.
"""

from __future__ import annotations

import os
import socket
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO.parent / "shared" / "corpus"


def services_required() -> bool:
    return os.environ.get("NEWSARCHIVE_REQUIRE_SERVICES") == "1"


def unavailable(reason: str) -> None:
    """Skip (or fail, when services are required) with a reason that says how to fix it."""
    if services_required():
        pytest.fail(f"{reason} (NEWSARCHIVE_REQUIRE_SERVICES=1, so this is a failure, not a skip)")
    pytest.skip(reason)


def port_open(host: str, port: int, timeout: float = 1.0) -> bool:
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def require_corpus() -> Path:
    """The shared real-page corpus; tests that read it skip when it is absent (it is never copied here)."""
    if not (CORPUS / "MANIFEST.tsv").exists():
        pytest.skip(f"real-page corpus not found at {CORPUS} (it lives in ../shared beside the repo)")
    return CORPUS
