"""``newsarchive db``: create, update and inspect the archive database schema."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable

from cli import exits
from models.engine import check_writable, database_url, require_existing
from models.errors import ArchiveUnavailable, display_url
from models.migrate import current_revisions, downgrade, head_revisions, upgrade


def register(subparsers: argparse._SubParsersAction) -> None:
    db = subparsers.add_parser("db", help="create or update the archive database schema")
    actions = db.add_subparsers(dest="db_action", metavar="ACTION", required=True)

    up = actions.add_parser("upgrade", help="apply migrations up to REV (default: the newest)")
    up.add_argument("revision", nargs="?", default="head", metavar="REV")
    up.set_defaults(func=_upgrade)

    down = actions.add_parser("downgrade", help="undo migrations down to REV ('base' drops every table)")
    down.add_argument("revision", metavar="REV")
    down.set_defaults(func=_downgrade)

    current = actions.add_parser("current", help="show the migration the database is at")
    current.set_defaults(func=_current)


def _upgrade(args: argparse.Namespace) -> int:
    return _run(args, lambda url: upgrade(url, args.revision), needs_write=True)


def _downgrade(args: argparse.Namespace) -> int:
    return _run(args, lambda url: downgrade(url, args.revision), needs_write=True)


def _current(args: argparse.Namespace) -> int:
    def show(url: str) -> None:
        heads = set(head_revisions())
        revisions = current_revisions(url)
        if not revisions:
            print(f"{display_url(url)}: no tables yet; run `newsarchive db upgrade`")
        for revision in revisions:
            print(f"{revision}{' (head)' if revision in heads else ' (run `newsarchive db upgrade`)'}")

    return _run(args, lambda url: show(require_existing(url)), needs_write=False)


def _run(args: argparse.Namespace, action: Callable[[str], None], *, needs_write: bool) -> int:
    """Run ``action(url)``, turning an unusable database into one line on stderr and :data:`exits.UNUSABLE`."""
    url = database_url(args.db)
    try:
        if needs_write:
            check_writable(url)
        action(url)
    except ArchiveUnavailable as exc:
        print(f"newsarchive db: {exc}", file=sys.stderr)
        return exits.UNUSABLE
    return 0
