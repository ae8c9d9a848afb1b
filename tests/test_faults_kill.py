"""Kill: a crawl SIGKILLed mid-run and started again with ``--resume`` archives every article exactly once."""

from __future__ import annotations

import os
import signal
import sqlite3
from collections import Counter
from pathlib import Path
from urllib.parse import urlsplit

from sqlalchemy import select

from crawler.replica.server import ReplicaServer
from crawler.replica.site import ReplicaSite
from models.engine import make_engine, session_factory
from models.schema import ArticleVersion
from operations.replica_check import check_archive
from operations.resume import RUNNING_MARKER
from tests.conftest import run_cli
from tests.fault_crawl import INTERRUPTIBLE, crawl_args, small_server, small_site, start_cli, wait_for  # noqa: F401
from tests.proxy import TcpProxy


def archived_urls(db_file: Path) -> set[str]:
    try:
        with sqlite3.connect(db_file, timeout=5) as conn:
            return {url for (url,) in conn.execute("select url from article_url")}
    except sqlite3.OperationalError:  # tables not created yet
        return set()


def test_killed_crawl_resumes_and_archives_every_article_exactly_once(
    tmp_path: Path, small_site: ReplicaSite, small_server: ReplicaServer
) -> None:
    db_file = tmp_path / "archive.db"
    db = f"sqlite:///{db_file}"
    expected = len(small_site.canonical_articles)
    port = urlsplit(small_server.base_url).port
    assert port
    with TcpProxy("127.0.0.1", port, delay=0.02) as slow_site:
        args = crawl_args(db, f"http://{slow_site.address}", tmp_path)
        first = start_cli([*args, *INTERRUPTIBLE], tmp_path / "first.log")
        wait_for(lambda: len(archived_urls(db_file)) >= 8, "8 article URLs were stored", first)
        os.kill(first.pid, signal.SIGKILL)
        assert first.wait(timeout=30) == -signal.SIGKILL
        stored_before = archived_urls(db_file)
        with sqlite3.connect(db_file) as conn:
            articles_before = conn.execute("select count(*) from article").fetchone()[0]
        assert 0 < articles_before < expected, "the kill must land mid-crawl"
        [job_folder] = (tmp_path / "jobs").iterdir()
        assert (job_folder / RUNNING_MARKER).exists()  # how the next run knows it was killed

        slow_site.delay = 0  # the resumed run need not be interrupted
        resumed = run_cli(*args, "--resume")

    assert resumed.returncode == 0, resumed.stdout[-2000:] + resumed.stderr[-3000:]
    assert "was killed" in resumed.stderr
    engine = make_engine(db)
    with session_factory(engine)() as session:
        report = check_archive(session, small_site, f"http://{slow_site.address}")
    assert report.missing == [] and report.archived == expected
    assert report.articles_in_archive == expected and report.merged_wrongly == []
    with session_factory(engine)() as session:  # no page parsed into the archive twice
        urls = Counter(item["url"] for item in session.scalars(select(ArticleVersion.item)))
    engine.dispose()
    assert urls and [url for url, seen in urls.items() if seen > 1] == []
    # what was archived before the kill was not fetched again
    refetched = [url for url in stored_before if small_server.hits[urlsplit(url).path] > 1]
    assert refetched == []
    assert not job_folder.exists()  # a finished crawl has nothing left to resume
