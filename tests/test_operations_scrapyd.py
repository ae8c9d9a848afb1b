"""A real Scrapyd on 127.0.0.1 with basic auth: deploy the project, let the scheduler
dispatch a crawl of the replica to it, and find the job archived like any other."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import select

from crawler.replica.server import ReplicaServer
from crawler.replica.site import build_site
from models.engine import make_engine, session_factory
from models.operations import JobDetail
from models.schema import CrawlJob
from operations.figures import figures
from operations.scrapyd import Scrapyd, ScrapydError
from tests.conftest import run_cli
from tests.services import unavailable

pytestmark = pytest.mark.scrapyd


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _answers(server: Scrapyd) -> bool:
    try:
        server.status()
    except ScrapydError:
        return False
    return True


@pytest.fixture(scope="module")
def scrapyd(tmp_path_factory):
    binary = Path(sys.executable).with_name("scrapyd")
    if not binary.exists() and shutil.which("scrapyd") is None:
        unavailable("scrapyd is not installed: `.venv/bin/pip install scrapyd`")
    folder = tmp_path_factory.mktemp("scrapyd")
    port = _free_port()
    (folder / "scrapyd.conf").write_text(
        "[scrapyd]\nbind_address = 127.0.0.1\n"
        f"http_port = {port}\nusername = operator\npassword = s3cret\n"
        "eggs_dir = eggs\nlogs_dir = logs\ndbs_dir = dbs\nitems_dir =\npoll_interval = 0.5\n"
    )
    log = open(folder / "scrapyd.log", "wb")
    process = subprocess.Popen([str(binary if binary.exists() else "scrapyd")], cwd=folder, stdout=log, stderr=log)
    server = Scrapyd.from_url(f"http://operator:s3cret@127.0.0.1:{port}")
    try:
        deadline = time.monotonic() + 15
        while not _answers(server):
            if process.poll() is not None or time.monotonic() > deadline:
                unavailable(f"scrapyd did not start: see {folder / 'scrapyd.log'}")
            time.sleep(0.25)
        yield server
    finally:
        process.terminate()
        process.wait(20)
        log.close()


def test_calls_without_the_password_are_refused_with_advice(scrapyd):
    with pytest.raises(ScrapydError, match="wants a username and password"):
        Scrapyd(scrapyd.url).status()


def test_scheduler_dispatches_a_crawl_to_scrapyd(scrapyd, tmp_path):
    url = f"sqlite:///{tmp_path / 'archive.db'}"
    site = build_site(articles=40)
    with ReplicaServer(site) as replica:
        added = run_cli("--db", url, "schedule", "add", "js-scrapyd", "people", "-a", "channel=js",
                        "-a", f"base_url={replica.base_url}", "--every", "1d")
        assert added.returncode == 0, added.stderr[-2000:]
        done = run_cli("--db", url, "scheduler", "--once", "--deploy", "--scrapyd", scrapyd.url,
                       env={"NEWSARCHIVE_SCRAPYD_USERNAME": scrapyd.username,
                            "NEWSARCHIVE_SCRAPYD_PASSWORD": scrapyd.password}, timeout=120)
    assert done.returncode == 0, done.stderr[-3000:]
    assert "job #1 started: schedule js-scrapyd" in done.stderr
    assert "job #1 ended: schedule js-scrapyd, finished" in done.stderr
    engine = make_engine(url)
    with session_factory(engine)() as session:
        job, detail = session.execute(select(CrawlJob, JobDetail).join(JobDetail)).one()
    engine.dispose()
    assert detail.launcher == "scrapyd" and detail.scrapyd_job  # adopted by the crawl inside Scrapyd
    assert job.outcome == "finished" and job.pid != os.getpid()
    assert figures(job.stats).articles["new"] == len(site.canonical_articles)
