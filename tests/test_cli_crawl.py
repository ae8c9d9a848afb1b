"""``newsarchive crawl`` at a terminal: the progress line and the summary, not Scrapy's dump,
and the real cause of a failure in the summary."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import REPO


def _at_a_terminal(args: list[str], timeout: float = 180) -> tuple[int, str]:
    """Run ``newsarchive ARGS`` with standard output and error on a pseudo-terminal."""
    master, slave = os.openpty()
    process = subprocess.Popen([sys.executable, "-m", "cli.main", *args], cwd=REPO, stdin=subprocess.DEVNULL,
                               stdout=slave, stderr=slave)
    os.close(slave)
    chunks = []
    while True:
        try:
            chunk = os.read(master, 65536)
        except OSError:  # the terminal closed: the command ended
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(master)
    return process.wait(timeout=timeout), b"".join(chunks).decode("utf-8", errors="replace")


def test_a_crawl_at_a_terminal_shows_the_summary_with_the_cause_and_no_scrapy_dump(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'archive.db'}"
    status, out = _at_a_terminal(["--db", db, "crawl", "people", "-a", "channel=js", "-a",
                                  "base_url=http://nowhere.invalid", "-s", "RETRY_TIMES=0",
                                  "-s", f"NEWSARCHIVE_JOBS_DIR={tmp_path / 'jobs'}"])
    assert status == 1, out[-3000:]
    lines = out.splitlines()
    assert "crawl people: finished" in lines
    assert "  cause              site unreachable: DNS lookup failed for nowhere.invalid: " \
           "check the URL and this machine's network and DNS" in lines
    assert "Dumping Scrapy stats" not in out and "Overridden settings" not in out
    assert len(lines) < 40, out


def test_verbose_keeps_scrapys_log(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'archive.db'}"
    _, out = _at_a_terminal(["--db", db, "crawl", "people", "-v", "-a", "channel=js", "-a",
                             "base_url=http://nowhere.invalid", "-s", "RETRY_TIMES=0",
                             "-s", f"NEWSARCHIVE_JOBS_DIR={tmp_path / 'jobs'}"])
    assert "Dumping Scrapy stats" in out
