"""The archive operations shared by the store pipeline and the read side.

Functions here take an open :class:`~sqlalchemy.orm.Session` and never commit: the caller
owns the transaction, so a pipeline can write a whole batch atomically and retry it.

Identity rules for articles (why: one story is published under many URLs, pages, and
scripts, and must end up as one article with its history):

1. any of the item's URLs (``url``, ``canonical_url``, ``page_urls``) already known as an
   :class:`~models.schema.ArticleUrl` → that article;
2. else an article whose current content fingerprint equals the item's (see
   :mod:`models.fingerprint`; short bodies never match) → that article, and the item's
   URLs become aliases (outcome ``"duplicate"``);
3. else a new article.

For a known article the same fingerprint only moves ``last_seen`` (``"unchanged"``); a
different one adds an :class:`~models.schema.ArticleVersion` and updates the article to
the new text, keeping every earlier version (``"changed"``).

An article displays its Simplified original: when a Traditional mirror arrived first and
the Simplified page then matches it by fingerprint, the Simplified text becomes a new
current version and its URL the canonical one (the Traditional text stays in its version).
Near-duplicates (syndicated copies with edits) are not decided here but in
:mod:`pipelines.dedup`, which links distinct articles into clusters.
"""

from __future__ import annotations

import hashlib
import json
import os
import socket
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from typing import Any
from urllib.parse import urlsplit

import zstandard
from sqlalchemy import ColumnElement, case, func, select, update
from sqlalchemy.orm import Session

from crawler.items import Article as ArticleItem
from crawler.items import Capture as CaptureItem
from models.boilerplate import substantive_text
from models.dedup import NearDupCluster, NearDupMember
from models.fingerprint import Fingerprint, article_fingerprint, text_fingerprint
from models.schema import (
    Article,
    ArticlePerson,
    ArticleUrl,
    ArticleVersion,
    Capture,
    CrawlJob,
    Person,
    Site,
    VersionCapture,
)

#: Zone assumed for a publication time written without one (the sites are in China).
CHINA_TIME = timezone(timedelta(hours=8))
#: zstandard level for capture bodies: HTML shrinks ~5x at level 10, still fast to write.
ZSTD_LEVEL = 10

#: Item fields copied to article columns of the same name unchanged.
_COPIED_FIELDS = (
    "template",
    "title",
    "pretitle",
    "subtitle",
    "original_title",
    "published_at_raw",
    "published_precision",
    "source",
    "body",
    "body_html",
    "breadcrumbs",
    "pages",
    "printed_page",
    "script",
    "encoding",
)


@dataclass(frozen=True, slots=True)
class StoreOutcome:
    """What storing one item did: ``outcome`` is ``"new"``, ``"changed"``, ``"unchanged"``
    or ``"duplicate"``; ``article_id`` the article it now belongs to."""

    outcome: str
    article_id: int
    #: A ``"duplicate"`` whose text became the article's displayed text (a Simplified
    #: original replacing the Traditional mirror that arrived first).
    promoted: bool = False

    @property
    def stores_text(self) -> bool:
        """Whether the article's current text changed, so read-side indexes must refresh it."""
        return self.outcome in ("new", "changed") or self.promoted


def store_articles(session: Session, items: list[ArticleItem]) -> list[StoreOutcome]:
    """Store article items by the identity rules above; one outcome per item, in order."""
    return [_store_article(session, item) for item in items]


def store_reparsed(session: Session, items: list[ArticleItem]) -> list[StoreOutcome]:
    """Store items re-read from archived captures (``newsarchive reparse``).

    Like :func:`store_articles`, except that a text differing from the article's current
    version in *any* field counts as changed: a parser fix often repairs metadata (an
    editor line, a dateline) without touching the body the fingerprint is taken from.
    """
    outcomes = []
    for item in items:
        outcome = _store_article(session, item)
        if outcome.outcome == "unchanged" and _differs_from_current(session, outcome.article_id, item):
            article = session.get_one(Article, outcome.article_id)
            seen_at = parse_time(item.fetched_at, UTC) or datetime.now(UTC)
            _add_version(session, article, item, article_fingerprint(item), seen_at)
            outcome = StoreOutcome(outcome="changed", article_id=article.id)
        outcomes.append(outcome)
    return outcomes


