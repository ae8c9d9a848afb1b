"""A small archive for the web tests, stored through the real store path: the search
sample (four articles, both scripts, several sites and people), a second version of one
article, its raw page, and a hostile archived page that tries to run script and to
fetch from an "external" server."""

from __future__ import annotations

import hashlib
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from models.schema import Article, Capture
from models.store import store_batch
from pipelines.normalise import normalise
from tests.archive_items import make_article, make_capture
from tests.archive_search_items import NANTONG, sample_archive, sample_articles
from tests.db_fixtures import _fresh_schema

#: Text only the second version of the Nantong article has.
CHANGED = "全市新增高新技术企业四百家，带动就业明显增加。"
HOSTILE_URL = "https://js.people.com.cn/n2/2024/0111/c1-9.html"
#: The operator password of the test servers.
PASSWORD = "correct horse battery staple"


@dataclass(frozen=True)
class WebArchive:
    url: str
    nantong_id: int
    hostile_id: int
    page_capture_id: int
    hostile_capture_id: int


def article_page(title: str, body: str) -> bytes:
    """A plain article page in GBK, as the sites serve them."""
    paragraphs = "".join(f"<p>{p}</p>" for p in body.split("\n"))
    return (f'<html><head><meta charset="gbk"><title>{title}</title></head>'
            f"<body><h1>{title}</h1>{paragraphs}<a href=\"{NANTONG}\">本文链接</a></body></html>").encode("gbk")


def hostile_page(external: str) -> bytes:
    """A page that would run script, redirect, and load from ``external`` if it were let."""
    return f"""<!DOCTYPE html><html><head><meta charset="utf-8">
<meta http-equiv="refresh" content="0;url={external}/refresh">
<script>document.title = "SCRIPT RAN"; new Image().src = "{external}/script";</script>
<link rel="stylesheet" href="{external}/style.css"><link rel="prefetch" href="{external}/prefetch">
<base href="{external}/">
</head><body onload="fetch('{external}/onload')">
<h1 id="archived-headline">南通企业赴港上市</h1>
<img src="{external}/image.png" alt="external"><img srcset="{external}/srcset.png 2x">
<div style="background-image: url({external}/background.png)">背景</div>
<iframe src="{external}/frame"></iframe><object data="{external}/object"></object>
<a id="archived-link" href="{NANTONG}">已存档的页面</a>
<a id="live-link" href="{external}/live">外部链接</a>
<a id="js-link" href="javascript:alert(1)">脚本链接</a>
<form action="{external}/form" method="post"><button>提交</button></form>
</body></html>""".encode()


def build_web_archive(url: str, external: str = "http://127.0.0.2:9") -> WebArchive:
    """Store the sample, a changed Nantong text (version 2) with its raw page, and the hostile page."""
    sessions = sample_archive(url)
    nantong = next(item for item in sample_articles() if item.canonical_url == NANTONG)
    page = article_page(nantong.title or "", nantong.body + "\n" + CHANGED)
    changed = make_article(NANTONG, **{**_fields(nantong), "body": nantong.body + "\n" + CHANGED,
                                       "fetched_at": "2024-03-02T10:00:00+00:00",
                                       "page_digests": [hashlib.sha256(page).hexdigest()]})
    hostile = hostile_page(external)
    hostile_item = make_article(HOSTILE_URL, title="南通企业赴港上市", body="多家南通企业赴港上市，两地合作更加紧密，市场信心回升，投资者关注增加。",
                                published_at="2024-01-11T09:00:00+08:00", encoding="utf-8",
                                page_digests=[hashlib.sha256(hostile).hexdigest()])
    with sessions.begin() as session:
        outcomes = store_batch(session, [normalise(changed), normalise(hostile_item)],
                               [make_capture(NANTONG, page, "2024-03-02T10:00:00+00:00"),
                                make_capture(HOSTILE_URL, hostile)]).outcomes
    nantong_id, hostile_id = (outcome.article_id for outcome in outcomes)
    with sessions() as session:
        captures = dict(session.execute(select(Capture.url, Capture.id)).all())
        assert session.get_one(Article, nantong_id).current_version == 2
    sessions.kw["bind"].dispose()
    return WebArchive(url, nantong_id, hostile_id, captures[NANTONG], captures[HOSTILE_URL])


def _fields(item: object) -> dict[str, object]:
    names = ("title", "published_at", "source", "authors", "editors", "site")
    return {name: getattr(item, name) for name in names}


class _Counter(BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802 - http.server's name
        self.server.hits.append(self.path)  # type: ignore[attr-defined]
        self.send_response(200)
        self.send_header("Content-Type", "image/png")
        self.end_headers()

    do_POST = do_GET

    def log_message(self, *args: object) -> None:
        pass


@contextmanager
def external_server() -> Iterator[tuple[str, list[str]]]:
    """A stand-in for the live web on 127.0.0.2 (any port): its base URL and the paths requested."""
    server = ThreadingHTTPServer(("127.0.0.2", 0), _Counter)
    server.hits = []  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.2:{server.server_address[1]}", server.hits  # type: ignore[attr-defined]
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def archive(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> WebArchive:
    """The web archive on SQLite and on PostgreSQL, built once per test module."""
    if request.param == "sqlite":
        return build_web_archive(f"sqlite:///{tmp_path_factory.mktemp('web') / 'archive.db'}")
    return build_web_archive(_fresh_schema(request.getfixturevalue("postgres_database_url")))


def csrf(html: str) -> str:
    """The CSRF token of the first form on a page."""
    return re.findall(r'name="csrf" value="([^"]+)"', html)[0]


def login(client: TestClient) -> str:
    """Log in as operator through the form; the session's CSRF token."""
    token = csrf(client.get("/login").text)
    response = client.post("/login", data={"password": PASSWORD, "csrf": token}, follow_redirects=False)
    assert response.status_code == 303
    return csrf(client.get("/ops").text)
