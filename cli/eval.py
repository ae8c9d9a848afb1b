"""``newsarchive eval CORPUS_DIR [--compare] [--json]``: score extraction on a labelled corpus.

Prints per-field scores for all pages (one column per tool), then per-site scores for
our extractor, so a parser change can be judged by numbers. Scoring lives in
:mod:`crawler.evaluation`; this module only parses arguments and prints.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import sys
from collections.abc import Mapping
from pathlib import Path
from types import ModuleType

from crawler.evaluation import (
    NAME_FIELDS,
    OURS,
    SCORED_FIELDS,
    CorpusError,
    EvalReport,
    PageExtractor,
    TextExtractor,
    evaluate,
)

#: The comparison adapters live in the source tree's bench/ (not an installed package).
COMPARE_MODULE = Path(__file__).resolve().parents[1] / "bench" / "compare_extractors.py"
#: Short column headings for the per-site table.
_SHORT = {"original_title": "orig_ttl", "published_at": "date", "breadcrumbs": "crumbs"}
_NUM_WIDTH = 13


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "eval",
        help="score field extraction against a labelled corpus",
        description="Score the extractor against hand labels (raw/ + expected/ as in /work/shared/corpus).",
    )
    parser.add_argument(
        "corpus_dir", metavar="CORPUS_DIR", type=Path, help="corpus root with raw/ and expected/"
    )
    parser.add_argument(
        "--compare", action="store_true", help="also score trafilatura and GNE on the same pages"
    )
    parser.add_argument("--json", action="store_true", help="print the full result as JSON")
    parser.set_defaults(func=cmd_eval)


def _error(message: str) -> None:
    print(f"newsarchive eval: error: {message}", file=sys.stderr)


def load_compare_module() -> ModuleType:
    """``bench/compare_extractors.py``, loaded by path since bench/ is not an installed package."""
    if not COMPARE_MODULE.is_file():
        raise ImportError(f"{COMPARE_MODULE} not found; --compare needs a source checkout of newsarchive")
    spec = importlib.util.spec_from_file_location("bench_compare_extractors", COMPARE_MODULE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def load_comparison_tools() -> dict[str, TextExtractor]:
    """trafilatura and GNE adapters, in column order."""
    return load_compare_module().comparison_tools()


def cmd_eval(
    args: argparse.Namespace,
    *,
    extractor: PageExtractor | None = None,
    compare_tools: Mapping[str, TextExtractor] | None = None,
) -> int:
    """Run the evaluation; ``extractor``/``compare_tools`` replace the real ones (tests)."""
    others: Mapping[str, TextExtractor] = {}
    if args.compare:
        try:
            others = compare_tools if compare_tools is not None else load_comparison_tools()
        except ImportError as exc:
            _error(f"{exc}; install the comparison tools with: .venv/bin/pip install -e '.[bench]'")
            return 1
    try:
        report = evaluate(args.corpus_dir, extractor, compare=others)
    except CorpusError as exc:
        _error(str(exc))
        return 2
    except ImportError as exc:  # only the default extractor is imported by evaluate()
        _error(f"cannot import the extractor crawler.sites.registry.extract ({exc}); is crawler/sites built?")
        return 1
    for bad in report.bad_labels:
        print(f"newsarchive eval: skipped bad label {bad['file']}: {bad['error']}", file=sys.stderr)
    print(json.dumps(report.to_dict(), ensure_ascii=False, indent=2) if args.json else format_report(report))
    return 0


def _cell(value: float | None, digits: int = 3) -> str:
    return "-" if value is None else f"{value:.{digits}f}"


def _row(heading: str, cells: list[str]) -> str:
    return f"{heading:<16}" + "".join(f"{c:>{_NUM_WIDTH}}" for c in cells)


def format_report(report: EvalReport) -> str:
    """The fixed-width tables: fields x tools over all pages, then sites x fields for ours."""
    summaries = [report.summary(t) for t in report.tools]
    speeds = [report.speed[t] for t in report.tools]
    lines = [
        f"{len(report.rows(OURS))} labelled article pages in {report.corpus_dir}; "
        f"skipped {len(report.unlabelled)} unlabelled raw pages and {len(report.bad_labels)} bad labels",
        "",
        _row("ALL", report.tools),
        *(_row(name, [_cell(s[name]) for s in summaries]) for name in SCORED_FIELDS),
        *_name_rows(report),
        _row("pages/s (wall)", [_cell(s.pages_per_second, 1) for s in speeds]),
        _row("pages/CPU-s", [_cell(s.pages_per_cpu_second, 1) for s in speeds]),
        _row("errors", [str(report.errors(t)) for t in report.tools]),
        _row("not articles", [str(len(report.rejected(t))) for t in report.tools]),
        "",
        *_site_table(report),
    ]
    rejected = report.rejected(OURS)
    lines += ["", f"{len(rejected)} labelled article pages rejected by {OURS} as not articles"]
    failed = [r for r in report.rows(OURS) if r.error]
    if failed:
        lines += [f"{OURS} predicted nothing for:", *(f"  {r.file}: {r.error}" for r in failed)]
    return "\n".join(lines)


def _name_rows(report: EvalReport) -> list[str]:
    """Precision and recall of authors and editors apart: a wrong name is worse than none."""
    rows = []
    for name in NAME_FIELDS:
        pairs = [report.precision_recall(t, name) for t in report.tools]
        rows.append(_row(f"{name}-prec", [_cell(p) for p, _ in pairs]))
        rows.append(_row(f"{name}-recall", [_cell(r) for _, r in pairs]))
    return rows


def _site_table(report: EvalReport) -> list[str]:
    """Per-site rows of our extractor's mean scores, with an ALL row."""
    sites = report.sites()
    width = max([len(s) for s in sites] + [len(OURS) + 9])
    headings = [_SHORT.get(f, f) for f in SCORED_FIELDS]
    lines = [f"{OURS + ' by site':<{width}} {'pages':>5}" + "".join(f" {h:>8}" for h in headings)]
    for site in [*sites, None]:
        scores = report.summary(OURS, site)
        lines.append(
            f"{site or 'ALL':<{width}} {len(report.rows(OURS, site)):>5}"
            + "".join(f" {_cell(scores[f], 2):>8}" for f in SCORED_FIELDS)
        )
    return lines