def _differs_from_current(session: Session, article_id: int, item: ArticleItem) -> bool:
    """Whether ``item`` says anything the article's current version does not (fetch time aside)."""
    stored = session.scalars(
        select(ArticleVersion.item)
        .join(Article, Article.id == ArticleVersion.article_id)
        .where(Article.id == article_id, ArticleVersion.number == Article.current_version)
    ).one()
    new = item.to_dict()
    return any(new[name] != stored.get(name) for name in new if name != "fetched_at")


def _store_article(session: Session, item: ArticleItem) -> StoreOutcome:
    seen_at = parse_time(item.fetched_at, UTC) or datetime.now(UTC)
    fingerprint = article_fingerprint(item)
    urls = _item_urls(item)
    known = _known_urls(session, urls)
    article = next((session.get(Article, known[url]) for url in urls if url in known), None)
    if article is not None:
        outcome = "unchanged" if article.fingerprint == fingerprint.digest else "changed"
    elif _matchable(item, fingerprint) and (article := _article_by_fingerprint(session, fingerprint.digest)):
        outcome = "duplicate"
    else:
        article = Article(canonical_url=urls[0], first_seen=seen_at, last_seen=seen_at, current_version=0)
        outcome = "new"
    promoted = outcome == "duplicate" and _is_original_of_mirror(item, article)
    if outcome in ("new", "changed") or promoted:
        _add_version(session, article, item, fingerprint, seen_at)
    if promoted:
        article.canonical_url = urls[0]  # not known as any article's URL, so still unique
    article.last_seen = max(article.last_seen, seen_at)
    session.add_all(ArticleUrl(url=url, article_id=article.id) for url in urls if url not in known)
    return StoreOutcome(outcome=outcome, article_id=article.id, promoted=promoted)


def _is_original_of_mirror(item: ArticleItem, article: Article) -> bool:
    """A Simplified page matching an article shown in Traditional is its original: the
    sites publish in Simplified and mirror into Traditional, so the original is displayed."""
    return item.script == "zh-Hans" and article.script == "zh-Hant"


def _matchable(item: ArticleItem, fingerprint: Fingerprint) -> bool:
    """Whether the item's text may identify an article: long enough, and long enough
    without its boilerplate paragraphs (two pages holding only a copyright notice and an
    editor line are two pages, not one article)."""
    body = item.simplified.get("body") or item.body
    return fingerprint.matchable and text_fingerprint(substantive_text(body)).matchable


def _article_by_fingerprint(session: Session, digest: str) -> Article | None:
    return session.scalars(select(Article).where(Article.fingerprint == digest).order_by(Article.id).limit(1)).first()


def _item_urls(item: ArticleItem) -> list[str]:
    """The item's URLs, identity URL first, without repeats or blanks."""
    return list(dict.fromkeys(u for u in (item.canonical_url, item.url, *item.page_urls) if u))


def _known_urls(session: Session, urls: list[str]) -> dict[str, int]:
    rows = session.execute(select(ArticleUrl.url, ArticleUrl.article_id).where(ArticleUrl.url.in_(urls)))
    return {url: article_id for url, article_id in rows}


