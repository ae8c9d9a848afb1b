"""Re-crawls and health checks against real crawls of the replica (in subprocesses).

One archive, four crawls on one port (so URLs stay the same, as on a real site): a
first crawl; an incremental re-crawl, which must fetch a small fraction of the pages;
a re-check of everything with conditional GET; and a crawl after the site "changed its
template" (editors line gone), which the coverage check must flag.
"""

from __future__ import annotations

import socket
from dataclasses import dataclass

import pytest
from sqlalchemy import select

from crawler.replica.server import ReplicaServer
from crawler.replica.site import build_site
from models.engine import make_engine, session_factory
from models.operations import JobDetail
from models.schema import CrawlJob
from models.store import store_batch
from operations.figures import Figures, figures
from operations.incremental import archived_articles, site_prefixes
from tests.archive_items import BODY, make_article
from tests.conftest import run_cli


@dataclass
class Run:
    returncode: int
    stdout: str
    hits: dict[str, int]
    figures: Figures | None = None
    detail: JobDetail | None = None


@pytest.fixture(scope="module")
def runs(tmp_path_factory) -> dict[str, Run]:
    url = f"sqlite:///{tmp_path_factory.mktemp('incremental') / 'archive.db'}"
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    plan = [("first", "normal", ()), ("again", "normal", ()),
            ("recheck", "normal", ("-a", "recheck_days=100000")),
            ("broken", "broken_template", ("-a", "incremental=off"))]
    results = {}
    for name, variant, extra in plan:
        with ReplicaServer(build_site(articles=60, variant=variant), port=port) as server:
            done = run_cli("--db", url, "crawl", "people", "-a", "channel=js", "-a", f"base_url={server.base_url}", *extra)
            results[name] = Run(done.returncode, done.stdout + done.stderr[-3000:], dict(server.hits))
    engine = make_engine(url)
    with session_factory(engine)() as session:
        rows = session.execute(select(CrawlJob, JobDetail).join(JobDetail).order_by(CrawlJob.id)).all()
    engine.dispose()
    assert len(rows) == len(plan)
    for (name, _, _), (job, detail) in zip(plan, rows, strict=True):
        results[name].figures, results[name].detail = figures(job.stats), detail
    return results


def test_second_crawl_fetches_a_small_fraction_of_the_first(runs):
    first, again = runs["first"], runs["again"]
    assert first.returncode == 0 and again.returncode == 0, again.stdout[-2000:]
    site = build_site(articles=60)
    first_hits, again_hits = sum(first.hits.values()), sum(again.hits.values())
    assert first_hits > len(site.canonical_articles)
    assert again_hits <= first_hits // 10
    refetched = [p for p in again.hits if site.article_at(p) is not None]
    assert refetched == [], "archived articles must not be fetched again"
    assert again.figures.articles_stored == 0
    assert again.figures.skipped_archived >= len(site.canonical_articles)
    assert again.figures.pages_fetched == again_hits
    assert again.detail.healthy is True  # a quiet re-crawl knew every article: healthy


def test_recheck_window_uses_conditional_get(runs):
    recheck = runs["recheck"]
    assert recheck.returncode == 0, recheck.stdout[-2000:]
    articles = len(build_site(articles=60).canonical_articles)
    assert recheck.figures.not_modified >= articles  # answered 304: nothing downloaded again
    assert recheck.figures.articles_stored == 0


def test_broken_template_fails_the_coverage_check(runs):
    broken = runs["broken"]
    assert broken.returncode == 1
    assert "health checks FAILED" in broken.stdout and "editors 0%" in broken.stdout
    assert broken.detail.healthy is False
    assert {c["name"] for c in broken.detail.checks if not c["ok"]} == {"coverage"}


def test_site_prefixes_cover_both_schemes_and_the_www_and_bare_host():
    assert site_prefixes("http://he.news.cn") == [
        "http://he.news.cn/", "http://www.he.news.cn/", "https://he.news.cn/", "https://www.he.news.cn/"]
    assert site_prefixes("http://127.0.0.1:8800")[0] == "http://127.0.0.1:8800/"
    assert site_prefixes("") == [""]


def test_archived_articles_of_a_site_include_its_www_host_and_https_urls_and_nothing_else(migrated_db_url):
    urls = ("http://www.he.news.cn/20240515/d59c39d4160a4fe4b3084c3e4abfb450/c.html",
            "https://he.news.cn/2021-02/07/c_1127073849.htm",
            "http://he.news.cn.example.com/2021-02/07/c_1127073850.htm",
            "http://www.js.xinhuanet.com/2021-02/07/c_1127073851.htm")
    engine = make_engine(migrated_db_url)
    with session_factory(engine)() as session:
        store_batch(session, [make_article(url, site="news.cn", title=f"标题{n}", body=f"{BODY}{n}")
                              for n, url in enumerate(urls)], [])
        session.commit()
    archived = archived_articles(engine, site_prefixes("http://he.news.cn"))
    engine.dispose()
    assert set(urls[:2]) <= set(archived) and not {urls[2], urls[3]} & set(archived)
    assert archived[urls[0]] is not None  # the publication day, for the re-check window
