"""``newsarchive scheduler``: the long-running process that starts due crawls.

Runs in the foreground (under systemd, supervisord, a container …) and stops cleanly on
SIGTERM or Ctrl-C. One log line per job start and end; each crawl's own output goes to
``--log-dir/job-ID.log``.
"""

from __future__ import annotations

import argparse
import signal
import sys
from datetime import timedelta
from pathlib import Path

from operations.crawl import CrawlFailed, prepare_archive
from operations.scheduler import Dispatcher, LocalDispatcher, RetryPolicy, Scheduler, ScrapydDispatcher
from operations.scrapyd import Scrapyd, ScrapydError


def _dispatcher(args: argparse.Namespace, url: str) -> Dispatcher:
    if not args.scrapyd:
        return LocalDispatcher(url, Path(args.log_dir))
    scrapyd = Scrapyd.from_url(args.scrapyd)
    if args.deploy:
        print(f"deployed project {args.project} version {scrapyd.deploy(project=args.project)} to {scrapyd.url}")
    return ScrapydDispatcher(scrapyd, url, args.project)


def command(args: argparse.Namespace) -> int:
    try:
        url = prepare_archive(args.db)
        dispatcher = _dispatcher(args, url)
    except (CrawlFailed, ScrapydError) as exc:
        print(f"newsarchive scheduler: {exc}", file=sys.stderr)
        return 2
    retry = RetryPolicy(retries=args.retries, delay=timedelta(seconds=args.retry_delay))
    scheduler = Scheduler(url, dispatcher, retry=retry)
    signal.signal(signal.SIGTERM, scheduler.stop)
    signal.signal(signal.SIGINT, scheduler.stop)
    scheduler.run(args.tick, once=args.once)
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("scheduler", help="run due schedules until stopped (SIGTERM)")
    parser.add_argument("--tick", type=float, default=5.0, metavar="SECONDS", help="how often to look for due schedules (default 5)")
    parser.add_argument("--once", action="store_true", help="start what is due now, wait for it to finish, exit")
    parser.add_argument("--log-dir", default="data/logs", help="folder for each crawl's output (default data/logs)")
    parser.add_argument("--scrapyd", metavar="URL",
                        help="dispatch crawls to this Scrapyd instead of local processes; credentials in the URL "
                             "(http://user:secret@host:6800) or $NEWSARCHIVE_SCRAPYD_USERNAME/_PASSWORD")
    parser.add_argument("--project", default="newsarchive", help="Scrapyd project name (default newsarchive)")
    parser.add_argument("--deploy", action="store_true", help="upload this checkout to Scrapyd before starting")
    parser.add_argument("--retries", type=int, default=3, help="dispatch retries after a failure (default 3)")
    parser.add_argument("--retry-delay", type=float, default=60.0, metavar="SECONDS",
                        help="wait between dispatch retries (default 60)")
    parser.set_defaults(func=command)