def _add_version(
    session: Session, article: Article, item: ArticleItem, fingerprint: Fingerprint, seen_at: datetime
) -> None:
    """Make ``item`` the article's current text and keep it as a new version.

    A new article joins the session only once every column is set: the look-ups below
    autoflush, and a half-filled row would violate NOT NULL.
    """
    data = item.to_dict()
    for name in _COPIED_FIELDS:
        setattr(article, name, data[name])
    simplified = item.simplified
    article.site = _site(session, item.site or urlsplit(item.url).hostname or "")
    article.published_at = parse_time(item.published_at, CHINA_TIME)
    article.images = data["images"]
    article.problems = data["problems"]
    article.title_simplified = simplified.get("title", item.title)
    article.body_simplified = simplified.get("body") or item.body
    article.source_simplified = simplified.get("source", item.source)
    article.fingerprint = fingerprint.digest
    article.current_version += 1
    article.people = [
        ArticlePerson(role=role, position=position, person=_person(session, name, simple))
        for role, field in (("author", "authors"), ("editor", "editors"))
        for position, (name, simple) in enumerate(_with_simplified(getattr(item, field), simplified.get(field)))
    ]
    session.add(article)
    session.flush()  # assigns article.id
    version = ArticleVersion(
        article_id=article.id,
        number=article.current_version,
        fetched_at=seen_at,
        fingerprint=fingerprint.digest,
        item=data,
        body=item.body,
    )
    session.add(version)
    session.flush()
    for page, digest in enumerate(item.page_digests, start=1):
        capture_id = session.scalars(
            select(Capture.id).where(Capture.digest == digest).order_by(Capture.id.desc()).limit(1)
        ).first()
        session.add(VersionCapture(version_id=version.id, page=page, digest=digest, capture_id=capture_id))


def _with_simplified(names: list[str], simplified: list[str] | None) -> list[tuple[str, str]]:
    """Pair each name with its Simplified form; the name itself when the normaliser gave none."""
    if not simplified or len(simplified) != len(names):
        simplified = names
    return list(zip(names, simplified, strict=True))


def _site(session: Session, name: str) -> Site:
    site = session.scalars(select(Site).where(Site.name == name)).first()
    if site is None:
        site = Site(name=name)
        session.add(site)
    return site


def _person(session: Session, name: str, simplified: str) -> Person:
    person = session.scalars(select(Person).where(Person.name == name)).first()
    if person is None:
        person = Person(name=name, name_simplified=simplified)
        session.add(person)
    return person


def parse_time(value: str | None, default_zone: tzinfo) -> datetime | None:
    """An ISO 8601 string as an aware datetime (``default_zone`` when it names none);
    ``None`` when absent or unreadable, since the raw text is kept alongside."""
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=default_zone)


def store_captures(session: Session, captures: list[CaptureItem]) -> None:
    """Store raw responses, compressed; a body already stored for the same URL becomes a
    revisit row pointing at the earlier capture instead of a second copy. Article
    versions waiting for a page with this digest are linked to it."""
    compressor = zstandard.ZstdCompressor(level=ZSTD_LEVEL)
    for item in captures:
        digest = hashlib.sha256(item.body).hexdigest()
        original_id = session.scalars(
            select(Capture.id)
            .where(Capture.digest == digest, Capture.url == item.url, Capture.revisit_of_id.is_(None))
            .order_by(Capture.id)
            .limit(1)
        ).first()
        row = Capture(
            url=item.url,
            fetched_at=parse_time(item.fetched_at, UTC) or datetime.now(UTC),
            status=item.status,
            headers=item.headers,
            request_method=item.request_method,
            request_headers=item.request_headers,
            body=None if original_id else compressor.compress(item.body),
            digest=digest,
            size=len(item.body),
            revisit_of_id=original_id,
        )
        session.add(row)
        session.flush()
        session.execute(
            update(VersionCapture)
            .where(VersionCapture.digest == digest, VersionCapture.capture_id.is_(None))
            .values(capture_id=row.id)
        )


def capture_body(session: Session, capture_id: int) -> bytes:
    """The uncompressed body of a capture, following a revisit to the stored copy."""
    row = session.get_one(Capture, capture_id)
    if row.revisit_of_id is not None:
        row = session.get_one(Capture, row.revisit_of_id)
    return zstandard.ZstdDecompressor().decompress(row.body or b"")


def start_job(
    session: Session,
    spider: str,
    arguments: Mapping[str, Any],
    *,
    pid: int | None = None,
    host: str | None = None,
) -> int:
    """Record a crawl starting now; ``pid``/``host`` default to this process and machine.
    Returns the job id for :func:`finish_job`."""
    job = CrawlJob(
        spider=spider,
        arguments=_json_safe(arguments),
        started_at=datetime.now(UTC),
        pid=os.getpid() if pid is None else pid,
        host=socket.gethostname() if host is None else host,
    )
    session.add(job)
    session.flush()
    return job.id


