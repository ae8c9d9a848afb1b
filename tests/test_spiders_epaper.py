"""End to end: the epaper spider walks the local e-paper editions (each URL generation) into a SQLite archive."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest
from scrapy.http import Response

from crawler.replica.epaper import EDITION_DAY, PAPER, EpaperSite, build_epaper_site
from crawler.replica.server import ReplicaServer
from crawler.spiders.epaper import EpaperSpider, first_layout_paths, papers
from tests.conftest import run_cli
from tests.spider_crawls import archived_by_url, crawl_replica


@pytest.fixture(scope="module")
def edition() -> EpaperSite:
    return build_epaper_site()


@pytest.fixture
def server(edition: EpaperSite) -> Iterator[ReplicaServer]:
    with ReplicaServer(edition, port=0) as running:  # type: ignore[arg-type] - serves any object with .pages
        yield running


def crawl(db_file: Path, server: ReplicaServer, paper: str, *arguments: str) -> str:
    return crawl_replica(db_file, "epaper", f"paper={paper}", *arguments, f"base_url={server.base_url}")


def archived(db_file: Path) -> dict[str, tuple[str, ...]]:
    return archived_by_url(db_file, "title", "printed_page", "published_at", "template", "body")


@pytest.mark.parametrize("generation", ["pc", "newxh", "mp2", "html"])
def test_an_edition_of_each_url_generation_is_archived_with_every_articles_printed_page(
    tmp_path: Path, edition: EpaperSite, server: ReplicaServer, generation: str
) -> None:
    paper, day = edition.editions[generation]
    db_file = tmp_path / "archive.db"
    crawl(db_file, server, paper, f"date={day}")
    rows = archived(db_file)
    truths = edition.of(generation)
    assert len(rows) == len(truths) >= 3
    for truth in truths:
        title, printed_page, published_at, template, body = rows[server.base_url + truth.path]
        assert (title, printed_page, template, body) == (truth.title, truth.printed_page, "epaper", truth.body), truth.path
        stored_at = datetime.fromisoformat(published_at).replace(tzinfo=timezone.utc)  # the archive keeps UTC
        assert stored_at == datetime.fromisoformat(truth.published_at), published_at
    layouts = [path for path in edition.layout_paths if f"/{day:%Y%m}/" in path or f"/{day:%Y-%m}/" in path]
    assert layouts and all(server.hits[path] == 1 for path in layouts)
    assert all(server.hits[path] == 0 for path in edition.previous_edition_paths)


def test_the_pc_edition_reads_the_page_name_on_the_article_or_carries_it_from_the_layout(edition: EpaperSite) -> None:
    assert {a.shows_printed_page for a in edition.of("pc")} == {True, False}


def test_a_date_range_archives_only_its_editions_and_a_recrawl_fetches_no_article_again(
    tmp_path: Path, edition: EpaperSite, server: ReplicaServer
) -> None:
    db_file = tmp_path / "archive.db"
    _, day = edition.editions["mp2"]
    crawl(db_file, server, "xhrb", f"since={day - timedelta(days=1)}", f"until={day + timedelta(days=1)}")
    assert sorted(archived(db_file)) == sorted(server.base_url + a.path for a in edition.of("mp2"))
    first_hits = server.hits.copy()
    crawl(db_file, server, "xhrb", f"since={day - timedelta(days=1)}", f"until={day + timedelta(days=1)}")
    assert all(server.hits[a.path] == first_hits[a.path] == 1 for a in edition.of("mp2"))
    assert len(archived(db_file)) == len(edition.of("mp2"))


def test_a_day_without_an_edition_is_looked_for_in_every_generation_and_archives_nothing(
    tmp_path: Path, server: ReplicaServer
) -> None:
    db_file = tmp_path / "archive.db"
    result = run_cli("--db", f"sqlite:///{db_file}", "crawl", "epaper", "-a", f"paper={PAPER}",
                     "-a", "date=2022-03-05", "-a", f"base_url={server.base_url}")
    assert result.returncode in (0, 1), result.stderr[-3000:]
    assert archived(db_file) == {}
    for path in ("/pc/layout/202203/05/node_1.html", "/mp2/html/2022-03/05/node_1.htm", "/newxh/html/2022-03/05/node_1.htm"):
        assert server.hits[path] == 1, path


def test_arguments_are_checked_before_any_fetch() -> None:
    with pytest.raises(ValueError, match="xhrb"):
        EpaperSpider(paper="nosuchpaper", date="2022-03-01")
    with pytest.raises(ValueError, match="date=YYYY-MM-DD"):
        EpaperSpider(paper="xhrb")
    with pytest.raises(ValueError, match="not both"):
        EpaperSpider(paper="xhrb", date="2022-03-01", since="2022-03-01")
    spider = EpaperSpider(paper="xhrb", since="2022-02-27", until="2022-03-01")
    assert [str(d) for d in spider.editions()] == ["2022-02-27", "2022-02-28", "2022-03-01"]


def test_paper_table_tries_the_generation_of_the_day_first_then_the_others() -> None:
    table = papers()
    assert first_layout_paths(table["xhrb"], EDITION_DAY) == [
        "/pc/layout/202203/01/node_1.html", "/mp2/html/2022-03/01/node_1.htm", "/newxh/html/2022-03/01/node_1.htm"]
    assert first_layout_paths(table["xhrb"], date(2015, 5, 11))[0] == "/mp2/html/2015-05/11/node_1.htm"
    assert first_layout_paths(table["xhrb"], date(2009, 1, 2))[0] == "/newxh/html/2009-01/02/node_1.htm"
    assert first_layout_paths(table["xzrb"], EDITION_DAY) == ["/xzrb/202203/01/node_01.html"]
    assert first_layout_paths(table["hnrb"], EDITION_DAY) == ["/html/2022-03/01/node_1.htm"]
    generations = [g for entry in table.values() for g in entry["generations"]]
    assert all(isinstance(g["verified"], bool) and g["evidence"] for g in generations)


def test_a_layout_url_answering_with_something_other_than_a_page_is_skipped() -> None:
    spider = EpaperSpider(paper="xhrb", date="2022-03-01")
    response = Response("http://xh.xhby.net/pc/layout/202203/01/node_1.html", body=b"%PDF-1.4 \x00\x01",
                        headers={"Content-Type": "application/pdf"})
    assert list(spider.parse_layout(response)) == []
