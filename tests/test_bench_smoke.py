"""Smoke tests of ``python -m bench`` on a 50-article replica: it runs, and its results
carry the keys and units the issue asks for. Structure and positive numbers only — speed
itself is measured by the benchmark, never asserted here."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pytest

from bench.__main__ import markdown, write_results
from bench.e2e import run_e2e
from bench.extraction import run_extraction, write_replica_corpus
from crawler.evaluation import OURS, load_corpus
from tests.services import unavailable

ARTICLES = 50
VARIANT_KEYS = {"pages", "pages_per_s", "cpu_s", "cpu_s_per_1000", "cpu_ms_per_page", "peak_rss_mb",
                "articles_stored", "finish_reason"}


@pytest.fixture(scope="module")
def e2e(tmp_path_factory: pytest.TempPathFactory) -> dict:
    return run_e2e(ARTICLES, tmp_path_factory.mktemp("e2e"), ("bare", "sqlite"), progress=lambda _: None)


def test_e2e_measures_both_variants_on_the_same_pages(e2e: dict) -> None:
    bare, sqlite = e2e["variants"]["bare"], e2e["variants"]["sqlite"]
    for variant in (bare, sqlite):
        assert VARIANT_KEYS <= set(variant)
        assert variant["finish_reason"] == "finished"
        for key in ("pages_per_s", "cpu_s", "cpu_s_per_1000", "cpu_ms_per_page", "peak_rss_mb"):
            assert variant[key] > 0, key
    # Both walk the same links: every article page, list page, the 404 and robots.txt.
    assert bare["pages"] == sqlite["pages"] > ARTICLES
    assert sqlite["articles_stored"] >= ARTICLES  # every canonical article is new
    assert bare["articles_stored"] == 0
    assert e2e["cpu_ratio_sqlite_vs_bare"] == pytest.approx(sqlite["cpu_ms_per_page"] / bare["cpu_ms_per_page"])
    assert e2e["cpu_ratio_postgres_vs_bare"] is None  # not run here
    assert e2e["skipped"] == {}


@pytest.mark.postgres
def test_e2e_postgres_variant_uses_a_throwaway_database(tmp_path: Path) -> None:
    result = run_e2e(ARTICLES, tmp_path, ("postgres",), progress=lambda _: None)
    if "postgres" in result["skipped"]:
        unavailable(result["skipped"]["postgres"])
    assert result["variants"]["postgres"]["articles_stored"] >= ARTICLES


def test_replica_corpus_is_a_scorable_labelled_corpus(tmp_path: Path) -> None:
    write_replica_corpus(tmp_path, ARTICLES, sample=6)
    corpus = load_corpus(tmp_path)
    assert len(corpus.pages) == 6
    assert corpus.bad_labels == []
    assert all(page.url.startswith("http://js.people.com.cn/") for page in corpus.pages)
    assert all(page.label["body"] and page.label["title"] for page in corpus.pages)


def test_results_file_has_the_required_keys_and_a_table(e2e: dict, tmp_path: Path) -> None:
    extraction = {"replica": {"pages": 1, "tools": {OURS: {
        "pages": 1, "cpu_s": 0.01, "docs_per_cpu_s": 100.0, "errors": 0, "shared_mean": 1.0, "all_mean": 1.0,
        "scores": {"title": 1.0, "published_at": 1.0, "authors": 1.0, "body": 1.0}}},
        "targets": {"speedup_vs_fastest_rival": None, "speed_met": False, "scores_met": False}}}
    results = {"started_at": "2026-01-02T03:04:05", "commit": "abc1234", "dirty": False, "e2e": e2e,
               "extraction": extraction, "cpu_ratio_sqlite_vs_bare": e2e["cpu_ratio_sqlite_vs_bare"],
               "cpu_ratio_postgres_vs_bare": None}
    path = write_results(results, tmp_path)
    assert path.name == "2026-01-02T030405_abc1234.json"
    stored = json.loads(path.read_text())
    assert stored["cpu_ratio_sqlite_vs_bare"] > 0
    assert "cpu_ratio_postgres_vs_bare" in stored
    table = path.with_suffix(".md").read_text()
    assert table == markdown(results)
    assert "| sqlite | " in table and "| bare | " in table
    assert "SQLite pipeline CPU per page" in table


def test_unknown_variant_is_refused(tmp_path: Path) -> None:
    from bench.e2e import archive_for

    with pytest.raises(ValueError, match="unknown variant"):
        with archive_for("mongodb", tmp_path):
            pass


def test_cli_refuses_unknown_variant() -> None:
    from bench.__main__ import parse_args

    with pytest.raises(SystemExit):
        parse_args(["--variants", "bare,mongodb"])
    args = parse_args(["--quick"])
    assert isinstance(args, argparse.Namespace) and args.articles == 1000


def test_extraction_scores_and_times_every_tool(tmp_path: Path) -> None:
    for package in ("trafilatura", "gne", "newsplease"):  # the "bench" extra, not installed by `make test`
        pytest.importorskip(package, reason=f"{package} comes with `pip install -e '.[bench]'`")
    result = run_extraction(tmp_path, replica_articles=ARTICLES, replica_sample=4, corpus=None,
                            progress=lambda _: None)
    assert set(result) == {"replica"}
    tools = result["replica"]["tools"]
    assert list(tools) == [OURS, "trafilatura", "gne", "news-please"]
    for tool in tools.values():
        assert tool["pages"] == 4 and tool["docs_per_cpu_s"] > 0
        assert 0.0 <= tool["all_mean"] <= 1.0
    assert tools[OURS]["scores"]["title"] == 1.0  # replica pages are our own template
    assert set(result["replica"]["targets"]) == {"speedup_vs_fastest_rival", "speed_met", "scores_met"}


def test_the_full_crawl_says_where_its_cpu_goes(e2e: dict) -> None:
    sqlite = e2e["variants"]["sqlite"]
    stages = sqlite["stage_cpu_ms_per_page"]
    steps = ("store_captures", "store_articles", "near_duplicates", "search_index")
    assert {"extract", "normalise", "store", *steps} <= set(stages)
    assert stages["extract"] > 0 and stages["store"] > 0
    assert sum(stages[step] for step in steps) <= stages["store"]  # steps of one transaction
    assert stages["extract"] + stages["normalise"] + stages["store"] < sqlite["cpu_ms_per_page"]  # parts of the whole
    assert e2e["variants"]["bare"]["stage_cpu_ms_per_page"] == {}
