"""Extraction benchmark: our extractor vs trafilatura, GNE and news-please on the same pages.

Two page sets: a sample of replica article pages (labelled from the replica's own ground
truth) and the hand-labelled corpus in ``../shared/corpus`` when present. Both are
scored by :func:`crawler.evaluation.evaluate`, so speed (docs per CPU-second, warm, in
this one process, ``time.process_time`` around each call) and field scores come from the
same code ``newsarchive eval`` uses. The replica sample is written out as a small corpus
directory so that one evaluator serves both sets.

The trafilatura and GNE adapters are those of :mod:`bench.compare_extractors`;
news-please's adapter is here because only the benchmark compares it.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

from bench.compare_extractors import comparison_tools, loose_iso
from crawler.evaluation import OURS, SCORED_FIELDS, EvalReport, Prediction, TextExtractor, evaluate
from crawler.replica.site import HOST, ReplicaSite, build_site

#: Fields every compared tool predicts: "better field scores" is judged on these.
SHARED_FIELDS = ("title", "published_at", "authors", "body")
#: The corpus the issue's reference figures were measured on, beside the repository.
DEFAULT_CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"


def newsplease_extractor() -> TextExtractor:
    """Adapter for news-please's extraction alone (``NewsPlease.from_html``, no crawling,
    no image fetching): ``title``, ``date_publish``, ``authors``, ``maintext``."""
    from newsplease import NewsPlease

    def extract(html: str, url: str) -> Prediction:
        article = NewsPlease.from_html(html, url=url, fetch_images=False)
        if not article or not getattr(article, "title", None) and not getattr(article, "maintext", None):
            return {}
        published = article.date_publish.isoformat() if article.date_publish else None
        return {
            "title": article.title,
            "published_at": loose_iso(published),
            "authors": list(article.authors or []),
            "body": article.maintext or "",
        }

    return extract


def all_tools() -> dict[str, TextExtractor]:
    """The tools compared with ours, in column order."""
    return {**comparison_tools(), "news-please": newsplease_extractor()}


# --------------------------------------------------------------------------- replica sample


def _label(site: ReplicaSite, index: int, file: str) -> dict[str, Any]:
    expected = site.articles[index]
    return {
        "kind": "article",
        "file": file,
        **{name: getattr(expected, name) for name in SCORED_FIELDS},
        "published_precision": expected.published_precision,
    }


def write_replica_corpus(directory: Path, articles: int, sample: int) -> Path:
    """Write ``sample`` single-page replica articles (spread evenly over a replica of
    ``articles``, Traditional mirrors included) as a labelled corpus under ``directory``.

    Multi-page articles are left out: one page cannot hold their whole labelled body.
    Pages get the URL of the site the replica imitates, as a real crawl would see it.
    """
    site = build_site(articles=articles)
    single = [i for i, a in enumerate(site.articles) if a.pages == 1]
    step = max(1, len(single) // sample)
    chosen = single[::step][:sample]
    (directory / "raw" / "replica").mkdir(parents=True, exist_ok=True)
    (directory / "expected" / "replica").mkdir(parents=True, exist_ok=True)
    rows = []
    for n, index in enumerate(chosen):
        path = site.articles[index].path
        file = f"raw/replica/{n:04d}.html"
        (directory / file).write_bytes(site.pages[path].body)
        label = _label(site, index, file)
        (directory / "expected" / "replica" / f"{n:04d}.json").write_text(json.dumps(label, ensure_ascii=False))
        rows.append({"file": file, "page_url": f"http://{HOST}{path}"})
    with (directory / "MANIFEST.tsv").open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=["file", "page_url"], delimiter="\t")
        writer.writeheader()
        writer.writerows(rows)
    return directory


# --------------------------------------------------------------------------- running


def summarise(report: EvalReport) -> dict[str, Any]:
    """Per tool: pages, CPU seconds, docs per CPU-second, per-field mean scores, their
    mean over :data:`SHARED_FIELDS` and over all scored fields, and error count."""
    tools = {}
    for tool in report.tools:
        speed = report.speed[tool]
        scores = report.summary(tool)
        tools[tool] = {
            "pages": speed.pages,
            "cpu_s": speed.cpu_seconds,
            "docs_per_cpu_s": speed.pages_per_cpu_second,
            "scores": scores,
            "shared_mean": _mean([scores[f] for f in SHARED_FIELDS]),
            "all_mean": _mean([scores[f] for f in SCORED_FIELDS]),
            "errors": report.errors(tool),
        }
    return {"pages": len(report.rows(OURS)), "tools": tools, "targets": targets(tools)}


def _mean(values: list[float | None]) -> float | None:
    present = [v for v in values if v is not None]
    return sum(present) / len(present) if present else None


def targets(tools: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """The issue's extraction targets on one page set: at least 2x the docs per CPU-second
    of the faster of trafilatura and GNE, and a score at least as good as each of them on
    every field they all predict."""
    rivals = {name: tools[name] for name in ("trafilatura", "gne") if name in tools}
    ours = tools[OURS]
    fastest = max((r["docs_per_cpu_s"] or 0.0 for r in rivals.values()), default=0.0)
    speedup = (ours["docs_per_cpu_s"] or 0.0) / fastest if fastest else None
    better = all(
        (ours["scores"][f] or 0.0) >= (rival["scores"][f] or 0.0) for rival in rivals.values() for f in SHARED_FIELDS
    )
    return {"speedup_vs_fastest_rival": speedup, "speed_met": speedup is not None and speedup >= 2.0,
            "scores_met": bool(rivals) and better}


def run_extraction(workdir: Path, *, replica_articles: int = 1000, replica_sample: int = 200,
                   corpus: Path | None = DEFAULT_CORPUS, progress: Any = print) -> dict[str, Any]:
    """Score and time every tool on the replica sample and (when present) the corpus."""
    tools = all_tools()
    sets = {"replica": write_replica_corpus(workdir / "replica_corpus", replica_articles, replica_sample)}
    if corpus is not None and (corpus / "expected").is_dir():
        sets["corpus"] = corpus
    else:
        progress(f"extraction: no corpus at {corpus}; scoring the replica sample only")
    results: dict[str, Any] = {}
    for name, directory in sets.items():
        progress(f"extraction: {', '.join([OURS, *tools])} on the {name} pages …")
        results[name] = summarise(evaluate(directory, compare=tools))
    return results
