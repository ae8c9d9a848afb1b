"""``newsarchive show ID_OR_URL [--json] [--diff V1 V2]``: one article, its URLs, versions and copies."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from sqlalchemy.exc import SQLAlchemyError

from archive.show import article_view, find_article, version_diff
from models.engine import database_url, make_engine, session_factory
from models.errors import unavailable


def command(args: argparse.Namespace) -> int:
    url = database_url(args.db)
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
        return 2
    finally:
        engine.dispose()
    if args.json:
        print(json.dumps({**view, "diff": diff} if diff is not None else view, ensure_ascii=False, indent=2))
    else:
        print("\n".join(_lines(view) + (["", *diff] if diff is not None else [])))
    return 0


def _lines(view: dict[str, Any]) -> list[str]:
    lines = [
        f"article {view['id']}  {view['title']}",
        f"  site {view['site']}   published {view['published_at']}   script {view['script']}",
        f"  seen {view['first_seen']} … {view['last_seen']}   current version {view['current_version']}",
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
    parser = sub.add_parser("show", help="show an article with its URLs, versions and near-duplicates")
    parser.add_argument("article", metavar="ID_OR_URL", help="article id, or any URL the article was seen under")
    parser.add_argument("--json", action="store_true", help="print the article as JSON")
    parser.add_argument(
        "--diff", nargs=2, type=int, metavar=("V1", "V2"), help="also show what changed from version V1 to V2"
    )
    parser.set_defaults(func=command)
