"""Peak memory of a crawl meeting hostile pages: four gzip bombs linked from one page, and a 50 MB page.

    .venv/bin/python -m bench.memory [--bomb-mb 1024] [--page-mb 50] [--scrapy-defaults]

A local server (127.0.0.1, free port) serves a start page linking to four gzip bombs
(each ``--bomb-mb`` MB of spaces, about 1 MB on the wire), a 50 MB article page and one
ordinary article. ``newsarchive crawl generic`` archives it into a fresh SQLite file in
a child process, whose peak RSS (``ru_maxrss`` from ``os.wait4``) is the figure; issue
14's target is < 400 MB. ``--scrapy-defaults`` lifts the project's limits (Scrapy's
1 GiB ``DOWNLOAD_MAXSIZE``, no page limit) to show what they save: with 1 GB bombs that
takes over 4 GB, so try it with ``--bomb-mb 256``.
"""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import subprocess
import sys
import tempfile
import zlib
from pathlib import Path
from typing import Any

from crawler.replica.pages import ReplicaPage
from crawler.replica.server import ReplicaServer
from crawler.replica.site import ReplicaSite

REPO = Path(__file__).resolve().parents[1]
TARGET_MB = 400
BOMBS = 4
HTML = "text/html; charset=utf-8"
#: Scrapy's own defaults, for ``--scrapy-defaults``.
SCRAPY_DEFAULTS = {"DOWNLOAD_MAXSIZE": str(1024**3), "DOWNLOAD_WARNSIZE": str(32 * 1024**2),
                   "NEWSARCHIVE_PAGE_MAXSIZE": "0"}


def gzip_bomb(megabytes: int) -> bytes:
    """An HTML page of ``megabytes`` MB of spaces, gzip-compressed at level 9 (about 1 KB per MB)."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, 31)
    chunk = b" " * 1024**2
    parts = [compressor.compress(b"<html><body>")]
    parts += [compressor.compress(chunk) for _ in range(megabytes)]
    return b"".join([*parts, compressor.flush()])


def article(title: str, megabytes: float = 0) -> bytes:
    """An article page; with ``megabytes``, padded with comment paragraphs to about that size."""
    paragraph = f"<p>{title}：记者在现场看到，工作人员正在忙碌地准备，群众纷纷表示满意。</p>"
    body = paragraph * 12
    padding = int(megabytes * 1024**2) // len(paragraph.encode())
    return (f"<html><head><title>{title}</title></head><body><h1>{title}</h1>"
            f"<div class='date'>2024-05-10 08:00 来源：测试日报</div><div id='content'>{body}</div>"
            f"<div class='comments'>{paragraph * padding}</div></body></html>").encode()


def hostile_site(bomb_mb: int, page_mb: float) -> ReplicaSite:
    site = ReplicaSite(seed=0, channel_node="memory", variant="hostile")
    bomb = gzip_bomb(bomb_mb)
    links = [*(f"/bomb{n}.html" for n in range(BOMBS)), "/big.html", "/ok.html"]
    site.pages["/"] = ReplicaPage(200, HTML, "".join(f"<a href='{link}'>{link}</a>" for link in links).encode())
    site.pages["/robots.txt"] = ReplicaPage(200, "text/plain", b"")
    for n in range(BOMBS):
        site.pages[f"/bomb{n}.html"] = ReplicaPage(200, HTML, bomb, {"Content-Encoding": "gzip"})
    site.pages["/big.html"] = ReplicaPage(200, HTML, article("很大的新闻页面", page_mb))
    site.pages["/ok.html"] = ReplicaPage(200, HTML, article("正常的新闻"))
    return site


def crawl(base_url: str, db: Path, settings: dict[str, str]) -> dict[str, Any]:
    """Crawl the site in a child process; its peak RSS, exit status and what the archive holds."""
    command = [sys.executable, "-m", "cli.main", "--db", f"sqlite:///{db}", "crawl", "generic",
               "-a", f"start_url={base_url}/", "-a", "depth=1",
               *(arg for name, value in settings.items() for arg in ("-s", f"{name}={value}"))]
    with tempfile.TemporaryFile() as out:
        child = subprocess.Popen(command, cwd=REPO, stdout=out, stderr=subprocess.STDOUT)
        _, status, usage = os.wait4(child.pid, 0)
        child.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        log = out.read().decode("utf-8", "replace")
    with sqlite3.connect(db) as conn:
        captures = dict(conn.execute("select url, size from capture").fetchall())
        articles = conn.execute("select count(*) from article").fetchone()[0]
    return {
        "peak_rss_mb": round(usage.ru_maxrss / 1024, 1),
        "exit_status": child.returncode,
        "articles": articles,
        "captured_bytes": {url.removeprefix(base_url): size for url, size in captures.items()},
        "summary": [line for line in log.splitlines() if "problems" in line or "articles new" in line],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.memory", description=__doc__.split("\n\n")[0])
    parser.add_argument("--bomb-mb", type=int, default=1024, help="what each bomb decompresses to, in MB (1024)")
    parser.add_argument("--page-mb", type=float, default=50, help="size of the large page in MB (50)")
    parser.add_argument("--scrapy-defaults", action="store_true", help="crawl without the project's size limits")
    args = parser.parse_args(argv)
    site = hostile_site(args.bomb_mb, args.page_mb)
    settings = SCRAPY_DEFAULTS if args.scrapy_defaults else {}
    with tempfile.TemporaryDirectory(prefix="newsarchive-bench-memory-") as work, ReplicaServer(site) as server:
        result = crawl(server.base_url, Path(work) / "archive.db", settings)
    result.update(bomb_mb=args.bomb_mb, page_mb=args.page_mb, limits="scrapy defaults" if settings else "project")
    print(json.dumps(result, indent=2, ensure_ascii=False))
    met = result["peak_rss_mb"] < TARGET_MB
    print(f"peak RSS {result['peak_rss_mb']} MB with {BOMBS} bombs of {args.bomb_mb} MB and a {args.page_mb:g} MB page "
          f"({result['limits']} limits): target < {TARGET_MB} MB {'met' if met else 'NOT met'}")
    return 0 if met or settings else 1


if __name__ == "__main__":
    sys.exit(main())
