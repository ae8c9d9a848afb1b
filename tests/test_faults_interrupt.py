"""Ctrl-C: an interrupted crawl says so, says how to resume, never that its health checks
passed, and does not exit 0."""

from __future__ import annotations

import signal
import sqlite3
from pathlib import Path
from urllib.parse import urlsplit

from crawler.replica.server import ReplicaServer
from crawler.replica.site import ReplicaSite
from tests.fault_crawl import INTERRUPTIBLE, crawl_args, small_server, small_site, start_cli, wait_for  # noqa: F401
from tests.proxy import TcpProxy


def _articles(db_file: Path) -> int:
    try:
        with sqlite3.connect(db_file, timeout=5) as conn:
            return conn.execute("select count(*) from article").fetchone()[0]
    except sqlite3.OperationalError:  # tables not created yet
        return 0


def test_an_interrupted_crawl_says_how_to_resume_and_not_that_it_is_healthy(
    tmp_path: Path, small_site: ReplicaSite, small_server: ReplicaServer
) -> None:
    db_file = tmp_path / "archive.db"
    port = urlsplit(small_server.base_url).port
    with TcpProxy("127.0.0.1", port, delay=0.05) as slow_site:
        args = crawl_args(f"sqlite:///{db_file}", f"http://{slow_site.address}", tmp_path)
        crawl = start_cli([*args, *INTERRUPTIBLE], tmp_path / "crawl.log")
        wait_for(lambda: _articles(db_file) >= 3, "3 articles were stored", crawl)
        crawl.send_signal(signal.SIGINT)
        status = crawl.wait(timeout=120)
    out = (tmp_path / "crawl.log").read_text(encoding="utf-8", errors="replace")
    assert status == 1, out[-3000:]
    assert "crawl people: interrupted" in out
    assert "health checks passed" not in out and "health checks not judged" in out
    assert "--resume`" in out and f"base_url=http://{slow_site.address}" in out.split("continue where it stopped")[1]
    assert "Traceback" not in out
