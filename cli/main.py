"""The ``newsarchive`` command: one thin module per command group.

Each module in :data:`COMMAND_MODULES` exposes ``register(subparsers)`` which adds its
sub-commands and sets ``func`` (``func(args) -> int``) on them. This module only wires
them together, so adding a command group never touches the others.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import os
import sys
from importlib.metadata import PackageNotFoundError, version

from cli import exits
from models.errors import ArchiveUnavailable

#: Command-group modules under ``cli``, in the order ``--help`` lists them.
COMMAND_MODULES = (
    "demo",
    "crawl",
    "seed",
    "db",
    "replica",
    "stats",
    "parse",
    "eval",
    "show",
    "reparse",
    "search",
    "export",
    "index",
    "captures",
    "schedule",
    "scheduler",
    "jobs",
    "serve",
)


DB_HELP = "archive database URL (default: $NEWSARCHIVE_DATABASE_URL or sqlite:///data/archive.db)"
VERBOSE_HELP = "show debug logging (and Scrapy's own log and stats for crawls)"


def package_version() -> str:
    try:
        return version("newsarchive")
    except PackageNotFoundError:  # run from a checkout that was never installed
        return "unknown (not installed)"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="newsarchive",
        description="Crawl and archive Chinese provincial news sites.",
        epilog="Exit status: 0 done, 1 ran with a bad result (a crawl that lost pages or failed a health "
               "check, nothing found), 2 could not start (wrong arguments, unusable archive database), "
               "130 interrupted.",
    )
    parser.add_argument("--db", metavar="URL", help=DB_HELP)
    parser.add_argument("-v", "--verbose", action="store_true", help=VERBOSE_HELP)
    parser.add_argument("--version", action="version", version=f"newsarchive {package_version()}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        importlib.import_module(f"cli.{name}").register(sub)
    _accept_global_options_anywhere(parser)
    return parser


def _accept_global_options_anywhere(parser: argparse.ArgumentParser) -> None:
    """Let ``--db`` and ``-v`` follow the subcommand too (``newsarchive search X --db URL``).

    Each command's parser gets the options with a suppressed default, so a value given
    before the subcommand is kept unless one is given after it."""
    for action in parser._actions:
        if not isinstance(action, argparse._SubParsersAction):
            continue
        for command in dict.fromkeys(action.choices.values()):
            known = {option for a in command._actions for option in a.option_strings}
            if "--db" not in known:
                command.add_argument("--db", metavar="URL", default=argparse.SUPPRESS, help=DB_HELP)
            if "--verbose" not in known and "-v" not in known:
                command.add_argument("-v", "--verbose", action="store_true", default=argparse.SUPPRESS,
                                     help=VERBOSE_HELP)
            _accept_global_options_anywhere(command)


def main(argv: list[str] | None = None) -> int:
    """Run a command; its status is one of :mod:`cli.exits`. No traceback reaches the
    terminal for an unusable archive, a closed pipe (``| head``) or Ctrl-C."""
    try:
        return _main(argv)
    except KeyboardInterrupt:
        print("\nnewsarchive: interrupted", file=sys.stderr)
        return exits.INTERRUPTED
    except BrokenPipeError:
        _silence_stdout()
        return exits.OK  # the reader stopped reading, as `| head` means to


def _silence_stdout() -> None:
    """Point stdout at /dev/null so the interpreter's final flush cannot fail again
    (the Python documentation's advice for SIGPIPE)."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())


def _main(argv: list[str] | None) -> int:
    os.environ.setdefault("SCRAPY_SETTINGS_MODULE", "crawler.settings")
    parser = build_parser()
    args = parser.parse_args(argv)
    handler = logging.StreamHandler()
    handler.setLevel(logging.DEBUG if args.verbose else logging.INFO)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.INFO, handlers=[handler])
    if not args.verbose:  # every command migrates first; its step-by-step lines are for -v
        logging.getLogger("alembic").setLevel(logging.WARNING)
    if not getattr(args, "func", None):
        parser.print_help()
        return exits.UNUSABLE
    try:
        status = int(args.func(args) or 0)
        sys.stdout.flush()  # a closed pipe shows here, inside the handler, not at exit
        return status
    except ArchiveUnavailable as exc:
        print(f"newsarchive {args.command}: {exc}", file=sys.stderr)
        return exits.UNUSABLE


if __name__ == "__main__":
    sys.exit(main())
