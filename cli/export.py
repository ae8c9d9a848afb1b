"""``newsarchive export``: articles as JSON Lines, CSV or Parquet, optionally incremental.

Formats are a table (:data:`FORMATS`): adding one (e.g. WARC for raw captures) is one
entry whose writer receives record batches and the read session.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import replace
from functools import partial
from pathlib import Path

from archive.csv_export import CsvWriter
from archive.export import ExportError, ExportFormat, prepare_output, run_export
from archive.jsonl_export import JsonlWriter, jsonl_batches
from archive.parquet_export import ParquetWriter
from archive.query import QueryError
from archive.records import column_batches
from archive.warc import WarcExportWriter
from cli import exits
from cli.search import add_filter_arguments, filters_from_args, with_archive
from models.warc_format import write_cdxj

FORMATS: dict[str, ExportFormat] = {
    "jsonl": ExportFormat(suffix=".jsonl", open=JsonlWriter, read=jsonl_batches),
    "csv": ExportFormat(suffix=".csv", open=CsvWriter),
    "parquet": ExportFormat(suffix=".parquet", open=ParquetWriter, seekable_output=True, read=column_batches),
    # raw captures of the selected articles; a file (not stdout), since its CDXJ index goes beside it
    "warc": ExportFormat(suffix=".warc.gz", open=WarcExportWriter, seekable_output=True),
}
#: Progress is redrawn every this many articles (a batch).
PROGRESS_EVERY = 1000


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "export",
        help=f"write articles as {', '.join([*FORMATS][:-1])} or {[*FORMATS][-1]} (schemas/article-export.v1.json; "
             "warc: their raw captures)",
        description="Export articles; with --consumer NAME only those new or changed since NAME's last export.",
    )
    parser.add_argument("--format", required=True, choices=sorted(FORMATS))
    parser.add_argument("--out", default="-", metavar="PATH", help="output file, '-' for stdout (default)")
    parser.add_argument("--query", default="", metavar="QUERY", help="only articles matching this search query")
    add_filter_arguments(parser)
    parser.add_argument("--consumer", metavar="NAME", help="export incrementally for this downstream consumer")
    parser.add_argument("--force", action="store_true", help="replace an existing output file")
    parser.add_argument("--csv-raw", action="store_true",
                        help="CSV cells exactly as stored: no leading ' before cells a spreadsheet would run as "
                             "formulas (=, +, -, @); only for files you will not open in a spreadsheet")
    parser.set_defaults(func=command)


def command(args: argparse.Namespace) -> int:
    fmt = FORMATS[args.format]
    if args.csv_raw:
        if args.format != "csv":
            print("newsarchive export: --csv-raw applies to --format csv only; leave it out", file=sys.stderr)
            return 2
        fmt = replace(fmt, open=partial(CsvWriter, raw=True))
    try:
        filters = filters_from_args(args, args.query)
        out = prepare_output(None if args.out == "-" else Path(args.out), fmt, args.force)
    except (QueryError, ExportError) as exc:
        print(f"newsarchive export: {exc}", file=sys.stderr)
        return 2
    progress = _show_progress if sys.stderr.isatty() else None
    count = with_archive(
        "export",
        args,
        lambda sessions: run_export(sessions, fmt, filters, out, args.consumer, progress),
    )
    if count is None:
        return exits.UNUSABLE
    if progress:
        print(file=sys.stderr)
    print(f"exported {count} articles to {out or 'stdout'}", file=sys.stderr)
    if args.format == "warc" and out is not None:
        print(f"indexed its captures in {write_cdxj(out)}", file=sys.stderr)
    return 0


def _show_progress(count: int) -> None:
    print(f"\rexported {count} articles…", end="", file=sys.stderr, flush=True)
