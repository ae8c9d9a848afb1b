"""``newsarchive seed SPIDER [-a name=value]… [--redis URL]``: start a distributed crawl.

Pushes the spider's start requests into the Redis frontier; then start any number of
``newsarchive crawl SPIDER --distributed`` workers, on any machines, against the same
Redis and archive. This module also holds the worker options ``crawl`` adds for
``--distributed`` (:func:`add_worker_options`, :func:`worker_setup`), so both commands
spell them the same way. See docs/distributed.md.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

#: The seeding and worker options shared by ``seed`` and ``crawl --distributed``.
REDIS_HELP = ("Redis holding the frontier: redis://[:password@]host:port/db or rediss://… for TLS (default "
              "$NEWSARCHIVE_REDIS_URL, which keeps a password off the command line, else redis://127.0.0.1:6379/0)")
FRONTIER_HELP = "name of the crawl's frontier in Redis (default: the spider name); seed and workers must agree"


def add_frontier_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--redis", metavar="URL", help=REDIS_HELP)
    parser.add_argument("--frontier", metavar="NAME", help=FRONTIER_HELP)


def add_worker_options(parser: argparse.ArgumentParser) -> None:
    """Options of ``newsarchive crawl`` for running as one worker of a distributed crawl."""
    parser.add_argument("--distributed", action="store_true",
                        help="run as a worker of a crawl seeded with `newsarchive seed` (scrapy-redis frontier)")
    add_frontier_options(parser)
    parser.add_argument("--idle-close", type=float, metavar="SECONDS",
                        help="close once the shared frontier has been empty this long (default 30)")
    parser.add_argument("--lease", type=int, metavar="SECONDS",
                        help="a worker silent this long loses its requests to the others (default 60)")


def worker_setup(spider: str, arguments: dict[str, str], args: argparse.Namespace) -> tuple[dict[str, str], dict[str, Any]]:
    """``(spider arguments, settings)`` for ``run_crawl`` as a distributed worker.

    Raises ``LookupError`` with advice when Redis is unreachable or the frontier was not
    seeded for this spider and these arguments.
    """
    import redis

    from crawler.distributed.addon import DEFAULT_REDIS_URL, worker_settings
    from crawler.distributed.frontier import FrontierKeys, frontier_name, worker_arguments
    from models.errors import display_url

    settings = worker_settings(args.redis, frontier=args.frontier, idle_close=args.idle_close, lease_seconds=args.lease)
    redis_url = settings.get("REDIS_URL") or DEFAULT_REDIS_URL
    server = redis.Redis.from_url(redis_url)
    keys = FrontierKeys(frontier_name(args.frontier or "%(spider)s", spider))
    try:
        return worker_arguments(server, keys, spider, arguments), settings
    except redis.RedisError as exc:
        raise LookupError(f"Redis at {display_url(redis_url)} is not reachable ({exc}): start it or pass "
                          "--redis redis://[:password@]host:port/db") from exc


def command(args: argparse.Namespace) -> int:
    from scrapy.utils.project import get_project_settings

    from cli.crawl import parse_arguments
    from crawler.distributed.addon import worker_settings
    from crawler.distributed.seeding import SeedFailed, seed_frontier
    from operations.crawl import CrawlFailed, check_spider_arguments

    settings = get_project_settings()
    for name, value in worker_settings(args.redis, frontier=args.frontier).items():
        settings.set(name, value, priority="cmdline")
    if args.status:
        return show_status(args.spider, settings)
    try:
        arguments = parse_arguments(args.argument)
        check_spider_arguments(args.spider, arguments)
        result = seed_frontier(args.spider, arguments, settings, reset=args.reset)
    except (SeedFailed, CrawlFailed) as exc:
        print(f"newsarchive seed: {exc}", file=sys.stderr)
        return 2
    if args.reset:
        print(f"cleared {result.cleared_keys} keys of {result.frontier}")
    print(f"seeded {result.frontier}: pushed {result.pushed} start requests, {result.queued} requests queued")
    return 0 if result.pushed else 1


def show_status(spider: str, settings: Any) -> int:
    """``seed --status``: queue, leases, parked requests and dead letters with their reasons."""
    from datetime import datetime, timezone

    from crawler.distributed.seeding import SeedFailed, frontier_status

    try:
        status = frontier_status(spider, settings)
    except SeedFailed as exc:
        print(f"newsarchive seed: {exc}", file=sys.stderr)
        return 2
    print(f"{status.frontier}: {status.queued} queued, {status.leased} leased by {status.workers} workers, "
          f"{status.parked} parked, {status.dead_letters} dead letters")
    for letter in status.latest_dead:
        at = datetime.fromtimestamp(letter["at"], timezone.utc).isoformat(timespec="seconds")
        print(f"  dead letter {at} from {letter['worker']}: {letter['reason']}")
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("seed", help="push a spider's start requests into a distributed crawl's Redis frontier")
    parser.add_argument("spider", help="spider name: people, generic, epaper …")
    parser.add_argument("-a", dest="argument", action="append", default=[], metavar="NAME=VALUE",
                        help="spider argument, e.g. -a channel=js; workers reuse them")
    add_frontier_options(parser)
    parser.add_argument("--reset", action="store_true",
                        help="delete the frontier (queue, dupefilter, leases) first: start a new crawl")
    parser.add_argument("--status", action="store_true",
                        help="push nothing; show the frontier: queued, leased, parked, dead letters and why")
    parser.set_defaults(func=command)
