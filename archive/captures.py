"""Raw captures as an archivist inspects them: the response's headers, its bytes decoded
as the archive read them, the articles it belongs to, and which URLs it links to are
archived too.

A page's bytes are decoded with the encoding recorded for the article version it
belongs to (what the parser settled on after weighing lying charset declarations);
a capture that belongs to no article is decoded as the crawl would have decoded it
(:func:`crawler.parsing.encoding.decode_html`, header charset first).
"""

from __future__ import annotations

import codecs
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from crawler.parsing.encoding import decode_html, normalise_charset
from models.capture_store import capture_body
from models.schema import Article, ArticleVersion, Capture, VersionCapture

#: Most URLs looked up at once when mapping a page's links to captures.
_LOOKUP_BATCH = 500


@dataclass(frozen=True, slots=True)
class CaptureView:
    """One capture with what belongs to it; ``articles`` are (id, title, version, page)."""

    id: int
    url: str
    fetched_at: datetime
    status: int
    headers: list[list[str]]
    request_method: str
    request_headers: list[list[str]]
    size: int
    digest: str
    revisit_of: int | None
    encoding: str | None
    articles: list[tuple[int, str | None, int, int]]


def capture_view(session: Session, capture_id: int) -> CaptureView | None:
    """The capture with its articles, or ``None`` when no capture has this id."""
    capture = session.get(Capture, capture_id)
    if capture is None:
        return None
    articles = [
        tuple(row)
        for row in session.execute(
            select(Article.id, Article.title, ArticleVersion.number, VersionCapture.page)
            .join(ArticleVersion, ArticleVersion.id == VersionCapture.version_id)
            .join(Article, Article.id == ArticleVersion.article_id)
            .where(VersionCapture.capture_id == _stored_id(capture))
            .order_by(Article.id, ArticleVersion.number, VersionCapture.page)
        )
    ]
    encoding = session.scalar(
        select(Article.encoding)
        .join(ArticleVersion, ArticleVersion.article_id == Article.id)
        .join(VersionCapture, VersionCapture.version_id == ArticleVersion.id)
        .where(VersionCapture.capture_id == _stored_id(capture), Article.encoding.is_not(None))
        .limit(1)
    )
    return CaptureView(
        id=capture.id, url=capture.url, fetched_at=capture.fetched_at, status=capture.status,
        headers=capture.headers, request_method=capture.request_method, request_headers=capture.request_headers,
        size=capture.size, digest=capture.digest, revisit_of=capture.revisit_of_id, encoding=encoding,
        articles=articles,  # type: ignore[arg-type]
    )


def capture_text(session: Session, view: CaptureView) -> tuple[str, str]:
    """The capture's body as text and the encoding used: the recorded one when the
    capture belongs to an article (and names a codec Python knows), else the crawl's
    own decision from the bytes and the Content-Type charset."""
    body = capture_body(session, view.id)
    recorded = _known_codec(view.encoding)
    if recorded is not None:
        return body.decode(recorded, errors="replace"), recorded
    decoded = decode_html(body, declared=_header_charset(view.headers))
    return decoded.text, decoded.encoding


def captures_of(session: Session, article_id: int) -> list[tuple[int, int, int, str, datetime]]:
    """(capture id, version, page, URL, fetched at) of every stored page of an article."""
    rows = session.execute(
        select(Capture.id, ArticleVersion.number, VersionCapture.page, Capture.url, Capture.fetched_at)
        .join(VersionCapture, VersionCapture.capture_id == Capture.id)
        .join(ArticleVersion, ArticleVersion.id == VersionCapture.version_id)
        .where(ArticleVersion.article_id == article_id)
        .order_by(ArticleVersion.number, VersionCapture.page)
    )
    return [tuple(row) for row in rows]  # type: ignore[misc]


def archived_urls(session: Session, urls: Iterable[str]) -> dict[str, int]:
    """For each URL that has a capture, the newest capture's id (links in a capture view
    lead there instead of to the live web)."""
    wanted = list(dict.fromkeys(urls))
    found: dict[str, int] = {}
    for start in range(0, len(wanted), _LOOKUP_BATCH):
        batch = wanted[start : start + _LOOKUP_BATCH]
        rows = session.execute(
            select(Capture.url, func.max(Capture.id)).where(Capture.url.in_(batch), Capture.status < 400).group_by(Capture.url)
        )
        found.update({url: capture_id for url, capture_id in rows})
    return found


def _stored_id(capture: Capture) -> int:
    """Version pages link to the capture holding the bytes, so a revisit is looked up by its original."""
    return capture.revisit_of_id or capture.id


def _header_charset(headers: list[list[str]]) -> str | None:
    for name, value in headers:
        if name.lower() == "content-type" and "charset=" in value.lower():
            return value.lower().split("charset=", 1)[1].split(";")[0].strip().strip('"') or None
    return None


def _known_codec(name: str | None) -> str | None:
    name = normalise_charset(name)
    if not name:
        return None
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None
