"""A real Scrapyd on 127.0.0.1 with basic auth: deploy the project, let the scheduler
dispatch a crawl of the replica to it, and find the job archived like any other."""

from __future__ import annotations

import os

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
from tests.scrapyd_support import RunningScrapyd, scrapyd_service  # noqa: F401 - fixture

pytestmark = pytest.mark.scrapyd


@pytest.fixture(scope="module")
def scrapyd(scrapyd_service: RunningScrapyd) -> Scrapyd:
    return scrapyd_service.server


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
