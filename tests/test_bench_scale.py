"""``python -m bench.scale``: a kept archive outlives the run, is measured again as it is,
and its query plans can be read — on both databases, at a tiny size."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from sqlalchemy import create_engine, func, select

from models.schema import Article

ROOT = Path(__file__).resolve().parent.parent


def _scale(*args: str) -> str:
    done = subprocess.run([sys.executable, "-m", "bench.scale", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=300, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


def test_a_kept_archive_holds_every_generated_story_and_is_measured_again_without_ingest(db_url: str) -> None:
    built = _scale("--articles", "60", "--keep", db_url, "--queries", "3")
    assert "| slice | stories |" in built and "stored 60/60 stories" in built
    engine = create_engine(db_url)
    with engine.connect() as conn:
        rows = conn.execute(select(func.count(Article.id))).scalar_one()
    engine.dispose()
    assert rows >= 60  # every story, plus its mirrors and syndicated copies
    slice_rows = [line.split("|") for line in built.splitlines() if line.startswith("| 1 | 6 |")]
    assert len(slice_rows) == 1
    cpu, store_cpu, server_cpu = (cell.strip() for cell in slice_rows[0][3:6])
    assert 0.0 < float(store_cpu) <= float(cpu)  # storing is part of the slice's CPU, not all of it
    if db_url.startswith("sqlite"):
        assert server_cpu == "—"  # no server
    else:  # the server on 127.0.0.1 did work for the slice, and it is counted
        assert float(server_cpu) >= 0.0
    measured = _scale("--measure", db_url, "--queries", "3")
    assert "| slice |" not in measured  # nothing ingested again
    assert f"archive of {rows} article rows" in measured
    for kind in ("1-char term", "facets, 2-char term", "term + site + dates", "show", "jsonl"):
        assert f"| {kind} |" in measured


def test_explain_prints_the_plan_of_every_statement_a_search_page_runs(db_url: str) -> None:
    _scale("--articles", "40", "--keep", db_url, "--queries", "3")
    plans = _scale("--measure", db_url, "--explain")
    assert plans.count("### plans:") == 5
    index = "article_search_fts" if db_url.startswith("sqlite") else "article_search"
    assert index in plans  # the text index is named in the plans of a term's search


def test_explain_without_an_archive_to_read_is_refused() -> None:
    done = subprocess.run([sys.executable, "-m", "bench.scale", "--explain"], cwd=ROOT, capture_output=True,
                          text=True, timeout=60, check=False)
    assert done.returncode == 2 and "--measure URL" in done.stderr
