"""``newsarchive search``: find articles by words (Chinese, either script), dates, sites,
sources and people. The filter options are shared with ``newsarchive export``."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from datetime import date
from typing import TypeVar

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from archive.filters import SCRIPTS, Filters, parse_day
from archive.query import QueryError, parse_query
from archive.search import DEFAULT_LIMIT, SORTS, Hit, SearchPage, search_page
from archive.snippet import mark
from archive.times import shown_day, shown_time
from cli import exits
from models.engine import database_url, make_engine, require_existing, session_factory
from models.errors import unavailable

T = TypeVar("T")
#: Terminal highlight: bold red; piped output gets plain markers instead.
_ANSI = ("\033[1;31m", "\033[0m")
_PLAIN = ("«", "»")


def add_filter_arguments(parser: argparse.ArgumentParser) -> None:
    """The selection options ``search`` and ``export`` share."""
    parser.add_argument("--site", help="site name (people.com.cn) or host (js.people.com.cn)")
    parser.add_argument("--since", type=_day, metavar="YYYY-MM-DD", help="published on or after this day")
    parser.add_argument("--until", type=_day, metavar="YYYY-MM-DD", help="published on or before this day")
    parser.add_argument("--source", help="source (来源) containing this text")
    parser.add_argument("--author", help="credited author, exact name in either script")
    parser.add_argument("--editor", help="credited editor, exact name in either script")
    parser.add_argument("--script", choices=SCRIPTS,
                        help="only articles published in this script (their text or a mirror of it)")


def filters_from_args(args: argparse.Namespace, query: str) -> Filters:
    """Raises :class:`archive.query.QueryError` for an unusable query."""
    return Filters(
        site=args.site,
        since=args.since,
        until=args.until,
        source=args.source,
        author=args.author,
        editor=args.editor,
        script=args.script,
        query=parse_query(query),
    )


def with_archive(command: str, args: argparse.Namespace, work: Callable[[sessionmaker[Session]], T]) -> T | None:
    """Run ``work`` with sessions on the existing archive; a database problem becomes one
    line on stderr and ``None`` (an archive that does not exist raises ArchiveUnavailable)."""
    url = require_existing(database_url(args.db))
    engine = make_engine(url)
    try:
        return work(session_factory(engine))
    except SQLAlchemyError as exc:
        print(f"newsarchive {command}: {unavailable(url, exc)} (or run `newsarchive db upgrade`)", file=sys.stderr)
        return None
    finally:
        engine.dispose()


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "search",
        help="find articles by words, dates, sites, sources and people",
        description=(
            'Terms must all match; a OR b matches either; "quoted words" are a phrase, -term excludes. '
            "Traditional and Simplified match each other. With no QUERY, filtered articles are listed "
            "newest first. The output ends with the total: showing 21–40 of 95."
        ),
    )
    parser.add_argument("query", nargs="?", default="", metavar="QUERY")
    add_filter_arguments(parser)
    parser.add_argument("--limit", type=_positive, default=DEFAULT_LIMIT,
                        help=f"hits per page (default {DEFAULT_LIMIT})")
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--page", type=_positive, metavar="N", help="show page N of the hits (1 is the first)")
    where.add_argument("--offset", type=_count, metavar="N", help="skip the first N hits")
    parser.add_argument("--sort", choices=SORTS, default="relevance",
                        help="relevance (title hits first, then newest; the default), newest or oldest")
    parser.add_argument("--json", action="store_true",
                        help="print one JSON object per hit, each with its position and the total")
    parser.set_defaults(func=command)


def command(args: argparse.Namespace) -> int:
    try:
        filters = filters_from_args(args, args.query)
    except QueryError as exc:
        print(f"newsarchive search: {exc}", file=sys.stderr)
        return exits.UNUSABLE
    offset = args.offset if args.offset is not None else ((args.page or 1) - 1) * args.limit
    found = with_archive("search", args, lambda sessions: _search(sessions, filters, args.limit, offset, args.sort))
    if found is None:
        return exits.UNUSABLE
    for position, hit in enumerate(found.hits, start=found.first):
        print(_json(hit, position, found.total) if args.json else _text(hit, _ANSI if sys.stdout.isatty() else _PLAIN))
    if not args.json:
        print(_footer(found) if found.total else "no matching articles",
              file=sys.stdout if found.total else sys.stderr)
    return 0


def _search(sessions: sessionmaker[Session], filters: Filters, limit: int, offset: int, sort: str) -> SearchPage:
    with sessions() as session:
        return search_page(session, filters, limit, offset, sort)


def _footer(found: SearchPage) -> str:
    """``showing 21–40 of 95`` and how to see more."""
    if not found.hits:
        return f"no hits from {found.offset + 1} on: there are {found.total} (try --page 1)"
    if not found.more:
        return f"showing {found.first}–{found.last} of {found.total}"
    on_a_page = found.offset % found.limit == 0
    more = f"--page {found.offset // found.limit + 2}" if on_a_page else f"--offset {found.last}"
    return f"showing {found.first}–{found.last} of {found.total} ({more} for more)"


def _json(hit: Hit, position: int, total: int) -> str:
    return json.dumps(
        {
            "position": position,
            "total": total,
            "id": hit.article_id,
            "title": hit.title,
            "published_at": shown_time(hit.published_at, hit.published_precision),
            "site": hit.site,
            "url": hit.url,
            "snippet": hit.snippet,
            "highlights": hit.highlights,
        },
        ensure_ascii=False,
    )


def _text(hit: Hit, markers: tuple[str, str]) -> str:
    day = shown_day(hit.published_at)
    return f"{day}  {hit.title or '(no title)'}  [{hit.site}]\n    {hit.url}\n    {mark(hit.snippet, hit.highlights, *markers)}\n"


def _day(value: str) -> date:
    try:
        return parse_day(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _count(value: str) -> int:
    if not value.isdigit():
        raise argparse.ArgumentTypeError(f"invalid count {value[:40]!r}: give a whole number, 0 or more")
    return int(value)


def _positive(value: str) -> int:
    if not value.isdigit() or int(value) < 1:
        raise argparse.ArgumentTypeError(f"invalid count {value[:40]!r}: give a whole number of at least 1")
    return int(value)
