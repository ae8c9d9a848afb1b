"""Rebuild archived articles from their stored raw captures, fetching nothing.

Why: parsers improve after pages are archived. Every article version records the
captures it was read from (:class:`~models.schema.VersionCapture`, one per page, in page
order), so the current text of each article can be re-read from exactly the bytes the
crawler received, with today's parser, through the same steps a crawl uses:
:func:`~crawler.sites.registry.extract` per page, :func:`~crawler.sites.pagination.merge_pages`,
the pipelines' :func:`~pipelines.normalise.normalise` and :func:`~pipelines.validate.check`,
then :func:`~models.store.store_batch` with ``reparsed=True`` — the crawl's own write path,
so a changed text also moves in the near-copy index and the search index. A text that
comes out different becomes a new version (the old one is kept); the same text changes
nothing, so reparse can be run any number of times.

Articles are handled in batches, one transaction each, so an interrupted reparse keeps
what it finished and simply redoes the rest when run again.

Pages once rejected as not articles are re-read too: every response's capture is kept,
so an HTML capture that no article version links to (and whose URL is no article's) is
read again, and when today's parser finds an article in it, the article is stored as a
crawl would have stored it. An article wrongly rejected is recovered without refetching.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC
from urllib.parse import urlsplit

from scrapy.http import Response
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from crawler.items import Article as ArticleItem
from crawler.items import NotArticle
from crawler.sites.pagination import merge_pages
from crawler.sites.generic import registrable_domain
from crawler.sites.registry import extract
from crawler.spiders.base import declared_charset
from models.capture_store import capture_body
from models.repository import lock_for_writing
from models.schema import Article, ArticleUrl, ArticleVersion, Capture, Site, VersionCapture
from models.store import store_batch
from pipelines.normalise import normalise
from pipelines.validate import check

#: Articles re-read per transaction.
DEFAULT_BATCH_SIZE = 50


class ReparseError(Exception):
    """Reparse cannot run as asked; the message says what to do."""


@dataclass
class ReparseResult:
    """What a reparse did. ``missing_captures`` counts articles left as they were because a
    page's capture is not in the archive; ``not_article`` those whose first page no longer
    reads as an article (also left as they were: a parser regression must not erase them)."""

    articles: int = 0
    changed: int = 0
    unchanged: int = 0
    not_article: int = 0
    missing_captures: int = 0
    #: HTML captures that no article came from (pages rejected as not articles), re-read.
    rejected_pages: int = 0
    #: Of those, the ones today's parser reads as articles: stored now.
    recovered: int = 0

    def lines(self) -> list[str]:
        return [
            f"reparsed {self.articles} articles",
            f"  changed            {self.changed}",
            f"  unchanged          {self.unchanged}",
            f"  no longer articles {self.not_article} (left as they were)",
            f"  captures missing   {self.missing_captures} (left as they were)",
            f"re-read {self.rejected_pages} pages once rejected as not articles: {self.recovered} recovered as articles",
        ]


#: Called after each batch with (articles done, articles in total).
Progress = Callable[[int, int], None]


def reparse(
    sessions: sessionmaker[Session],
    site: str | None = None,
    *,
    batch_size: int = DEFAULT_BATCH_SIZE,
    progress: Progress | None = None,
) -> ReparseResult:
    """Re-read every article (of ``site``, a registrable name such as ``people.com.cn``)
    from its captures and store what changed. Raises :class:`ReparseError` for an unknown site."""
    with sessions() as session:
        article_ids = _article_ids(session, site)
    result = ReparseResult()
    for start in range(0, len(article_ids), max(1, batch_size)):
        with sessions.begin() as session:
            lock_for_writing(session)  # a crawl storing at the same time takes turns with us, reads included
            _reparse_batch(session, article_ids[start : start + batch_size], result)
        if progress is not None:
            progress(min(start + batch_size, len(article_ids)), len(article_ids))
    with sessions() as session:
        rejected = _rejected_capture_ids(session, site)
    for start in range(0, len(rejected), max(1, batch_size)):
        with sessions.begin() as session:
            lock_for_writing(session)
            _recover_batch(session, rejected[start : start + batch_size], result)
    return result


def _rejected_capture_ids(session: Session, site: str | None) -> list[int]:
    """The newest successful HTML capture of each URL that no article version links to and
    no article is known under: the pages a crawl rejected as not articles."""
    linked = select(VersionCapture.capture_id).where(VersionCapture.capture_id.is_not(None))
    known = select(ArticleUrl.url)
    rows = session.execute(
        select(Capture.id, Capture.url, Capture.headers)
        .where(Capture.status == 200, Capture.id.not_in(linked), Capture.url.not_in(known))
        .order_by(Capture.url, Capture.id.desc())
    )
    newest: dict[str, int] = {}
    for capture_id, url, headers in rows:
        if url in newest or not _is_html(headers):
            continue
        if site is None or registrable_domain((urlsplit(url).hostname or "").lower()) == site:
            newest[url] = capture_id
    return sorted(newest.values())


def _is_html(headers: list[list[str]]) -> bool:
    """Whether a response's Content-Type says HTML (or says nothing, as some servers do)."""
    types = [value.lower() for name, value in headers if name.lower() == "content-type"]
    return not types or "html" in types[0]