def finish_job(session: Session, job_id: int, outcome: str, stats: Mapping[str, Any]) -> None:
    """Record how a crawl ended: Scrapy's finish reason and its stats (datetimes become text)."""
    job = session.get_one(CrawlJob, job_id)
    job.finished_at = datetime.now(UTC)
    job.outcome = outcome
    job.stats = _json_safe(stats)


def _json_safe(value: Mapping[str, Any]) -> dict[str, Any]:
    return json.loads(json.dumps(dict(value), default=str))


def article_stats(session: Session) -> dict[str, Any]:
    """Archive totals for ``newsarchive stats``.

    Keys: ``articles`` (count), ``per_site`` ({site: count}), ``coverage`` ({field: number
    of articles with a non-empty value}), ``aliases`` (URLs other than the canonical one),
    ``versions`` (stored texts, first ones included), ``clusters`` (near-duplicate
    clusters) and ``clustered`` (articles in them), ``captures`` (raw responses, revisits
    included), ``last_crawl`` (the newest job as a dict, or ``None``).
    """
    coverage_columns = {name: func.coalesce(func.sum(case((expr, 1), else_=0)), 0) for name, expr in _present().items()}
    row = session.execute(select(func.count(Article.id), *coverage_columns.values())).one()
    coverage = dict(zip(coverage_columns, row[1:], strict=True))
    for role, name in (("author", "authors"), ("editor", "editors")):
        coverage[name] = session.scalar(
            select(func.count(func.distinct(ArticlePerson.article_id))).where(ArticlePerson.role == role)
        )
    per_site = session.execute(
        select(Site.name, func.count(Article.id)).join(Article, Article.site_id == Site.id).group_by(Site.name)
    )
    aliases = session.scalar(
        select(func.count(ArticleUrl.id)).join(Article).where(ArticleUrl.url != Article.canonical_url)
    )
    last = session.scalars(select(CrawlJob).order_by(CrawlJob.started_at.desc(), CrawlJob.id.desc()).limit(1)).first()
    return {
        "articles": row[0],
        "per_site": {name: n for name, n in sorted(per_site.all())},
        "coverage": coverage,
        "aliases": aliases,
        "versions": session.scalar(select(func.count(ArticleVersion.id))),
        "clusters": session.scalar(select(func.count(NearDupCluster.id))),
        "clustered": session.scalar(select(func.count(NearDupMember.article_id))),
        "captures": session.scalar(select(func.count(Capture.id))),
        "last_crawl": None if last is None else _job_dict(last),
    }


def _present() -> dict[str, ColumnElement[bool]]:
    """Per article column, the SQL test for "has a value" (non-empty text or list)."""

    def text(column: Any) -> ColumnElement[bool]:
        return column.is_not(None) & (column != "")

    def listing(column: Any) -> ColumnElement[bool]:
        return func.json_array_length(column) > 0

    return {
        "title": text(Article.title),
        "pretitle": text(Article.pretitle),
        "subtitle": text(Article.subtitle),
        "original_title": text(Article.original_title),
        "published_at": Article.published_at.is_not(None),
        "source": text(Article.source),
        "body": text(Article.body),
        "body_html": text(Article.body_html),
        "images": listing(Article.images),
        "breadcrumbs": listing(Article.breadcrumbs),
        "printed_page": text(Article.printed_page),
        "encoding": text(Article.encoding),
    }


def _job_dict(job: CrawlJob) -> dict[str, Any]:
    return {
        "id": job.id,
        "spider": job.spider,
        "arguments": job.arguments,
        "started_at": job.started_at.isoformat(),
        "finished_at": job.finished_at.isoformat() if job.finished_at else None,
        "outcome": job.outcome,
        "pid": job.pid,
        "host": job.host,
    }
