"""Bounded memory: an oversized page is archived cut short with a problem, a decompression bomb is refused."""

from __future__ import annotations

import gzip
import zlib
from collections.abc import Iterator

import brotli
import pytest
import zstandard
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from crawler.replica.pages import ReplicaPage
from crawler.replica.server import ReplicaServer
from crawler.replica.site import ReplicaSite
from models.schema import Article, ArticleUrl, Capture
from tests.conftest import run_cli

#: Limits the crawl runs with: small, so the test pages stay small.
PAGE_MAXSIZE = 200_000
DOWNLOAD_MAXSIZE = 1_000_000
#: What each bomb decompresses to: far past DOWNLOAD_MAXSIZE, a few KB on the wire.
BOMB_SIZE = 40_000_000
HTML = "text/html; charset=utf-8"
BOMBS = {
    "/bomb-gzip.html": ("gzip", lambda data: gzip.compress(data, 9)),
    "/bomb-deflate.html": ("deflate", lambda data: zlib.compress(data, 9)),
    "/bomb-br.html": ("br", lambda data: brotli.compress(data, quality=5)),
}


def article_html(title: str, paragraphs: int, tail: str = "") -> bytes:
    """A plain news article page the generic extractor reads; ``tail`` goes after the article text."""
    text = "".join(f"<p>{title}的第{n}段正文，记者在现场看到，工作人员正在忙碌地准备，群众纷纷表示满意。</p>"
                   for n in range(paragraphs))
    return (
        f"<html><head><title>{title}</title></head><body><h1>{title}</h1>"
        f"<div class='date'>2024-05-10 08:00 来源：测试日报</div><div id='content'>{text}</div>{tail}"
        "</body></html>"
    ).encode()


@pytest.fixture
def hostile_server() -> Iterator[ReplicaServer]:
    """A list page linking to one normal article, one 600 KB article and three bombs."""
    site = ReplicaSite(seed=0, channel_node="limits", variant="hostile")
    links = ["/ok.html", "/big.html", *BOMBS]
    site.pages["/"] = ReplicaPage(200, HTML, "".join(f"<a href='{link}'>{link}</a>" for link in links).encode())
    site.pages["/robots.txt"] = ReplicaPage(200, "text/plain", b"")
    site.pages["/ok.html"] = ReplicaPage(200, HTML, article_html("正常的新闻", 12))
    filler = "<div class='comment'>" + "网友评论，" * 20 + "</div>"
    site.pages["/big.html"] = ReplicaPage(200, HTML, article_html("很大的新闻页面", 12, filler * 2_000))
    bomb = b"<html><body>" + b" " * BOMB_SIZE
    for path, (coding, compress) in BOMBS.items():
        site.pages[path] = ReplicaPage(200, HTML, compress(bomb), {"Content-Encoding": coding})
    with ReplicaServer(site) as server:
        yield server


def test_an_oversized_page_is_kept_truncated_with_a_problem_and_bombs_are_refused(
    db_url: str, hostile_server: ReplicaServer
) -> None:
    base = hostile_server.base_url
    assert len(hostile_server.site.pages["/big.html"].body) > 2 * PAGE_MAXSIZE
    result = run_cli(
        "--db", db_url, "crawl", "generic", "-a", f"start_url={base}/", "-a", "depth=1",
        "-s", f"NEWSARCHIVE_PAGE_MAXSIZE={PAGE_MAXSIZE}", "-s", f"DOWNLOAD_MAXSIZE={DOWNLOAD_MAXSIZE}",
    )
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-3000:]
    assert all(hostile_server.hits[path] == 1 for path in BOMBS)
    assert "refused 3" in result.stdout  # the crawl's summary names the refused bodies
    engine = create_engine(db_url)
    with Session(engine) as session:
        captures = {url.removeprefix(base): (size, body) for url, size, body in session.execute(
            select(Capture.url, Capture.size, Capture.body))}
        articles = {url.removeprefix(base): problems for url, problems in session.execute(
            select(ArticleUrl.url, Article.problems).join(Article, Article.id == ArticleUrl.article_id))}
    engine.dispose()
    # the oversized page: its capture holds exactly the first PAGE_MAXSIZE bytes, its article says so
    size, body = captures["/big.html"]
    assert size == PAGE_MAXSIZE
    assert zstandard.ZstdDecompressor().decompress(body) == hostile_server.site.pages["/big.html"].body[:PAGE_MAXSIZE]
    assert [p["kind"] for p in articles["/big.html"] if p["kind"] == "oversized"] == ["oversized"]
    # the bombs: refused, nothing stored; the rest of the crawl went on
    assert not set(BOMBS) & (set(captures) | set(articles))
    assert "/ok.html" in articles and not any(p["kind"] == "oversized" for p in articles["/ok.html"])
    assert captures["/ok.html"][0] == len(hostile_server.site.pages["/ok.html"].body)
