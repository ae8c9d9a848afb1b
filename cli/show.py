"""``newsarchive show ID_OR_URL [--json] [--simplified] [--diff V1 V2]``: the whole article
(headline, dateline, source, people, body as published), its URLs, versions and copies."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from sqlalchemy.exc import SQLAlchemyError

from archive.show import article_view, find_article, version_diff
from cli import exits
from models.engine import database_url, make_engine, require_existing, session_factory
from models.errors import unavailable


def command(args: argparse.Namespace) -> int:
    url = require_existing(database_url(args.db))
    engine = make_engine(url)
    try:
        with session_factory(engine)() as session:
            article = find_article(session, args.article)
            if article is None:
                print(
                    f"newsarchive show: no article {args.article!r} in {url}: give an article id or any URL "
                    "it was seen under (newsarchive search finds ids)",
                    file=sys.stderr,
                )
                return 1
            view = article_view(session, article)
            diff = version_diff(session, article.id, *args.diff) if args.diff else None
    except LookupError as exc:
        print(f"newsarchive show: {exc.args[0]}", file=sys.stderr)
        return 1
    except SQLAlchemyError as exc:
        print(f"newsarchive show: {unavailable(url, exc)}", file=sys.stderr)
        return exits.UNUSABLE
    finally:
        engine.dispose()
    if args.json:
        print(json.dumps({**view, "diff": diff} if diff is not None else view, ensure_ascii=False, indent=2))
    else:
        print("\n".join(_article(view, args.simplified) + _lines(view) + (["", *diff] if diff is not None else [])))
    return 0


def _article(view: dict[str, Any], simplified: bool) -> list[str]:
    """The article as the page printed it (or its Simplified twin): headline block, dateline
    and credits, then the body a paragraph per line."""
    title = view["title_simplified"] if simplified else view["title"]
    body = view["body_simplified"] if simplified else view["body"]
    dateline = view["published_at"] or "no dateline"
    if view["published_at_raw"]:
        dateline += f"  (printed: {view['published_at_raw']})"
    credits = [f"{label} {value}" for label, value in (
        ("source", view["source"]),
        ("authors", "、".join(view["authors"])),
        ("editors", "、".join(view["editors"])),
        ("original title", view["original_title"]),
        ("printed page", view["printed_page"]),
    ) if value]
    return [
        f"article {view['id']}  [{view['site']}]  {view['script']}{'  shown in zh-Hans' if simplified else ''}",
        *([f"  {view['pretitle']}"] if view["pretitle"] else []),
        f"  {title or '(no title)'}",
        *([f"  {view['subtitle']}"] if view["subtitle"] else []),
        f"  {dateline}",
        *(f"  {line}" for line in credits),
        *([f"  pages {view['pages']}"] if view["pages"] and view["pages"] > 1 else []),
        "",
        *(body.split("\n") if body else ["(no body)"]),
        "",
    ]


def _lines(view: dict[str, Any]) -> list[str]:
    lines = [
        f"seen {view['first_seen']} … {view['last_seen']}   current version {view['current_version']}",
        f"URLs ({len(view['urls'])})",
        *(f"  {url}{'  (canonical)' if url == view['canonical_url'] else ''}" for url in view["urls"]),
        f"versions ({len(view['versions'])})",
        *(
            f"  {'*' if v['number'] == view['current_version'] else ' '}{v['number']:>3}  {v['fetched_at']}  "
            f"{v['fingerprint'][:12]}  {v['body_chars']} chars  {v['title']}"
            for v in view["versions"]
        ),
    ]
    cluster = view["cluster"]
    if cluster is None:
        return [*lines, "near-duplicates: none known"]
    return [
        *lines,
        f"near-duplicate cluster {cluster['id']} ({len(cluster['members'])} articles)",
        *(
            f"  {'>' if m['article_id'] == view['id'] else ' '}{m['article_id']:>6}  {m['similarity']:.2f}  "
            f"{m['site']}  {m['canonical_url']}  {m['title']}"
            for m in cluster["members"]
        ),
    ]


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("show", help="show a whole article with its URLs, versions and near-duplicates")
    parser.add_argument("article", metavar="ID_OR_URL", help="article id, or any URL the article was seen under")
    parser.add_argument("--json", action="store_true", help="print the article as JSON")
    parser.add_argument("--simplified", action="store_true",
                        help="print the headline and body in Simplified script (the text search matches)")
    parser.add_argument(
        "--diff", nargs=2, type=int, metavar=("V1", "V2"),
        help="also show what changed from version V1 to V2 (both compared in Simplified script)"
    )
    parser.set_defaults(func=command)
