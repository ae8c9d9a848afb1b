"""A hostile local site for security tests: pages that try to make the crawler leave its site.

``hostile_pages`` takes a real multi-page article page of the replica and points its
pager at another host and at a local file; around it sit redirects to another host, to
``https`` on another host, to ``file:`` and ``data:`` URLs, and meta refreshes to a file
and to another host. The "other host" is a second server on this machine listening on
127.0.0.2 (``localhost`` would be the same machine, and so the same site, as the hostile
site's 127.0.0.1), so tests can count every request it gets: it must get none.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

from crawler.replica.pages import ReplicaPage
from crawler.replica.site import ReplicaSite

#: Address of the "other host" (the hostile site is 127.0.0.1; ``localhost`` would be
#: the same machine, and so the same site).
OTHER_HOST = "127.0.0.2"
#: A local file the crawler must never read (its text must appear nowhere afterwards).
SECRET_TEXT = "db_password=hunter2-gate-probe\n机密：本地文件里的中文不得进入档案。\n"
SECRET_MARKERS = ("hunter2-gate-probe", "本地文件里的中文")
#: What the other host would serve: an article that must never be archived.
FORGED_TITLE = "伪造的文章标题：另一台主机"


@dataclass
class StaticSite:
    """Just what :class:`crawler.replica.server.ReplicaServer` serves: a path → page map."""

    pages: dict[str, ReplicaPage] = field(default_factory=dict)


def html(body: str, head: str = "") -> ReplicaPage:
    return ReplicaPage(200, "text/html; charset=utf-8",
                       f"<html><head><meta charset='utf-8'>{head}</head><body>{body}</body></html>".encode())


def redirect(status: int, location: str) -> ReplicaPage:
    return ReplicaPage(status, "text/html; charset=utf-8", b"moved", {"Location": location})


def other_host_site() -> StaticSite:
    page = html(f"<h1>{FORGED_TITLE}</h1>" + "<p>这是另一台主机上的页面，不应被抓取。</p>" * 20)
    return StaticSite({path: page for path in ("/stolen.html", "/stolen-tls.html", "/refreshed.html", "/page-2.html")})


def hostile_pages(replica: ReplicaSite, other: str, secret: Path) -> tuple[StaticSite, str]:
    """The hostile site and the path of its article whose pager points elsewhere.

    ``other`` is the other host's base URL (``http://localhost:PORT``)."""
    article = next(a for a in replica.canonical_articles if len(a.paths) >= 3)
    first = replica.pages[article.paths[0]]
    body = first.body
    stem = article.paths[0][:-5].encode()
    body = body.replace(b'href="' + article.paths[1].encode(), b'href="' + other.encode() + stem + b"-2.html")
    body = body.replace(b'href="' + article.paths[2].encode(), b'href="file://' + str(secret).encode())
    assert body != first.body and b"file://" in body
    secret_url = f"file://{secret}"
    site = StaticSite({
        article.paths[0]: ReplicaPage(200, first.content_type, body),
        "/go/other": redirect(302, f"{other}/stolen.html"),
        "/go/tls-other": redirect(301, other.replace("http://", "https://") + "/stolen-tls.html"),
        "/go/file": redirect(302, secret_url),
        "/go/data": redirect(302, "data:text/html;charset=utf-8," + quote(f"<h1>{FORGED_TITLE}</h1>")),
        "/refresh-file.html": html("<p>refresh</p>", f'<meta http-equiv="refresh" content="0; url={secret_url}">'),
        "/refresh-other.html": html("<p>refresh</p>", f'<meta http-equiv="refresh" content="0; url={other}/refreshed.html">'),
    })
    links = [article.paths[0], *(p for p in site.pages if p != article.paths[0]), f"{other}/stolen.html"]
    site.pages["/index.html"] = html("".join(f'<a href="{link}">link {i}</a><br>' for i, link in enumerate(links)))
    return site, article.paths[0]


def page_number_links(body: bytes) -> list[str]:
    """The hrefs of the article pager (``div.zdfy``), to check what the page offered."""
    pager = re.search(rb'<div class="zdfy clearfix">(.*?)</div>', body, re.S)
    return [href.decode("latin-1") for href in re.findall(rb'href="([^"]+)"', pager.group(1))] if pager else []
