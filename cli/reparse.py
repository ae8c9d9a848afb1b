"""``newsarchive reparse [--site S]``: re-read archived articles from their raw captures."""

from __future__ import annotations

import argparse
import sys

from sqlalchemy.exc import SQLAlchemyError

from models.capture_store import CaptureUnavailable
from models.engine import check_writable, database_url, make_engine, session_factory, upgrade_to_head
from models.errors import ArchiveUnavailable, unavailable
from operations.reparse import DEFAULT_BATCH_SIZE, ReparseError, reparse


def command(args: argparse.Namespace) -> int:
    url = database_url(args.db)
    engine = make_engine(url)
    try:
        check_writable(url)
        upgrade_to_head(url)
        result = reparse(session_factory(engine), args.site, batch_size=args.batch_size,
                         progress=_show_progress if sys.stderr.isatty() else None)
    except (ArchiveUnavailable, ReparseError, CaptureUnavailable) as exc:
        print(f"newsarchive reparse: {exc}", file=sys.stderr)
        return 2
    except SQLAlchemyError as exc:
        print(f"newsarchive reparse: {unavailable(url, exc)} (batches done so far are kept; run reparse again)",
              file=sys.stderr)
        return 2
    finally:
        engine.dispose()
    print("\n".join(result.lines()))
    return 0


def _show_progress(done: int, total: int) -> None:
    """One self-overwriting line on a terminal; nothing in logs and pipes."""
    end = "\n" if done >= total else ""
    print(f"\rreparse: {done}/{total} articles", end=end, file=sys.stderr, flush=True)


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("reparse", help="rebuild articles from their stored captures with today's parser "
                                           "(fetches nothing)")
    parser.add_argument("--site", metavar="SITE", help="only this site's articles, e.g. people.com.cn")
    parser.add_argument("--batch-size", type=int, default=DEFAULT_BATCH_SIZE, metavar="N",
                        help=f"articles per transaction (default {DEFAULT_BATCH_SIZE})")
    parser.set_defaults(func=command)
