"""``newsarchive demo``: serve the bundled replica, crawl it into the archive, show the result.

The demo is the whole path on one machine with no internet: replica site on
127.0.0.1 → people spider → parsers → pipelines → SQLite archive. It uses a fixed port
by default so that the archive's URLs stay the same from one run to the next (a second
run then adds no rows).
"""

from __future__ import annotations

import argparse
import sys

from cli.serve import DEFAULT_PORT, serve_command
from crawler.replica.server import running_replica
from crawler.replica.site import build_site
from models.engine import database_url, make_engine, session_factory
from operations.crawl import CrawlFailed, run_crawl, summary_lines
from operations.replica_check import check_archive


def command(args: argparse.Namespace) -> int:
    site = build_site(articles=args.articles)
    url = database_url(args.db)
    print(f"replica: {len(site.canonical_articles)} articles, {len(site.mirrors)} Traditional mirrors, "
          f"{len(site.list_pages)} list pages")
    try:
        with running_replica(site, port=args.port) as base_url:
            print(f"serving the replica at {base_url}; crawling into {url}")
            quiet = {} if args.verbose else {"LOG_LEVEL": "WARNING"}  # the summary below says it all
            result = run_crawl("people", {"channel": "js", "base_url": base_url}, db=url, settings=quiet)
    except OSError as exc:
        print(f"newsarchive demo: cannot serve the replica on port {args.port} ({exc}); "
              f"free the port or pick another with --port N (make demo DEMO_PORT=N)", file=sys.stderr)
        return 2
    except CrawlFailed as exc:
        print(f"newsarchive demo: {exc}", file=sys.stderr)
        return 2
    print("\n".join(summary_lines(result)))
    engine = make_engine(url)
    try:
        with session_factory(engine)() as session:
            report = check_archive(session, site, base_url)
    finally:
        engine.dispose()
    print("\n".join(report.lines()))
    print("demo OK: every replica article archived once" if report.ok
          else "demo found differences from the replica's ground truth (see above)")
    print(f"browse it: {serve_command(args.db)}   (then open http://127.0.0.1:{DEFAULT_PORT}/)")
    return 0 if result.ok and report.ok else 1


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("demo", help="crawl the bundled local replica site into the archive")
    parser.add_argument("--port", type=int, default=8800, help="port for the replica (default 8800)")
    parser.add_argument("--articles", type=int, default=240, help="articles in the replica (default 240)")
    parser.set_defaults(func=command)
