"""``newsarchive stats``: what is in the archive (articles per site, field coverage, last crawl)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from sqlalchemy.exc import SQLAlchemyError

from models.engine import database_url, make_engine, require_existing, session_factory
from models.errors import unavailable
from models.repository import article_stats
from models.safekeeping import archive_uuid, quarantined_count
from operations.figures import not_articles_line
from pipelines.spool import DEFAULT_SPOOL_DIR, Spool


def command(args: argparse.Namespace) -> int:
    url = require_existing(database_url(args.db))
    spool = Spool(args.spool, url=url)  # while the database cannot say its UUID: the items spooled for its URL
    engine = make_engine(url)
    try:
        with session_factory(engine)() as session:
            stats = article_stats(session)
            stats["quarantined"] = quarantined_count(session)
            spool = Spool(args.spool, archive_uuid(session), url)
    except SQLAlchemyError as exc:
        print(f"newsarchive stats: {unavailable(url, exc)}", file=sys.stderr)
        if spooled := spool.pending_items():
            print(f"newsarchive stats: {_spool_line(spooled, spool)}", file=sys.stderr)
        return 2
    finally:
        engine.dispose()
    spooled = stats["spooled"] = spool.pending_items()
    if args.json:
        print(json.dumps(stats, ensure_ascii=False, indent=2, default=str))
        return 0
    total = stats["articles"]
    print(f"archive {url}")
    print(f"articles  {total}   aliases {stats['aliases']}   versions {stats['versions']}   captures {stats['captures']}")
    if spooled:
        print(_spool_line(spooled, spool))
    if stats["quarantined"]:
        print(f"{stats['quarantined']} items quarantined: the archive refused them (reasons in table quarantined_item)")
    print(f"near-duplicate clusters {stats['clusters']}   articles in them {stats['clustered']}")
    for site, count in stats["per_site"].items():
        print(f"  {site:<24} {count}")
    print("field coverage")
    for name, count in stats["coverage"].items():
        share = f"{100 * count / total:5.1f}%" if total else "    -"
        print(f"  {name:<16} {count:>7}  {share}")
    last = stats["last_crawl"]
    if last:
        print(f"last crawl  #{last.get('id')} {last.get('spider')} {last.get('outcome')} "
              f"started {last.get('started_at')} finished {last.get('finished_at')}")
        print(f"  {not_articles_line(last.get('not_articles') or {})}"
              " (captures kept: `newsarchive reparse` re-reads them)")
    return 0


def _spool_line(count: int, spool: Spool) -> str:
    """Items fetched but not yet in the database: the operator's sign of an outage."""
    return (f"{count} items spooled in {spool.directory}, waiting for the database: "
            "they are stored by the next crawl once the database accepts writes")


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("stats", help="show what is in the archive")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument("--spool", type=Path, default=DEFAULT_SPOOL_DIR, metavar="DIR",
                        help=f"spool folder of the crawls (NEWSARCHIVE_SPOOL_DIR; default {DEFAULT_SPOOL_DIR})")
    parser.set_defaults(func=command)
