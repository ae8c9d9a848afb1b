"""bench.search_export on a tiny archive: the figures it prints come out of real work
(the 100,000-article run itself is a benchmark, not a test)."""

from __future__ import annotations

from sqlalchemy import func, select

from bench.search_export import build, export_figures, search_latency, synthetic_rows
from models.engine import make_engine, session_factory
from models.schema import Article


def test_build_search_and_export_on_a_small_archive(tmp_path):
    url = f"sqlite:///{tmp_path / 'bench.db'}"
    assert build(url, 60) > 0
    engine = make_engine(url)
    with session_factory(engine)() as session:
        assert session.scalar(select(func.count(Article.id))) == 60
    engine.dispose()
    p50, p95 = search_latency(url, 1)
    assert 0 < p50 <= p95
    rate, per_cpu, peak = export_figures(url, "jsonl", tmp_path)
    assert rate > 0 and per_cpu > 0 and peak > 0
    assert len((tmp_path / "all.jsonl").read_text(encoding="utf-8").splitlines()) == 60


def test_synthetic_articles_are_reproducible():
    assert [row["title"] for row in synthetic_rows(3)] == [row["title"] for row in synthetic_rows(3)]
