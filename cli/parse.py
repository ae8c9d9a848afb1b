"""``newsarchive parse``: show what the extractor reads from one page.

For checking a page or a new site template by eye: the file is decoded exactly as
the crawler would (same :func:`crawler.sites.registry.extract`), and the result is
printed with the schema's field names.
"""

from __future__ import annotations

import argparse
import json
import sys
import urllib.request
from pathlib import Path

from crawler.items import NotArticle
from crawler.sites.registry import TEMPLATES_BY_NAME, extract

#: Identify ourselves honestly when a user asks to fetch a live page.
USER_AGENT = "newsarchive-parse/0.1 (+https://github.com/newsarchive)"
FETCH_TIMEOUT = 30


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "parse",
        help="extract one page (file or URL) and print the article as JSON",
        description="Extract one page and print the Article as JSON (exit code 1 if it is not an article).",
    )
    parser.add_argument("target", metavar="FILE_OR_URL", help="a saved HTML file, or an http(s) URL to fetch")
    parser.add_argument("--url", help="the page's URL when TARGET is a file (tells which site it came from)")
    parser.add_argument(
        "--template",
        choices=sorted(TEMPLATES_BY_NAME),
        help="site template to use instead of choosing by host",
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    try:
        url, body, declared = _load(args.target, args.url)
    except (OSError, ValueError) as exc:
        print(f"newsarchive parse: cannot read {args.target}: {exc}", file=sys.stderr)
        return 2
    result = extract(url, body, declared_encoding=declared, site_hint=args.template)
    if isinstance(result, NotArticle):
        print(json.dumps({"not_article": result.reason, "url": result.url}, ensure_ascii=False, indent=2))
        return 1
    print(json.dumps(result.to_dict(), ensure_ascii=False, indent=2))
    return 0


def _load(target: str, url: str | None) -> tuple[str, bytes, str | None]:
    """(page URL, body bytes, HTTP charset) for a file path or an http(s) URL."""
    if target.startswith(("http://", "https://")):
        request = urllib.request.Request(target, headers={"User-Agent": USER_AGENT})
        with urllib.request.urlopen(request, timeout=FETCH_TIMEOUT) as response:  # noqa: S310 - user-given URL
            return response.geturl(), response.read(), response.headers.get_content_charset()
    path = Path(target)
    return url or path.resolve().as_uri(), path.read_bytes(), None
