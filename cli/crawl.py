"""``newsarchive crawl SPIDER [-a name=value]…``: one crawl into the archive."""

from __future__ import annotations

import argparse
import sys

from operations.crawl import CrawlFailed, run_crawl, summary_lines


def parse_arguments(pairs: list[str]) -> dict[str, str]:
    """``-a k=v`` pairs as Scrapy takes them; a pair without ``=`` is a usage error."""
    arguments: dict[str, str] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name:
            raise CrawlFailed(f"-a {pair!r} is not name=value, e.g. -a channel=js")
        arguments[name] = value
    return arguments


def command(args: argparse.Namespace) -> int:
    if args.list:
        from scrapy.spiderloader import SpiderLoader
        from scrapy.utils.project import get_project_settings

        for name in SpiderLoader.from_settings(get_project_settings()).list():
            print(name)
        return 0
    if not args.spider:
        print("newsarchive crawl: name a spider (newsarchive crawl --list shows them)", file=sys.stderr)
        return 2
    try:
        result = run_crawl(args.spider, parse_arguments(args.argument), db=args.db)
    except CrawlFailed as exc:
        print(f"newsarchive crawl: {exc}", file=sys.stderr)
        return 2
    print("\n".join(summary_lines(result)))
    return 0 if result.ok else 1


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("crawl", help="crawl a site into the archive")
    parser.add_argument("spider", nargs="?", help="spider name: people, generic, epaper …")
    parser.add_argument("-a", dest="argument", action="append", default=[], metavar="NAME=VALUE",
                        help="spider argument, e.g. -a channel=js -a since=2020-04-01")
    parser.add_argument("--list", action="store_true", help="list the spiders and exit")
    parser.set_defaults(func=command)
