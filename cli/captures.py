"""``newsarchive captures offload|verify``: move capture bodies into WARC files, and check them.

Offloading keeps the archive's database small (capture bodies are most of it) while every
reader — reparse, WARC export, the capture view — still gets the bytes through
:func:`models.capture_store.capture_body`. ``verify`` reads every body back and compares it
with the digest taken when it was fetched; it exits 1 naming each capture and file that fails.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from sqlalchemy import make_url
from sqlalchemy.exc import SQLAlchemyError

from cli.jobs import parse_since
from models.capture_store import DEFAULT_MAX_FILE_BYTES, CaptureUnavailable, Progress, offload, verify
from models.engine import check_writable, database_url, make_engine, session_factory, sqlite_path, upgrade_to_head
from models.errors import ArchiveUnavailable, unavailable

_UNITS = {"": 1, "k": 1 << 10, "m": 1 << 20, "g": 1 << 30}


def default_directory(url: str) -> Path:
    """Beside a SQLite archive (``data/archive.db`` → ``data/archive-captures/``); for a
    server database, ``data/captures-<database>/`` under the current folder."""
    path = sqlite_path(url)
    if path is not None:
        return path.with_name(f"{path.stem}-captures")
    return Path("data") / f"captures-{make_url(url).database}"


def parse_size(text: str) -> int:
    """``1G``, ``500M``, ``64k`` or a byte count."""
    number, unit = text.rstrip("bBiI"), ""
    if number and number[-1].lower() in _UNITS:
        number, unit = number[:-1], number[-1].lower()
    try:
        value = int(number) * _UNITS[unit]
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r}: give a size such as 1G, 500M or 65536") from None
    if value <= 0:
        raise argparse.ArgumentTypeError(f"{text!r}: a WARC file size must be positive")
    return value


def offload_command(args: argparse.Namespace) -> int:
    url = database_url(args.db)
    directory = args.dir or default_directory(url)
    engine = make_engine(url)
    try:
        check_writable(url)
        upgrade_to_head(url)
        result = offload(session_factory(engine), directory, older_than=args.older_than,
                         max_file_bytes=args.max_file_size, progress=_progress("offloaded"))
    except (ArchiveUnavailable, CaptureUnavailable) as exc:
        print(f"newsarchive captures offload: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"newsarchive captures offload: cannot write WARC files in {directory} ({exc.strerror}); "
              "batches already moved are safe, run the command again when it is writable", file=sys.stderr)
        return 2
    except SQLAlchemyError as exc:
        print(f"newsarchive captures offload: {unavailable(url, exc)} (batches already moved are safe; "
              "run the command again)", file=sys.stderr)
        return 2
    finally:
        engine.dispose()
    megabytes = result.bytes / 1e6
    print(f"offloaded {result.captures} capture bodies ({megabytes:.1f} MB uncompressed) "
          f"into {len(result.files)} WARC file(s) in {directory.resolve()}")
    return 0


def verify_command(args: argparse.Namespace) -> int:
    url = database_url(args.db)
    engine = make_engine(url)
    try:
        upgrade_to_head(url)
        result = verify(session_factory(engine), progress=_progress("verified"))
    except SQLAlchemyError as exc:
        print(f"newsarchive captures verify: {unavailable(url, exc)}", file=sys.stderr)
        return 2
    finally:
        engine.dispose()
    for problem in result.problems:
        print(problem)
    checked = f"{result.in_database} in the database, {result.in_warc} in {result.files} WARC file(s)"
    if result.problems:
        print(f"{len(result.problems)} capture bodies failed verification ({checked} checked)", file=sys.stderr)
        return 1
    print(f"every capture body matches its digest ({checked})")
    return 0


def _progress(verb: str) -> Progress | None:
    if not sys.stderr.isatty():
        return None

    def show(done: int, total: int) -> None:
        print(f"\r{verb} {done}/{total} captures", end="\n" if done >= total else "", file=sys.stderr, flush=True)

    return show


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("captures", help="move raw page bodies into WARC files, and verify them")
    actions = parser.add_subparsers(dest="captures_action", metavar="ACTION", required=True)
    move = actions.add_parser("offload", help="move capture bodies out of the database into WARC files "
                                              "(resumable; safe to interrupt)")
    move.add_argument("--older-than", type=parse_since, metavar="AGE",
                      help="only captures fetched before this: an age (30d, 12h) or a date (2026-01-01)")
    move.add_argument("--dir", type=Path, metavar="DIR",
                      help="folder for the WARC files (default: beside a SQLite archive, "
                           "DB-captures/; else data/captures-DBNAME/)")
    move.add_argument("--max-file-size", type=parse_size, default=DEFAULT_MAX_FILE_BYTES, metavar="SIZE",
                      help="seal a WARC file (and write its CDXJ index) once it holds this much (default 1G)")
    move.set_defaults(func=offload_command)
    check = actions.add_parser("verify", help="read every capture body back and check it against its digest")
    check.set_defaults(func=verify_command)
