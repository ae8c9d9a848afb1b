"""``newsarchive crawl SPIDER [-a name=value]…``: one crawl into the archive."""

from __future__ import annotations

import argparse
import shlex
import sys

from cli.seed import add_worker_options, worker_setup
from crawler.spiders.arguments import accepted, help_lines
from models.errors import display_url
from operations.crawl import CrawlFailed, run_crawl, spider_class, summary_lines
from operations.jobs import INTERRUPTED_REASON
from operations.health import health_lines, healthy


def parse_pairs(pairs: list[str], option: str, example: str) -> dict[str, str]:
    """``NAME=VALUE`` pairs given with ``option`` (``-a``, ``-s``); a pair without ``=`` is a usage error."""
    values: dict[str, str] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name:
            raise CrawlFailed(f"{option} {pair!r} is not name=value, e.g. {option} {example}")
        values[name] = value
    return values


def parse_arguments(pairs: list[str]) -> dict[str, str]:
    """``-a k=v`` spider arguments, as Scrapy takes them."""
    return parse_pairs(pairs, "-a", "channel=js")


def parse_settings(pairs: list[str]) -> dict[str, str]:
    """``-s NAME=VALUE`` settings, as ``scrapy crawl -s`` takes them."""
    return parse_pairs(pairs, "-s", "NEWSARCHIVE_STORE_BATCH_SIZE=20")


def command(args: argparse.Namespace) -> int:
    if args.help:
        return _help(args)
    if args.list:
        from scrapy.spiderloader import SpiderLoader
        from scrapy.utils.project import get_project_settings

        for name in SpiderLoader.from_settings(get_project_settings()).list():
            print(f"{name:<10} -a {' '.join(sorted(accepted(spider_class(name))))}")
        print("newsarchive crawl SPIDER --help explains each argument", file=sys.stderr)
        return 0
    if not args.spider:
        print("newsarchive crawl: name a spider (newsarchive crawl --list shows them)", file=sys.stderr)
        return 2
    try:
        arguments, settings = parse_arguments(args.argument), None
        if args.distributed:
            arguments, settings = worker_setup(args.spider, arguments, args)
        if args.resume and args.distributed:
            raise CrawlFailed("--resume is for single-process crawls: "
                              "a distributed crawl's Redis frontier survives restarts by itself")
        settings = {**(settings or {}), **parse_settings(args.setting)}
        if sys.stderr.isatty() and not args.verbose and not {"LOG_LEVEL", "LOG_FILE"} & set(settings):
            # at a terminal the progress line and the summary say it all; Scrapy's settings and
            # stats dump stay for -v and log files (LOG_FILE, the scheduler's and Scrapyd's logs)
            settings["LOG_LEVEL"] = "CRITICAL"
        result = run_crawl(args.spider, arguments, db=args.db, settings=settings,
                           resumable=not args.distributed, resume=args.resume)
    except (CrawlFailed, LookupError) as exc:
        print(f"newsarchive crawl: {exc}", file=sys.stderr)
        return 2
    print("\n".join(summary_lines(result) + health_lines(result.stats)))
    if result.finish_reason == INTERRUPTED_REASON and not args.distributed:
        print(f"interrupted: continue where it stopped with `{_resume_command(args)}`")
    return 0 if result.ok and healthy(result.stats) else 1


def _resume_command(args: argparse.Namespace) -> str:
    """The command that resumes this crawl: the same spider, arguments and archive, with --resume."""
    parts = ["newsarchive", *(["--db", display_url(args.db)] if args.db else []), "crawl", args.spider]
    parts += [f"-a {shlex.quote(pair)}" for pair in args.argument]
    parts += [f"-s {shlex.quote(pair)}" for pair in args.setting]
    return " ".join([*parts, "--resume"])


def _help(args: argparse.Namespace) -> int:
    """``crawl --help``, and with a spider named, the arguments it takes and what they mean."""
    args.crawl_parser.print_help()
    if args.spider:
        try:
            lines = help_lines(spider_class(args.spider))
        except CrawlFailed as exc:
            print(f"newsarchive crawl: {exc}", file=sys.stderr)
            return 2
        print(f"\narguments of the {args.spider} spider (-a NAME=VALUE; any other name is refused):")
        print("\n".join(lines))
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("crawl", help="crawl a site into the archive", add_help=False,
                            description="Crawl SPIDER into the archive. `newsarchive crawl SPIDER --help` lists "
                                        "the spider's arguments; an argument it does not take is refused.")
    parser.add_argument("-h", "--help", action="store_true", help="show this help (and SPIDER's arguments) and exit")
    parser.add_argument("spider", nargs="?", help="spider name: people, generic, epaper …")
    parser.add_argument("-a", dest="argument", action="append", default=[], metavar="NAME=VALUE",
                        help="spider argument, e.g. -a channel=js -a since=2020-04-01")
    parser.add_argument("-s", dest="setting", action="append", default=[], metavar="NAME=VALUE",
                        help="Scrapy or newsarchive setting for this crawl, e.g. -s NEWSARCHIVE_STORE_BATCH_SIZE=20")
    parser.add_argument("--resume", action="store_true",
                        help="continue the last run of this crawl (same spider, arguments and --db), even a killed one")
    parser.add_argument("--list", action="store_true", help="list the spiders and exit")
    add_worker_options(parser)
    parser.set_defaults(func=command, crawl_parser=parser)
