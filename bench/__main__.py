"""``python -m bench`` (``make bench``): the end-to-end and extraction benchmarks in one run.

Runs :mod:`bench.e2e` (bare Scrapy vs the full crawl into SQLite and PostgreSQL) and
:mod:`bench.extraction` (our extractor vs trafilatura, GNE and news-please), prints
Markdown tables with the targets of issue 9, and writes the results as JSON and Markdown
to ``bench/results/<date>T<time>_<commit>.{json,md}`` so runs on different commits can
be compared. ``--quick`` shrinks everything for development; ``--all`` then also runs
the other benchmark modules of ``bench/`` that exist.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
from datetime import datetime
from pathlib import Path
from typing import Any

from bench.e2e import REPO, VARIANTS, BenchError, run_e2e
from bench.extraction import DEFAULT_CORPUS, SHARED_FIELDS, run_extraction

RESULTS_DIR = REPO / "bench" / "results"
#: Benchmarks other modules provide, run by ``--all`` after the main two when present.
OTHER_BENCHMARKS = ("dedup", "storage", "search_export", "distributed", "memory", "ui")
#: Issue 9's end-to-end targets.
MAX_CPU_RATIO_SQLITE = 1.5
MAX_PEAK_RSS_MB = 300.0


def commit() -> tuple[str, bool]:
    """The checked-out commit (short hash) and whether the work tree has changes."""
    def git(*args: str) -> str:
        done = subprocess.run(["git", *args], cwd=REPO, capture_output=True, text=True, check=False)
        return done.stdout.strip() if done.returncode == 0 else ""

    return git("rev-parse", "--short", "HEAD") or "unknown", bool(git("status", "--porcelain"))


def _fmt(value: Any, digits: int = 1) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:.{digits}f}"
    return str(value)


def table(headers: list[str], rows: list[list[Any]]) -> str:
    """A GitHub Markdown table; floats get one decimal unless already formatted."""
    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    lines += ["| " + " | ".join(_fmt(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines)


def e2e_markdown(e2e: dict[str, Any]) -> str:
    variants = e2e["variants"]
    ratios = {"sqlite": e2e["cpu_ratio_sqlite_vs_bare"], "postgres": e2e["cpu_ratio_postgres_vs_bare"]}
    rows = [
        [name, v["pages"], v["pages_per_s"], v["cpu_s"], v["cpu_s_per_1000"], _fmt(v["cpu_ms_per_page"], 2),
         _fmt(ratios.get(name), 2) if name != "bare" else "1.00", v["peak_rss_mb"], v["articles_stored"]]
        for name, v in variants.items()
    ]
    out = [f"### End to end: {e2e['articles']}-article replica", "",
           table(["variant", "pages", "pages/s", "CPU s", "CPU s / 1000 articles", "CPU ms / page",
                  "CPU ratio vs bare", "peak RSS MB", "articles stored"], rows)]
    out += [f"\n{name} skipped: {reason}" for name, reason in e2e["skipped"].items()]
    stages = {name: v["stage_cpu_ms_per_page"] for name, v in variants.items() if v.get("stage_cpu_ms_per_page")}
    if stages:
        names = list(dict.fromkeys(stage for by_stage in stages.values() for stage in by_stage))
        out += ["", "CPU ms per page by stage (from the crawl's `newsarchive/cpu_s/*` stats; `store` is the whole "
                "transaction, its steps included; the rest is Scrapy, start-up and the spider):", "",
                table(["variant", *names],
                      [[variant, *(_fmt(by_stage.get(stage), 2) for stage in names)] for variant, by_stage in stages.items()])]
    return "\n".join(out)


def extraction_markdown(extraction: dict[str, Any]) -> str:
    out = []
    for name, result in extraction.items():
        rows = [
            [tool, t["pages"], t["docs_per_cpu_s"], *(_fmt(t["scores"][f], 2) for f in SHARED_FIELDS),
             _fmt(t["shared_mean"], 3), _fmt(t["all_mean"], 3), t["errors"]]
            for tool, t in result["tools"].items()
        ]
        out += [f"### Extraction: {name} pages", "",
                table(["tool", "pages", "docs / CPU-s", *SHARED_FIELDS, "mean (these 4)", "mean (all 10)", "errors"],
                      rows), ""]
    return "\n".join(out).rstrip()


def target_lines(results: dict[str, Any]) -> list[str]:
    """One line per issue-9 target: met or not, with the measured figure."""
    lines = []
    e2e = results.get("e2e")
    if e2e:
        ratio = e2e["cpu_ratio_sqlite_vs_bare"]
        met = ratio is not None and ratio <= MAX_CPU_RATIO_SQLITE
        lines.append(f"- SQLite pipeline CPU per page ≤ {MAX_CPU_RATIO_SQLITE}× bare Scrapy: "
                     f"{'met' if met else 'NOT met'} ({_fmt(ratio, 2)}×)")
        rss = e2e["variants"].get("sqlite", {}).get("peak_rss_mb")
        met = rss is not None and rss < MAX_PEAK_RSS_MB
        lines.append(f"- peak memory < {MAX_PEAK_RSS_MB:.0f} MB for {e2e['articles']} articles (SQLite): "
                     f"{'met' if met else 'NOT met'} ({_fmt(rss)} MB)")
    for name, result in results.get("extraction", {}).items():
        t = result["targets"]
        lines.append(f"- extraction on the {name} pages ≥ 2× docs/CPU-s of the faster of trafilatura and GNE: "
                     f"{'met' if t['speed_met'] else 'NOT met'} ({_fmt(t['speedup_vs_fastest_rival'], 2)}×); "
                     f"field scores ≥ theirs on {', '.join(SHARED_FIELDS)}: {'met' if t['scores_met'] else 'NOT met'}")
    return lines


def markdown(results: dict[str, Any]) -> str:
    dirty = " (with uncommitted changes)" if results["dirty"] else ""
    parts = [f"## newsarchive bench {results['started_at']} on commit {results['commit']}{dirty}", ""]
    if "e2e" in results:
        parts += [e2e_markdown(results["e2e"]), ""]
    if "extraction" in results:
        parts += [extraction_markdown(results["extraction"]), ""]
    parts += ["### Targets", "", *target_lines(results)]
    return "\n".join(parts) + "\n"


def run_others(progress: Any) -> dict[str, int]:
    """Run each other benchmark module that exists as ``python -m bench.NAME``; exit codes."""
    codes = {}
    for name in OTHER_BENCHMARKS:
        if (REPO / "bench" / f"{name}.py").is_file():
            progress(f"--all: python -m bench.{name}")
            codes[name] = subprocess.run([sys.executable, "-m", f"bench.{name}"], cwd=REPO, check=False).returncode
    return codes


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true",
                        help="1,000-article replica and a 50-page extraction sample, for development")
    parser.add_argument("--articles", type=int, help="replica size for the end-to-end run (default 10000)")
    parser.add_argument("--variants", default=",".join(VARIANTS),
                        help=f"comma-separated end-to-end variants (default {','.join(VARIANTS)})")
    parser.add_argument("--only", choices=("e2e", "extraction"), help="run one of the two benchmarks")
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS, help="labelled corpus (default ../shared/corpus)")
    parser.add_argument("--results-dir", type=Path, default=RESULTS_DIR, help="where results files go")
    parser.add_argument("--all", action="store_true", help="also run the other bench/ modules that exist")
    args = parser.parse_args(argv)
    args.articles = args.articles or (1000 if args.quick else 10_000)
    args.sample = 50 if args.quick else 200
    args.variants = tuple(v for v in args.variants.split(",") if v)
    unknown = set(args.variants) - set(VARIANTS)
    if unknown:
        parser.error(f"unknown variant(s) {', '.join(sorted(unknown))}; use {', '.join(VARIANTS)}")
    return args


def run(args: argparse.Namespace, workdir: Path, progress: Any = print) -> dict[str, Any]:
    """Run the selected benchmarks; the results dict that is written to ``bench/results``."""
    head, dirty = commit()
    results: dict[str, Any] = {"started_at": datetime.now().isoformat(timespec="seconds"), "commit": head,
                               "dirty": dirty}
    if args.only in (None, "e2e"):
        results["e2e"] = run_e2e(args.articles, workdir / "e2e", args.variants, progress)
        results["cpu_ratio_sqlite_vs_bare"] = results["e2e"]["cpu_ratio_sqlite_vs_bare"]
        results["cpu_ratio_postgres_vs_bare"] = results["e2e"]["cpu_ratio_postgres_vs_bare"]
    if args.only in (None, "extraction"):
        results["extraction"] = run_extraction(workdir / "extraction", replica_articles=min(args.articles, 1000),
                                               replica_sample=args.sample, corpus=args.corpus, progress=progress)
    return results


def write_results(results: dict[str, Any], directory: Path) -> Path:
    """Write ``<date>T<time>_<commit>.json`` and ``.md`` beside it; the JSON path."""
    directory.mkdir(parents=True, exist_ok=True)
    stamp = results["started_at"].replace(":", "")
    path = directory / f"{stamp}_{results['commit']}.json"
    path.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    path.with_suffix(".md").write_text(markdown(results), encoding="utf-8")
    return path


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    workdir = Path(tempfile.mkdtemp(prefix="newsarchive-bench-"))
    try:
        results = run(args, workdir)
    except BenchError as exc:
        print(f"python -m bench: {exc} (work files kept in {workdir})", file=sys.stderr)
        return 1
    if results.get("e2e", {}).get("skipped"):
        print(f"Some variants were skipped; their logs are kept in {workdir}")
    else:
        shutil.rmtree(workdir, ignore_errors=True)
    path = write_results(results, args.results_dir)
    print()
    print(markdown(results))
    print(f"Results: {path} and {path.with_suffix('.md').name}")
    if args.all and any(run_others(print).values()):
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
