"""End to end: the epaper spider walks the local e-paper edition into a SQLite archive."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path

import pytest

from crawler.replica.epaper import EDITION_DAY, PAPER, EpaperSite, build_epaper_site
from crawler.replica.server import ReplicaServer
from crawler.spiders.epaper import EpaperSpider, first_layout_path, papers
from tests.conftest import run_cli


@pytest.fixture(scope="module")
def edition() -> EpaperSite:
    return build_epaper_site()


@pytest.fixture
def server(edition: EpaperSite) -> Iterator[ReplicaServer]:
    with ReplicaServer(edition, port=0) as running:  # type: ignore[arg-type] - serves any object with .pages
        yield running


def test_one_edition_is_archived_with_every_articles_printed_page(
    tmp_path: Path, edition: EpaperSite, server: ReplicaServer
) -> None:
    db_file = tmp_path / "archive.db"
    result = run_cli("--db", f"sqlite:///{db_file}", "crawl", "epaper", "-a", f"paper={PAPER}",
                     "-a", f"date={EDITION_DAY}", "-a", f"base_url={server.base_url}")
    assert result.returncode == 0, result.stderr[-3000:]
    with sqlite3.connect(db_file) as conn:
        stored = conn.execute("select count(*) from article").fetchone()[0]
        rows = {url: rest for url, *rest in conn.execute(
            "select u.url, a.title, a.printed_page, a.published_at, a.template"
            " from article a join article_url u on u.article_id = a.id")}
    assert stored == len(edition.articles) == 10
    for truth in edition.articles:
        title, printed_page, published_at, template = rows[server.base_url + truth.path]
        assert (title, printed_page, template) == (truth.title, truth.printed_page, "epaper"), truth.path
        stored_at = datetime.fromisoformat(published_at).replace(tzinfo=timezone.utc)  # the archive keeps UTC
        assert stored_at == datetime.fromisoformat(truth.published_at), published_at
    # both ways of knowing the page were exercised: read on the article, carried from the layout
    assert {a.shows_printed_page for a in edition.articles} == {True, False}
    assert all(server.hits[path] == 1 for path in edition.layout_paths)
    assert server.hits[edition.previous_edition_path] == 0


def test_a_day_without_an_edition_archives_nothing(tmp_path: Path, server: ReplicaServer) -> None:
    db_file = tmp_path / "archive.db"
    result = run_cli("--db", f"sqlite:///{db_file}", "crawl", "epaper", "-a", f"paper={PAPER}",
                     "-a", "date=2022-03-05", "-a", f"base_url={server.base_url}")
    assert result.returncode in (0, 1), result.stderr[-3000:]
    with sqlite3.connect(db_file) as conn:
        assert conn.execute("select count(*) from article").fetchone()[0] == 0
    assert server.hits["/pc/layout/202203/05/node_1.html"] == 1


def test_arguments_are_checked_before_any_fetch() -> None:
    with pytest.raises(ValueError, match="xhrb"):
        EpaperSpider(paper="nosuchpaper", date="2022-03-01")
    with pytest.raises(ValueError, match="date=YYYY-MM-DD"):
        EpaperSpider(paper="xhrb")
    with pytest.raises(ValueError, match="not both"):
        EpaperSpider(paper="xhrb", date="2022-03-01", since="2022-03-01")
    spider = EpaperSpider(paper="xhrb", since="2022-02-27", until="2022-03-01")
    assert [str(d) for d in spider.editions()] == ["2022-02-27", "2022-02-28", "2022-03-01"]


def test_paper_table_builds_first_layout_urls() -> None:
    table = papers()
    assert first_layout_path(table["xhrb"], EDITION_DAY) == "/pc/layout/202203/01/node_1.html"
    assert first_layout_path(table["xzrb"], EDITION_DAY) == "/xzrb/202203/01/node_01.html"
    assert all(isinstance(entry["verified"], bool) and entry["evidence"] for entry in table.values())
