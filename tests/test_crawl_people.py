"""End to end: the people spider crawls the local replica into a SQLite archive."""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from crawler.replica.server import ReplicaServer
from crawler.replica.site import ReplicaSite
from models.engine import make_engine, session_factory
from operations.replica_check import check_archive
from tests.conftest import run_cli


def counts(db_file: Path) -> dict[str, int]:
    with sqlite3.connect(db_file) as conn:
        return {t: conn.execute(f"select count(*) from {t}").fetchone()[0]
                for t in ("article", "article_url", "article_version", "person", "article_person")}


@dataclass
class Crawl:
    db_file: Path
    base_url: str
    stdout: str

    @property
    def db(self) -> str:
        return f"sqlite:///{self.db_file}"


@pytest.fixture(scope="module")
def replica_crawl(tmp_path_factory: pytest.TempPathFactory, replica_site: ReplicaSite) -> Iterator[Crawl]:
    """One crawl of the default replica, shared by the tests that only read its archive."""
    db_file = tmp_path_factory.mktemp("crawl") / "archive.db"
    with ReplicaServer(replica_site, port=0) as server:
        result = run_cli("--db", f"sqlite:///{db_file}", "crawl", "people", "-a", "channel=js",
                         "-a", f"base_url={server.base_url}")
        assert result.returncode == 0, result.stderr[-3000:]
        yield Crawl(db_file, server.base_url, result.stdout)


def test_crawl_archives_every_replica_article_once(replica_crawl: Crawl, replica_site: ReplicaSite) -> None:
    assert "crawl people: finished" in replica_crawl.stdout
    engine = make_engine(replica_crawl.db)
    with session_factory(engine)() as session:
        report = check_archive(session, replica_site, replica_crawl.base_url)
    engine.dispose()
    assert report.missing == []
    assert report.archived == len(replica_site.canonical_articles)
    assert report.articles_in_archive == len(replica_site.canonical_articles)
    assert report.merged_wrongly == []
    assert report.mirrors_linked == report.mirrors_expected > 0
    assert {name: wrong for name, wrong in report.wrong.items() if wrong} == {}
    # the special-topic index and the dead link are counted, not archived
    assert "not articles       1" in replica_crawl.stdout
    assert "404: 1" in replica_crawl.stdout


def test_a_second_crawl_adds_no_rows(replica_crawl: Crawl, replica_site: ReplicaSite) -> None:
    before = counts(replica_crawl.db_file)
    again = run_cli("--db", replica_crawl.db, "crawl", "people", "-a", "channel=js",
                    "-a", f"base_url={replica_crawl.base_url}", "-a", "incremental=off")
    assert again.returncode == 0, again.stderr[-3000:]
    assert counts(replica_crawl.db_file) == before
    assert "articles new       0" in again.stdout
    unchanged = int(re.search(r"articles unchanged\s+(\d+)", again.stdout)[1])
    assert unchanged >= len(replica_site.canonical_articles)  # all fetched again, all found unchanged


def test_multi_page_articles_are_one_item_with_every_page_in_order(
    replica_crawl: Crawl, replica_site: ReplicaSite
) -> None:
    multi = [a for a in replica_site.canonical_articles if a.pages > 1]
    assert multi
    with sqlite3.connect(replica_crawl.db_file) as conn:
        for truth in multi:
            row = conn.execute(
                "select a.pages, a.body from article a join article_url u on u.article_id = a.id where u.url = ?",
                (replica_crawl.base_url + truth.path,),
            ).fetchone()
            assert row is not None, truth.path
            assert row[0] == truth.pages
            assert row[1] == truth.body


def test_date_bounds_limit_the_crawl(tmp_path: Path, replica_site: ReplicaSite, replica_server: ReplicaServer) -> None:
    db_file = tmp_path / "archive.db"
    result = run_cli("--db", f"sqlite:///{db_file}", "crawl", "people", "-a", "channel=js",
                     "-a", f"base_url={replica_server.base_url}", "-a", "since=2020-05-01", "-a", "until=2020-05-10")
    assert result.returncode == 0, result.stderr[-3000:]
    wanted = {replica_server.base_url + a.path for a in replica_site.canonical_articles
              if a.published_at and "2020-05-01" <= a.published_at[:10] <= "2020-05-10"}
    with sqlite3.connect(db_file) as conn:
        urls = {u for (u,) in conn.execute("select canonical_url from article")}
        days = [d for (d,) in conn.execute("select published_at from article where published_at is not null")]
    assert wanted and len(urls) >= len(wanted)
    assert all("2020-05-01" <= d[:10] <= "2020-05-10" for d in days), days[:5]


def test_unreachable_database_fails_before_fetching(replica_server: ReplicaServer) -> None:
    result = run_cli("--db", "postgresql+psycopg://nobody@127.0.0.1:1/none", "crawl", "people",
                     "-a", "channel=js", "-a", f"base_url={replica_server.base_url}", timeout=60)
    assert result.returncode != 0
    assert "127.0.0.1:1" in result.stderr
    assert sum(replica_server.hits.values()) == 0


def test_read_only_database_fails_before_fetching(tmp_path: Path, replica_server: ReplicaServer) -> None:
    db_file = tmp_path / "archive.db"
    sqlite3.connect(db_file).close()
    read_only = f"sqlite:///file:{db_file}?mode=ro&uri=true"  # root ignores file modes; SQLite does not
    result = run_cli("--db", read_only, "crawl", "people", "-a", "channel=js",
                     "-a", f"base_url={replica_server.base_url}", timeout=60)
    assert result.returncode != 0
    assert "read-only" in result.stderr.lower() or "readonly" in result.stderr.lower()
    assert sum(replica_server.hits.values()) == 0


def test_bad_spider_arguments_are_one_clear_error(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'archive.db'}"
    unknown = run_cli("--db", db, "crawl", "people", "-a", "channel=atlantis", timeout=60)
    assert unknown.returncode == 2
    assert "channel='atlantis'" in unknown.stderr and "js" in unknown.stderr
    bad_date = run_cli("--db", db, "crawl", "people", "-a", "channel=js", "-a", "since=April", timeout=60)
    assert bad_date.returncode == 2
    assert "YYYY-MM-DD" in bad_date.stderr
    no_spider = run_cli("--db", db, "crawl", "nosuchspider", timeout=60)
    assert no_spider.returncode == 2
    assert "unknown spider" in no_spider.stderr
