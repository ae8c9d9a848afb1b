"""``newsarchive index rebuild``: recreate the search index from the stored articles.

The store pipeline keeps the index current; a rebuild is for after restoring a
database, deleting articles by hand, or upgrading to a changed tokenizer.
"""

from __future__ import annotations

import argparse
import sys

from sqlalchemy.exc import SQLAlchemyError

from cli import exits
from models.engine import database_url, make_engine, require_existing, session_factory
from models.errors import unavailable
from models.search_index import rebuild


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("index", help="maintain the full-text search index")
    actions = parser.add_subparsers(dest="index_action", metavar="ACTION", required=True)
    actions.add_parser("rebuild", help="index every article again, in one transaction").set_defaults(func=command)


def command(args: argparse.Namespace) -> int:
    url = require_existing(database_url(args.db))
    engine = make_engine(url)
    progress = _show_progress if sys.stderr.isatty() else None
    try:
        with session_factory(engine).begin() as session:
            count = rebuild(session, progress)
    except SQLAlchemyError as exc:
        print(f"newsarchive index: {unavailable(url, exc)} (or run `newsarchive db upgrade`)", file=sys.stderr)
        return exits.UNUSABLE
    finally:
        engine.dispose()
    if progress:
        print(file=sys.stderr)
    print(f"indexed {count} articles", file=sys.stderr)
    return 0


def _show_progress(done: int, total: int) -> None:
    print(f"\rindexed {done}/{total} articles…", end="", file=sys.stderr, flush=True)
