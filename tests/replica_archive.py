"""Put replica pages into an archive as the crawl would, without a crawl (for reparse and WARC tests).

Captures are the replica's bytes and headers; articles are what the parser reads from
them (first page, then merged with the others), optionally "damaged" to stand for what
an older, buggier parser stored.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable

from sqlalchemy.orm import Session

from crawler.items import Article, Capture
from crawler.replica.site import ExpectedArticle, ReplicaSite
from crawler.sites.pagination import merge_pages
from crawler.sites.registry import extract
from models.store import store_batch
from pipelines.normalise import normalise

BASE_URL = "http://127.0.0.1:8800"


def replica_capture(site: ReplicaSite, path: str, fetched_at: str = "2024-03-01T10:00:00+00:00") -> Capture:
    """The capture a crawl would make of ``path`` (served status, Content-Type and bytes)."""
    page = site.pages[path]
    return Capture(
        url=BASE_URL + path,
        fetched_at=fetched_at,
        status=page.status,
        headers=[["Content-Type", page.content_type], *([k, v] for k, v in page.headers.items())],
        body=page.body,
        digest=hashlib.sha256(page.body).hexdigest(),
        request_headers=[["User-Agent", "newsarchive-test"]],
    )


def parsed(site: ReplicaSite, truth: ExpectedArticle) -> Article:
    """The article as today's parser reads all its pages (what reparse should arrive at)."""
    pages = []
    for path in truth.paths:
        capture = replica_capture(site, path)
        charset = site.pages[path].content_type.partition("charset=")[2] or None
        page = extract(capture.url, capture.body, declared_encoding=charset,
                       fetched_at=capture.fetched_at, site_hint=truth.template)
        assert isinstance(page, Article), path
        pages.append(page)
    return normalise(merge_pages(pages))


def archive_articles(session: Session, site: ReplicaSite, truths: list[ExpectedArticle],
                     damage: Callable[[Article], None] = lambda article: None) -> None:
    """Store every page of ``truths`` as captures and each article as parsed, then ``damage``d."""
    items = [parsed(site, truth) for truth in truths]
    for item in items:
        damage(item)
    store_batch(session, items, [replica_capture(site, path) for truth in truths for path in truth.paths])
