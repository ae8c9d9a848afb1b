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
3. else, when the store passes a :class:`~models.mirrors.MirrorFinder`, the article this
   item is a script mirror of (or that is a mirror of this item), by high similarity
   (outcome ``"duplicate"``);
4. else a new article.

For a known article the same fingerprint only moves ``last_seen`` (``"unchanged"``); a
different one in the same script adds an :class:`~models.schema.ArticleVersion` and
updates the article to the new text, keeping every earlier version (``"changed"``). A text
in the other script is a mirror: its URLs are aliases, never a version.

An article displays its Simplified original: when a Traditional mirror arrived first and
the Simplified page then matches it, the Simplified text *replaces* the mirror's as the
current version (the mirror's page stays as its capture, its URL as an alias) and its URL
becomes the canonical one, so whatever order a crawl meets them in, an article and its
mirrors make one article with one version.
Near-duplicates (syndicated copies with edits) are not decided here but in
:mod:`models.near_copies`, which links distinct articles into clusters.
"""

from __future__ import annotations

import hashlib
import json
import os
import socket
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import zstandard
from sqlalchemy import (
    ColumnElement, Integer, any_, bindparam, case, delete, exists, func, literal, select, tuple_, update,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session, aliased, load_only
from sqlalchemy.sql.expression import Tuple
from sqlalchemy.types import NullType

from crawler.items import Article as ArticleItem
from crawler.items import Capture as CaptureItem
from crawler.parsing.urls import canonicalize
from models.boilerplate import folded_substantive_text
from models.dedup import NearDupCluster, NearDupMember
from models.fingerprint import MIN_MATCHABLE_CHARS, Fingerprint, article_fingerprint, word_characters
from models.pg_arrays import Int8Array, send_int_arrays
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

if TYPE_CHECKING:
    from models.mirrors import MirrorFinder

#: Zone assumed for a publication time written without one (the sites are in China).
CHINA_TIME = timezone(timedelta(hours=8))
#: zstandard level for capture bodies: zstd's default. On the real pages of
#: ``../shared/corpus`` (86 KB on average) level 3 compresses 2.90x in 0.38 ms a page and
#: level 10 3.07x in 1.38 ms: 6 % less disk is not worth a millisecond per fetched page.
ZSTD_LEVEL = 3

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


@dataclass(slots=True)
class KnownNames:
    """Ids of sites and people known to be in the archive, kept by a long-lived writer.

    Why: every article names its site and a few people, mostly the same ones batch after
    batch, so the store pipeline keeps one of these for its lifetime and each name costs
    one look-up per crawl instead of one per article. An id learnt inside a transaction
    that then rolls back may not exist: the writer must call :meth:`forget` after any
    failed transaction (the next batch looks the names up again).
    """

    sites: dict[str, int] = field(default_factory=dict)
    people: dict[str, int] = field(default_factory=dict)

    def forget(self) -> None:
        self.sites.clear()
        self.people.clear()


#: Key of the PostgreSQL advisory lock an archive writer holds for its whole transaction.
WRITER_LOCK_KEY = 0x6E657773617263  # "newsarc"


def lock_for_writing(session: Session) -> None:
    """Make the session's transaction the only archive writer until it ends (PostgreSQL).

    Why: identity (the same text under another URL or script) and near-copy links are
    decided from what the archive holds when a batch is read. Two workers storing an
    article and its mirror at the same moment would each miss the other's uncommitted
    row, and no unique key can catch it (the URLs differ; equal fingerprints are allowed
    for short texts), so the archive would keep the story twice. A transaction-scoped
    advisory lock makes writers take turns: a batch costs milliseconds, fetching costs
    far more, so workers barely wait. SQLite needs nothing: one archive file serves one
    crawler at a time (use PostgreSQL for several).
    """
    if session.get_bind().dialect.name == "postgresql":
        session.execute(select(func.pg_advisory_xact_lock(WRITER_LOCK_KEY)))


#: Builds the :class:`~models.mirrors.MirrorFinder` of a batch from the items that matched nothing yet.
MirrorFinders = Callable[[Session, list[ArticleItem]], "MirrorFinder"]


def store_articles(
    session: Session, items: list[ArticleItem], names: KnownNames | None = None, mirrors: MirrorFinders | None = None
) -> list[StoreOutcome]:
    """Store article items by the identity rules above; one outcome per item, in order.

    The batch is resolved with a handful of set-wise look-ups and written with bulk
    inserts; items of one batch see each other exactly as if stored one by one.
    ``names`` carries site and person ids across calls (see :class:`KnownNames`);
    ``mirrors`` makes rule 3 apply (:func:`models.store.store_batch` passes it).
    """
    return _ArticleBatch(session, items, names or KnownNames(), any_field_changes=False, mirrors=mirrors).store()


def store_reparsed(
    session: Session, items: list[ArticleItem], mirrors: MirrorFinders | None = None
) -> list[StoreOutcome]:
    """Store items re-read from archived captures (``newsarchive reparse``).

    Like :func:`store_articles`, except that a text differing from the article's current
    version in *any* field counts as changed: a parser fix often repairs metadata (an
    editor line, a dateline) without touching the body the fingerprint is taken from.
    """
    return _ArticleBatch(session, items, KnownNames(), any_field_changes=True, mirrors=mirrors).store()


@dataclass(slots=True)
class _Pending:
    """One item with what identity needs computed once: time, fingerprint, URLs."""

    item: ArticleItem
    seen_at: datetime
    fingerprint: Fingerprint
    urls: list[str]
    _data: dict[str, Any] | None = None

    @property
    def data(self) -> dict[str, Any]:
        """``item.to_dict()``, made only for items that become a version (it is not cheap)."""
        if self._data is None:
            self._data = self.item.to_dict()
        return self._data


@dataclass(slots=True)
class _Version:
    article: Article
    pending: _Pending
    number: int


#: Article columns read for identity decisions; the text columns are only ever written.
_IDENTITY_COLUMNS = (
    Article.canonical_url, Article.fingerprint, Article.script, Article.last_seen, Article.current_version
)


#: Key of the version item's column in Core inserts (its column is not named after the attribute).
_VERSION_ITEM = ArticleVersion.__table__.c.item_zstd.key

#: Article columns written for a new article (all but the generated id).
_INSERTED_COLUMNS = tuple(column.key for column in Article.__table__.columns if column.key != "id")


class _ArticleBatch:
    """Identity resolution and writes for one batch of article items.

    Reads first (URLs, fingerprints, articles, names, capture ids: one set-wise query
    each), then decides item by item in memory, then writes: stored articles it changed
    with one unit-of-work flush (they stay coherent in the session's identity map), and
    new names, new articles, versions, URLs, credits and page links with Core bulk
    inserts (multi-row INSERT … RETURNING where ids are needed). Nothing is written
    before the decisions are made, so a concurrent writer's rows are seen as late as
    possible (see ``StorePipeline``'s retry).
    """

    def __init__(
        self, session: Session, items: list[ArticleItem], names: KnownNames, any_field_changes: bool,
        mirrors: MirrorFinders | None = None,
    ) -> None:
        self.session = session
        self.make_mirror_finder = mirrors
        self.mirrors: MirrorFinder | None = None
        #: Stored articles a mirror finder may name, by id.
        self.mirror_articles: dict[int, Article] = {}
        #: Stored articles whose current version a Simplified original replaces.
        self.replaced: list[Article] = []
        #: Versions of this batch replaced before they were written.
        self.superseded: list[_Version] = []
        self.names = names
        self.any_field_changes = any_field_changes
        self.pending = [_pending(item) for item in items]
        self.by_url: dict[str, Article] = {}
        #: fingerprint → articles whose current text has it (the lowest id is the match).
        self.holders: dict[str, list[Article]] = {}
        self.created: list[Article] = []
        self.versions: list[_Version] = []
        #: Current version's item per article, for ``any_field_changes``.
        self.current_items: dict[Article, dict[str, Any]] = {}
        #: Site name of each article's newest text; ids are assigned once names are known.
        self.site_names: dict[Article, str] = {}
        self.new_urls: list[tuple[str, Article, str]] = []
        self.credits: dict[Article, list[tuple[str, int, str]]] = {}
        self.capture_ids: dict[str, int] = {}

    def store(self) -> list[StoreOutcome]:
        if not self.pending:
            return []
        self._read()
        decided = [self._decide(pending) for pending in self.pending]
        self._add_names()
        for article, site in self.site_names.items():
            article.site_id = self.names.sites[site]
        self.session.flush()  # updates the stored articles this batch changed
        self._insert_created()
        self._write_rows()
        return [StoreOutcome(outcome=o, article_id=article.id, promoted=p) for o, article, p in decided]

    # -- reads ---------------------------------------------------------------------------

    def _read(self) -> None:
        urls = list(dict.fromkeys(url for p in self.pending for url in p.urls))
        url_ids = dict(rows_in(self.session, select(ArticleUrl.url, ArticleUrl.article_id), ArticleUrl.url, urls))
        # a superset of what may match (boilerplate is only checked for items not found by URL)
        digests = list({p.fingerprint.digest for p in self.pending if p.fingerprint.matchable})
        ids = set(url_ids.values())
        query = select(Article).options(load_only(*_IDENTITY_COLUMNS))
        articles = {a.id: a for a in rows_in(self.session, query, Article.id, list(ids), row=_entity)}
        for article in rows_in(self.session, query, Article.fingerprint, digests, row=_entity):
            articles.setdefault(article.id, article)
            self.holders.setdefault(article.fingerprint, []).append(article)
        self.by_url = {url: articles[article_id] for url, article_id in url_ids.items()}
        if self.make_mirror_finder is not None:
            unmatched = [p.item for p in self.pending if not any(url in url_ids for url in p.urls)
                         and p.fingerprint.digest not in self.holders]
            self.mirrors = self.make_mirror_finder(self.session, unmatched)
            self.mirror_articles = {a.id: a for a in rows_in(
                self.session, query, Article.id, sorted(self.mirrors.stored), row=_entity)}
        page_digests = list({d for p in self.pending for d in p.item.page_digests})
        self.capture_ids = dict(rows_in(
            self.session, select(Capture.digest, func.max(Capture.id)).group_by(Capture.digest), Capture.digest,
            page_digests,
        ))
        if self.any_field_changes and ids:
            self.current_items = {articles[article_id]: item for article_id, item in rows_in(
                self.session,
                select(ArticleVersion.article_id, ArticleVersion.item)
                .join(Article, Article.id == ArticleVersion.article_id)
                .where(ArticleVersion.number == Article.current_version),
                ArticleVersion.article_id,
                list(ids),
            )}

    def _add_names(self) -> None:
        """Give every site and person of the new texts an id, inserting those not yet stored."""
        people: dict[str, str] = {}
        for v in [*self.superseded, *self.versions]:  # a replaced text's names too, as if stored one by one
            for _, _, (name, simple) in _credit_positions(v.pending.item):
                people.setdefault(name, simple)
        self._ensure(Site, self.names.sites, list(dict.fromkeys(self.site_names.values())), lambda name: {})
        self._ensure(Person, self.names.people, list(people), lambda name: {"name_simplified": people[name]})

    def _ensure(
        self, model: Any, known: dict[str, int], names: list[str], columns: Callable[[str], dict[str, Any]]
    ) -> None:
        """Put the id of every name in ``known``: looked up, or inserted (with ``columns(name)``)."""
        unknown = [name for name in names if name not in known]
        known.update(rows_in(self.session, select(model.name, model.id), model.name, unknown))
        new = [name for name in unknown if name not in known]
        ids = _insert(self.session, model, [{"name": name, **columns(name)} for name in new], returning=True)
        known.update(zip(new, ids, strict=True))

    # -- decisions, item by item -----------------------------------------------------------

    def _decide(self, p: _Pending) -> tuple[str, Article, bool]:
        article = next((self.by_url[url] for url in p.urls if url in self.by_url), None)
        if article is not None:
            outcome = "unchanged" if article.fingerprint == p.fingerprint.digest else "changed"
            if outcome == "unchanged" and self.any_field_changes and self._differs_from_current(article, p):
                outcome = "changed"
            if outcome == "changed" and p.item.script != article.script:
                outcome = "duplicate"  # the article in the other script: a mirror, never a version
        elif _matchable(p.item, p.fingerprint) and (article := self._holder(p.fingerprint.digest)):
            outcome = "duplicate"
        elif (article := self._mirrored(p)) is not None:
            outcome = "duplicate"
        else:
            article = Article(canonical_url=_shown(p), first_seen=p.seen_at, last_seen=p.seen_at, current_version=0)
            self.created.append(article)
            if self.mirrors is not None:
                self.mirrors.created(article, p.item)
            outcome = "new"
        promoted = outcome == "duplicate" and _is_original_of_mirror(p.item, article)
        if outcome in ("new", "changed") or promoted:
            self._add_version(article, p, replace=promoted)
        if promoted:
            article.canonical_url = _shown(p)  # not known as any article's URL, so still unique
        article.last_seen = max(article.last_seen, p.seen_at)
        for url in p.urls:
            if url not in self.by_url:
                self.by_url[url] = article
                self.new_urls.append((url, article, p.item.script))
        return outcome, article, promoted

    def _mirrored(self, p: _Pending) -> Article | None:
        """The article (stored, or new in this batch) the item is a script mirror of, or its original's mirror."""
        if self.mirrors is None:
            return None
        article_id, created = self.mirrors.find(p.item)
        if article_id is not None:
            return self.mirror_articles[article_id]
        return created if isinstance(created, Article) else None

    def _holder(self, digest: str) -> Article | None:
        """The earliest article whose current text has this fingerprint: stored ones by id, then
        this batch's new ones in order (they will get higher ids)."""
        holders = self.holders.get(digest)
        if not holders:
            return None
        return min(holders, key=lambda a: (1, self.created.index(a)) if a.id is None else (0, a.id))

    def _differs_from_current(self, article: Article, p: _Pending) -> bool:
        """Whether the item says anything the article's current version does not (fetch time aside)."""
        stored = self.current_items.get(article, {})
        return any(value != stored.get(name) for name, value in p.data.items() if name != "fetched_at")

    def _add_version(self, article: Article, p: _Pending, replace: bool = False) -> None:
        """Make the item the article's current text; the version row is written with the batch.

        With ``replace`` the item takes the place of the current version instead of adding
        one (a Simplified original replacing the text of its mirror).
        """
        item, data = p.item, p.data
        for name in _COPIED_FIELDS:
            setattr(article, name, data[name])
        simplified = item.simplified
        self.site_names[article] = _site_name(item)
        article.published_at = parse_time(item.published_at, CHINA_TIME)
        article.images = data["images"]
        article.problems = data["problems"]
        article.title_simplified = simplified.get("title", item.title)
        body_simplified = simplified.get("body") or item.body
        article.body_simplified_if_differs = body_simplified if body_simplified != item.body else ""
        article.source_simplified = simplified.get("source", item.source)
        if article in self.holders.get(article.fingerprint, ()):
            self.holders[article.fingerprint].remove(article)
        article.fingerprint = p.fingerprint.digest
        self.holders.setdefault(article.fingerprint, []).append(article)
        if not replace:
            article.current_version += 1
        elif waiting := [v for v in self.versions if v.article is article and v.number == article.current_version]:
            self.versions.remove(waiting[0])
            self.superseded.append(waiting[0])
        else:
            self.replaced.append(article)
        self.versions.append(_Version(article, p, article.current_version))
        self.current_items[article] = data
        self.credits[article] = [(role, position, name) for role, position, (name, _) in _credit_positions(item)]

    # -- writes ------------------------------------------------------------------------

    def _insert_created(self) -> None:
        """Insert the new articles with one Core executemany and give the objects their ids.

        The objects stay outside the session (the unit of work would cost more than the
        insert itself); every column is set by then, since each new article got a version.
        """
        rows = [{name: getattr(article, name) for name in _INSERTED_COLUMNS} for article in self.created]
        for article, article_id in zip(self.created, _insert(self.session, Article, rows, returning=True), strict=True):
            article.id = article_id

    def _write_rows(self) -> None:
        session = self.session
        if self.replaced:
            replaced = rows_in(session, select(ArticleVersion.id), tuple_(ArticleVersion.article_id, ArticleVersion.number),
                               [(a.id, a.current_version) for a in self.replaced], row=lambda version_id: version_id)
            session.execute(delete(VersionCapture).where(VersionCapture.version_id.in_(replaced)))
            session.execute(delete(ArticleVersion).where(ArticleVersion.id.in_(replaced)))
        version_ids = _insert(session, ArticleVersion, [
            {
                "article_id": v.article.id, "number": v.number, "fetched_at": v.pending.seen_at,
                "fingerprint": v.pending.fingerprint.digest, _VERSION_ITEM: v.pending.data,
            }
            for v in self.versions
        ], returning=True)
        _insert(session, VersionCapture, [
            {"version_id": version_id, "page": page, "digest": digest, "capture_id": self.capture_ids.get(digest)}
            for version_id, v in zip(version_ids, self.versions, strict=True)
            for page, digest in enumerate(v.pending.item.page_digests, start=1)
        ])
        recredited = [article for article in self.credits if article not in self.created]
        if recredited:
            table = ArticlePerson.__table__
            session.execute(delete(table).where(table.c.article_id.in_([article.id for article in recredited])))
            for article in recredited:
                session.expire(article, ["people"])  # written below without the unit of work
        _insert(session, ArticlePerson, [
            {"article_id": article.id, "role": role, "position": position, "person_id": self.names.people[name]}
            for article, credits in self.credits.items()
            for role, position, name in credits
        ])
        _insert(session, ArticleUrl, [
            {"url": url, "article_id": article.id, "script": script} for url, article, script in self.new_urls
        ])


def _pending(item: ArticleItem) -> _Pending:
    return _Pending(
        item=item,
        seen_at=parse_time(item.fetched_at, UTC) or datetime.now(UTC),
        fingerprint=article_fingerprint(item),
        urls=item_urls(item),
    )


def _site_name(item: ArticleItem) -> str:
    return item.site or urlsplit(item.url).hostname or ""


def _credit_positions(item: ArticleItem) -> list[tuple[str, int, tuple[str, str]]]:
    """``(role, position, (name, simplified name))`` for every author and editor, in page order."""
    return [
        (role, position, pair)
        for role, field_name in (("author", "authors"), ("editor", "editors"))
        for position, pair in enumerate(_with_simplified(getattr(item, field_name), item.simplified.get(field_name)))
    ]


#: Values per ``IN (...)`` list on SQLite: far below its bound-parameter limit.
IN_CHUNK = 900
#: Values from which :func:`one_of` gives SQLite one JSON array instead of a placeholder each.
JSON_LIST_FROM = 100


def rows_in(
    session: Session, query: Any, column: Any, values: list[Any], row: Callable[..., Any] = lambda *r: r
) -> list[Any]:
    """``query`` restricted to ``column IN values`` (``column`` may be a :func:`tuple_`), each
    result row passed through ``row``; no query for no values.

    SQLite gets ``IN`` lists in chunks, so any batch size stays under its parameter limit.
    PostgreSQL gets one statement with an array parameter per column (:func:`in_arrays`):
    psycopg parses a statement's placeholders at every call and caches only short ones,
    so an ``IN`` list of 900 cost 24 ms of client CPU to parse each time, more than the
    server spent answering it.
    """
    if not values:
        return []
    if session.get_bind().dialect.name == "postgresql":
        return [row(*result) for result in session.execute(query.where(one_of(session, column, values)))]
    return [
        row(*result)
        for start in range(0, len(values), IN_CHUNK)
        for result in session.execute(query.where(column.in_(values[start : start + IN_CHUNK])))
    ]


def one_of(session: Session, column: Any, values: list[Any]) -> ColumnElement[bool]:
    """``column IN values`` in one statement: arrays on PostgreSQL (:func:`in_arrays`, see
    :func:`rows_in` for why); on SQLite a list of placeholders, or for many integers one
    JSON array read by ``json_each`` (SQLAlchemy renders each placeholder of a long list
    in Python: 2,000 ids cost a search page's facets 5 ms of CPU before SQLite saw them)."""
    if session.get_bind().dialect.name != "postgresql":
        if len(values) < JSON_LIST_FROM or isinstance(column, Tuple) or not isinstance(column.type, Integer):
            return column.in_(values)
        listed = func.json_each(json.dumps([int(value) for value in values])).table_valued("value")
        return column.in_(select(listed.c.value))
    send_int_arrays(session)
    return in_arrays(column, values)


def in_arrays(column: Any, values: list[Any]) -> ColumnElement[bool]:
    """PostgreSQL's ``column IN values`` with one array parameter per column: ``= ANY(array)``
    for a column, a join to ``unnest(arrays)`` for a :func:`tuple_` of them (``values`` are
    then tuples). Integer columns take an :class:`~models.pg_arrays.Int8Array` (the caller
    calls :func:`~models.pg_arrays.send_int_arrays`), others a list."""
    if not isinstance(column, Tuple):
        return column == any_(_array(column, values))
    columns = column.clauses
    listed = func.unnest(*(_array(c, [v[i] for v in values]) for i, c in enumerate(columns))).table_valued(
        *(f"v{i}" for i in range(len(columns)))
    ).render_derived()
    return column.in_(select(*listed.c))


def _array(column: Any, values: list[Any]) -> Any:
    if isinstance(column.type, Integer):
        return bindparam(None, Int8Array(values), type_=NullType())
    return bindparam(None, values, type_=ARRAY(column.type))


def _entity(article: Article) -> Article:
    return article


def _insert(session: Session, model: Any, rows: list[dict[str, Any]], returning: bool = False) -> list[int]:
    """Insert ``rows`` with one executemany (Core, no unit of work); with ``returning``, the
    new ids in the order of ``rows``."""
    if not rows:
        return []
    table = model.__table__
    if not returning:
        session.execute(table.insert(), rows)
        return []
    return list(session.scalars(table.insert().returning(table.c.id, sort_by_parameter_order=True), rows))


def _is_original_of_mirror(item: ArticleItem, article: Article) -> bool:
    """A Simplified page matching an article shown in Traditional is its original: the
    sites publish in Simplified and mirror into Traditional, so the original is displayed."""
    return item.script == "zh-Hans" and article.script == "zh-Hant"


def _matchable(item: ArticleItem, fingerprint: Fingerprint) -> bool:
    """Whether the item's text may identify an article: long enough, and long enough
    without its boilerplate paragraphs (two pages holding only a copyright notice and an
    editor line are two pages, not one article)."""
    body = item.simplified.get("body") or item.body
    return fingerprint.matchable and len(word_characters(folded_substantive_text(body))) >= MIN_MATCHABLE_CHARS


def item_urls(item: ArticleItem) -> list[str]:
    """The item's URLs, identity URL first (scheme and mirror host folded, so the http and
    https copies of a page are one article), then the shown one, without repeats or blanks."""
    shown = item.canonical_url or item.url
    return list(dict.fromkeys(u for u in (canonicalize(shown), shown, item.url, *item.page_urls) if u))


def _shown(p: _Pending) -> str:
    """The URL an article is shown and exported under: the one that served it (or its
    rel=canonical), never a scheme the site may not answer."""
    return p.item.canonical_url or p.urls[0]


def _with_simplified(names: list[str], simplified: list[str] | None) -> list[tuple[str, str]]:
    """Pair each name with its Simplified form; the name itself when the normaliser gave none."""
    if not simplified or len(simplified) != len(names):
        simplified = names
    return list(zip(names, simplified, strict=True))


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
    versions waiting for a page with this digest are linked to it.

    One look-up finds the batch's earlier copies, one bulk insert writes it (rows keep the
    batch's order, so ids follow fetch order); a revisit of a capture in the same batch is
    pointed at it right after the insert.
    """
    if not captures:
        return
    compressor = zstandard.ZstdCompressor(level=ZSTD_LEVEL)
    digests = [item.digest or hashlib.sha256(item.body).hexdigest() for item in captures]
    keys = list(dict.fromkeys(zip(digests, (item.url for item in captures), strict=True)))
    stored = dict(rows_in(
        session,
        select(Capture.digest, Capture.url, func.min(Capture.id))
        .where(Capture.revisit_of_id.is_(None))
        .group_by(Capture.digest, Capture.url),
        tuple_(Capture.digest, Capture.url),
        keys,
        row=lambda digest, url, capture_id: ((digest, url), capture_id),
    ))
    first_in_batch: dict[tuple[str, str], int] = {}
    rows = []
    for position, (item, digest) in enumerate(zip(captures, digests, strict=True)):
        key = (digest, item.url)
        revisit = key in stored or key in first_in_batch
        first_in_batch.setdefault(key, position)
        rows.append({
            "url": item.url,
            "fetched_at": parse_time(item.fetched_at, UTC) or datetime.now(UTC),
            "status": item.status,
            "headers": item.headers,
            "request_method": item.request_method,
            "request_headers": item.request_headers,
            "body": None if revisit else compressor.compress(item.body),
            "digest": digest,
            "size": len(item.body),
            "revisit_of_id": stored.get(key),
        })
    ids = _insert(session, Capture, rows, returning=True)
    table = Capture.__table__
    revisits = [
        {"revisit_id": capture_id, "original_id": ids[first_in_batch[(digest, row["url"])]]}
        for capture_id, digest, row in zip(ids, digests, rows, strict=True)
        if row["body"] is None and row["revisit_of_id"] is None
    ]
    if revisits:
        session.execute(
            update(table).where(table.c.id == bindparam("revisit_id")).values(revisit_of_id=bindparam("original_id")),
            revisits,
        )
    first_of_digest: dict[str, int] = {}
    for digest, capture_id in zip(digests, ids, strict=True):
        first_of_digest.setdefault(digest, capture_id)
    _link_waiting_versions(session, first_of_digest)


def _link_waiting_versions(session: Session, capture_ids: dict[str, int]) -> None:
    """Point version pages stored before their capture at it (the first capture of each digest)."""
    waiting = rows_in(
        session,
        select(VersionCapture.version_id, VersionCapture.page, VersionCapture.digest).where(
            VersionCapture.capture_id.is_(None)
        ),
        VersionCapture.digest,
        list(capture_ids),
    )
    if waiting:
        table = VersionCapture.__table__
        session.execute(
            update(table)
            .where(table.c.version_id == bindparam("v_id"), table.c.page == bindparam("v_page"))
            .values(capture_id=bindparam("c_id")),
            [{"v_id": version_id, "v_page": page, "c_id": capture_ids[digest]} for version_id, page, digest in waiting],
        )


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


def record_progress(session: Session, job_id: int, stats: Mapping[str, Any]) -> None:
    """Store a running crawl's stats so far (a finished job keeps its final stats)."""
    job = session.get(CrawlJob, job_id)
    if job is not None and job.finished_at is None:
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
    # the https identity form stored beside an http URL (see item_urls) is that URL, not an alias
    twin = aliased(ArticleUrl)
    identity_form = ArticleUrl.url.startswith("https://") & exists().where(
        twin.article_id == ArticleUrl.article_id, twin.url == literal("http://") + func.substr(ArticleUrl.url, 9)
    )
    aliases = session.scalar(
        select(func.count(ArticleUrl.id)).join(Article).where(ArticleUrl.url != Article.canonical_url, ~identity_form)
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
        #: pages the crawl rejected as not articles, by reason (the counts of ``newsarchive/not_article/reason/…``)
        "not_articles": {k.rsplit("/", 1)[1]: v for k, v in (job.stats or {}).items()
                         if k.startswith("newsarchive/not_article/reason/")},
    }
