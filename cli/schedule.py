"""``newsarchive schedule add|list|remove|pause|resume|run``: recurring crawls in the archive."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable

from cli.crawl import parse_arguments
from operations.archive_session import archive_session
from operations.crawl import CrawlFailed, check_spider_arguments
from operations.schedules import (
    ScheduleError,
    add_schedule,
    describe,
    list_schedules,
    remove_schedule,
    run_now,
    set_paused,
)


def _add(args: argparse.Namespace) -> str:
    arguments = parse_arguments(args.argument)
    check_spider_arguments(args.spider, arguments)  # a typo stored now would fail at every run
    with archive_session(args.db) as session:
        schedule = add_schedule(session, args.name, args.spider, arguments, every=args.every, cron=args.cron)
        row = describe(schedule)
    return f"added schedule {row['name']}: {row['spider']} {row['arguments']} {row['when']}, next run {row['next_run']}"


def _list(args: argparse.Namespace) -> str:
    with archive_session(args.db) as session:
        rows = [describe(s) for s in list_schedules(session)]
    if not rows:
        return "no schedules: add one with `newsarchive schedule add NAME SPIDER -a k=v --every 1d`"
    header = f"{'NAME':<20} {'STATE':<7} {'WHEN':<22} {'NEXT RUN':<26} SPIDER ARGUMENTS"
    return "\n".join([header] + [
        f"{r['name']:<20} {r['state']:<7} {r['when']:<22} {r['next_run']:<26} {r['spider']} {r['arguments']}"
        for r in rows
    ])


def _remove(args: argparse.Namespace) -> str:
    with archive_session(args.db) as session:
        remove_schedule(session, args.name)
    return f"removed schedule {args.name} (its past jobs stay in `newsarchive jobs`)"


def _pause(args: argparse.Namespace) -> str:
    with archive_session(args.db) as session:
        set_paused(session, args.name, True)
    return f"paused schedule {args.name}"


def _resume(args: argparse.Namespace) -> str:
    with archive_session(args.db) as session:
        row = describe(set_paused(session, args.name, False))
    return f"resumed schedule {args.name}; next run {row['next_run']}"


def _run_now(args: argparse.Namespace) -> str:
    with archive_session(args.db) as session:
        schedule = run_now(session, args.name)
        paused = schedule.paused
    return f"schedule {args.name} is due now: the scheduler starts it on its next tick" + (
        " once it is resumed (it is paused)" if paused else "")


def _run(action: Callable[[argparse.Namespace], str]) -> Callable[[argparse.Namespace], int]:
    """Wrap an action: print its message, or the error and exit status 2 (nothing written)."""

    def command(args: argparse.Namespace) -> int:
        try:
            print(action(args))
        except (ScheduleError, CrawlFailed) as exc:
            print(f"newsarchive schedule: {exc}", file=sys.stderr)
            return 2
        return 0

    return command


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("schedule", help="manage recurring crawls")
    commands = parser.add_subparsers(dest="schedule_command", metavar="SUBCOMMAND", required=True)
    add = commands.add_parser("add", help="add a recurring crawl")
    add.add_argument("name", help="schedule name, e.g. js-daily")
    add.add_argument("spider", help="spider name (newsarchive crawl --list)")
    add.add_argument("-a", dest="argument", action="append", default=[], metavar="NAME=VALUE",
                     help="spider argument, e.g. -a channel=js")
    when = add.add_mutually_exclusive_group(required=True)
    when.add_argument("--every", metavar="INTERVAL", help="fixed interval: 45s, 30m, 6h, 1d (first run at once)")
    when.add_argument("--cron", metavar="EXPR", help='cron expression in local time, e.g. "*/30 * * * *"')
    add.set_defaults(func=_run(_add))
    commands.add_parser("list", help="list schedules").set_defaults(func=_run(_list))
    for name, action, text in (("remove", _remove, "delete a schedule"), ("pause", _pause, "stop starting a schedule"),
                               ("resume", _resume, "start a paused schedule again"),
                               ("run", _run_now, "make a schedule due now (the scheduler starts it)")):
        command = commands.add_parser(name, help=text)
        command.add_argument("name")
        command.set_defaults(func=_run(action))
