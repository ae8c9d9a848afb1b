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


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="newsarchive",
        description="Crawl and archive Chinese provincial news sites.",
    )
    parser.add_argument(
        "--db",
        metavar="URL",
        help="archive database URL (default: $NEWSARCHIVE_DATABASE_URL or sqlite:///data/archive.db)",
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="show debug logging")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        importlib.import_module(f"cli.{name}").register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
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
        return 2
    return int(args.func(args) or 0)


if __name__ == "__main__":
    sys.exit(main())