def _recover_batch(session: Session, capture_ids: list[int], result: ReparseResult) -> None:
    items: list[ArticleItem] = []
    for page in _extracted_pages(session, capture_ids, None):
        result.rejected_pages += 1
        if isinstance(page, ArticleItem):
            normalise(page)
            check(page)
            items.append(page)
    if items:
        outcomes = store_batch(session, items, []).outcomes
        result.recovered += sum(o.stores_text for o in outcomes)


def _article_ids(session: Session, site: str | None) -> list[int]:
    query = select(Article.id).order_by(Article.id)
    if site is not None:
        site_id = session.scalar(select(Site.id).where(Site.name == site))
        if site_id is None:
            known = ", ".join(session.scalars(select(Site.name).order_by(Site.name))) or "none yet"
            raise ReparseError(f"no site {site!r} in the archive; sites archived: {known}")
        query = query.where(Article.site_id == site_id)
    return list(session.scalars(query))


def _reparse_batch(session: Session, article_ids: list[int], result: ReparseResult) -> None:
    items: list[ArticleItem] = []
    for article_id in article_ids:
        result.articles += 1
        item = _reread(session, article_id, result)
        if item is not None:
            items.append(item)
    outcomes = store_batch(session, items, [], reparsed=True).outcomes
    changed = sum(o.stores_text for o in outcomes)
    result.changed += changed
    result.unchanged += len(outcomes) - changed


def _reread(session: Session, article_id: int, result: ReparseResult) -> ArticleItem | None:
    """The article as today's parser reads its current version's captures, or ``None``
    (counted in ``result``) when that is impossible."""
    version = session.scalars(
        select(ArticleVersion)
        .join(Article, Article.id == ArticleVersion.article_id)
        .where(Article.id == article_id, ArticleVersion.number == Article.current_version)
    ).one()
    links = list(
        session.scalars(
            select(VersionCapture).where(VersionCapture.version_id == version.id).order_by(VersionCapture.page)
        )
    )
    if not links or any(link.capture_id is None for link in links):
        result.missing_captures += 1
        return None
    template = version.item.get("template") or None
    pages = list(_extracted_pages(session, [link.capture_id for link in links if link.capture_id], template))
    first = pages[0]
    if not isinstance(first, ArticleItem):
        result.not_article += 1
        return None
    readable = [first]
    for page in pages[1:]:
        if isinstance(page, ArticleItem):
            readable.append(page)
        else:
            detail = f"page {page.url} no longer parses as an article page ({page.reason})"
            first.add_problem("page_missing", detail, "body")
    article = merge_pages(readable)
    normalise(article)
    check(article)
    return article


def _extracted_pages(
    session: Session, capture_ids: list[int], template: str | None
) -> Iterator[ArticleItem | NotArticle]:
    """Each capture read as the crawl read it: same URL, bytes, declared charset and template."""
    for capture_id in capture_ids:
        capture = session.get_one(Capture, capture_id)
        headers = Response(capture.url, headers=[(name, value) for name, value in capture.headers])
        yield extract(
            capture.url,
            capture_body(session, capture_id),
            declared_encoding=declared_charset(headers),
            fetched_at=capture.fetched_at.astimezone(UTC).isoformat(timespec="seconds"),
            site_hint=template,
        )
