"""The archive tables.

One row per article (its newest text), with every URL it was seen under
(:class:`ArticleUrl`), every distinct text it ever had (:class:`ArticleVersion`), the
raw HTTP responses behind each version (:class:`Capture` via :class:`VersionCapture`),
and the crawl jobs that wrote them. Column formats follow :mod:`crawler.items`; text is
stored as published, with the Simplified twins that search and matching use.

Times are :class:`~models.types.AwareDateTime` so the zone survives on both databases.
Indexes cover the lookups made per stored item (URL → article, fingerprint → article,
URL + digest → capture), so storing never scans a table.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, ForeignKey, Index, Integer, LargeBinary, MetaData, String, Text, UniqueConstraint, func
from sqlalchemy.orm import DeclarativeBase, Mapped, column_property, mapped_column, relationship

from models.types import AwareDateTime, PackedJSON

#: Deterministic constraint names, so migrations can drop and alter them on both databases.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

#: Scrapy's ``URLLENGTH_LIMIT`` (2,083) with room for the identity form (https, see
#: ``crawler.parsing.urls.canonicalize``): every URL a crawl fetches fits, and it is short
#: enough for a unique B-tree index (PostgreSQL's limit is some 2,700 bytes). Longer URLs
#: are refused before the database sees them (:mod:`models.storable`).
URL_LENGTH = 2100


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class Site(Base):
    """A news site by registrable name, e.g. ``people.com.cn``."""

    __tablename__ = "site"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(255), unique=True)


class Article(Base):
    """An article's newest known text; older texts live in :class:`ArticleVersion`."""

    __tablename__ = "article"

    id: Mapped[int] = mapped_column(primary_key=True)
    canonical_url: Mapped[str] = mapped_column(String(URL_LENGTH), unique=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("site.id"), index=True)
    template: Mapped[str] = mapped_column(String(64), default="")
    title: Mapped[str | None] = mapped_column(Text)
    pretitle: Mapped[str | None] = mapped_column(Text)
    subtitle: Mapped[str | None] = mapped_column(Text)
    original_title: Mapped[str | None] = mapped_column(Text)
    published_at: Mapped[datetime | None] = mapped_column(AwareDateTime, index=True)
    published_at_raw: Mapped[str | None] = mapped_column(Text)
    published_precision: Mapped[str | None] = mapped_column(String(16))
    source: Mapped[str | None] = mapped_column(Text)
    body: Mapped[str] = mapped_column(Text, default="")
    body_html: Mapped[str] = mapped_column(Text, default="")
    #: ``[{"url": ..., "caption": ...}]`` as in :class:`crawler.items.Image`.
    images: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    breadcrumbs: Mapped[list[str]] = mapped_column(JSON, default=list)
    pages: Mapped[int] = mapped_column(Integer, default=1)
    printed_page: Mapped[str | None] = mapped_column(Text)
    script: Mapped[str] = mapped_column(String(16), default="zh-Hans")
    encoding: Mapped[str | None] = mapped_column(String(32))
    #: ``[{"kind": ..., "detail": ..., "field": ...}]`` as in :class:`crawler.items.Problem`.
    problems: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    title_simplified: Mapped[str | None] = mapped_column(Text)
    #: The Simplified twin of ``body`` only where it differs from ``body`` (a Traditional
    #: text), else ``""``: nearly every article is published in Simplified, and its text
    #: stored twice would be a third of the row. Read :attr:`body_simplified`.
    body_simplified_if_differs: Mapped[str] = mapped_column(Text, default="")
    source_simplified: Mapped[str | None] = mapped_column(Text)
    #: :func:`models.fingerprint.article_fingerprint` digest of the current text.
    fingerprint: Mapped[str] = mapped_column(String(64), index=True)
    first_seen: Mapped[datetime] = mapped_column(AwareDateTime)
    last_seen: Mapped[datetime] = mapped_column(AwareDateTime)
    #: :attr:`ArticleVersion.number` of the text the columns above hold.
    current_version: Mapped[int] = mapped_column(Integer, default=1)

    #: The body in Simplified script (search and matching use it), in SQL as in Python.
    body_simplified: Mapped[str] = column_property(
        func.coalesce(func.nullif(body_simplified_if_differs, ""), body).label("body_simplified")
    )

    site: Mapped[Site] = relationship()
    people: Mapped[list[ArticlePerson]] = relationship(
        back_populates="article", cascade="all, delete-orphan", order_by="[ArticlePerson.role, ArticlePerson.position]"
    )


class Person(Base):
    """An author or editor name, as printed; ``name_simplified`` is used to match Traditional spellings."""

    __tablename__ = "person"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(255), unique=True)
    name_simplified: Mapped[str] = mapped_column(String(255), index=True)


class ArticlePerson(Base):
    """Credit of a person on an article: ``role`` is ``"author"`` or ``"editor"``,
    ``position`` the 0-based order within that role as on the page."""

    __tablename__ = "article_person"

    article_id: Mapped[int] = mapped_column(ForeignKey("article.id", ondelete="CASCADE"), primary_key=True)
    role: Mapped[str] = mapped_column(String(16), primary_key=True)
    position: Mapped[int] = mapped_column(Integer, primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)

    article: Mapped[Article] = relationship(back_populates="people")
    person: Mapped[Person] = relationship()


class ArticleUrl(Base):
    """Every URL an article was seen under (its canonical URL, page URLs, reposts)."""

    __tablename__ = "article_url"

    id: Mapped[int] = mapped_column(primary_key=True)
    url: Mapped[str] = mapped_column(String(URL_LENGTH), unique=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("article.id", ondelete="CASCADE"), index=True)
    #: What this URL served: ``zh-Hant`` for a Traditional mirror of a Simplified article;
    #: NULL for URLs stored before migration 0008 (unknown).
    script: Mapped[str | None] = mapped_column(String(16))


class ArticleVersion(Base):
    """One distinct text of an article, kept forever; ``item`` is the full
    :meth:`crawler.items.Article.to_dict` as stored, compressed (:class:`PackedJSON`)."""

    __tablename__ = "article_version"
    __table_args__ = (UniqueConstraint("article_id", "number", name="uq_article_version_article_id_number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("article.id", ondelete="CASCADE"))
    #: 1 for the first text seen, then 2, 3 … for each change.
    number: Mapped[int] = mapped_column(Integer)
    fetched_at: Mapped[datetime] = mapped_column(AwareDateTime)
    fingerprint: Mapped[str] = mapped_column(String(64))
    #: Nullable only because a column added to a filled table must be (migration 0013);
    #: every version has one.
    item: Mapped[dict[str, Any]] = mapped_column("item_zstd", PackedJSON, nullable=True)


class Capture(Base):
    """One HTTP response as fetched.

    ``body`` is the zstandard-compressed response body. A re-fetch whose body is
    byte-identical to an earlier capture of the same URL is a *revisit*: ``body`` is
    ``None`` and ``revisit_of_id`` points to the capture holding the bytes (as a WARC
    revisit record would). An *offloaded* body (``newsarchive captures offload``) is
    ``None`` too and lives in the WARC record at ``warc_offset``/``warc_length`` of
    ``warc_file_id``; :func:`models.capture_store.capture_body` reads every kind.
    """

    __tablename__ = "capture"
    __table_args__ = (Index("ix_capture_digest_url", "digest", "url"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    url: Mapped[str] = mapped_column(String(URL_LENGTH), index=True)
    fetched_at: Mapped[datetime] = mapped_column(AwareDateTime)
    status: Mapped[int] = mapped_column(Integer)
    #: ``[[name, value], ...]`` in order, latin-1 decoded.
    headers: Mapped[list[list[str]]] = mapped_column(JSON, default=list)
    request_method: Mapped[str] = mapped_column(String(16), default="GET")
    request_headers: Mapped[list[list[str]]] = mapped_column(JSON, default=list)
    body: Mapped[bytes | None] = mapped_column(LargeBinary)
    #: SHA-256 hex digest of the uncompressed body.
    digest: Mapped[str] = mapped_column(String(64))
    #: Size of the uncompressed body in bytes.
    size: Mapped[int] = mapped_column(Integer)
    revisit_of_id: Mapped[int | None] = mapped_column(ForeignKey("capture.id"))
    warc_file_id: Mapped[int | None] = mapped_column(ForeignKey("warc_file.id"), index=True)
    #: Byte offset and length of the body's gzipped WARC ``response`` record in that file.
    warc_offset: Mapped[int | None] = mapped_column(BigInteger)
    warc_length: Mapped[int | None] = mapped_column(BigInteger)


class WarcFile(Base):
    """A WARC file holding offloaded capture bodies (:mod:`models.capture_store`).

    ``bytes`` is the length the database vouches for: bytes past it were written by an
    offload that never committed, and are cut off before the file is appended to again.
    A file is ``sealed_at`` once full; it then has a CDXJ index beside it.
    """

    __tablename__ = "warc_file"

    id: Mapped[int] = mapped_column(primary_key=True)
    path: Mapped[str] = mapped_column(String(4096), unique=True)
    bytes: Mapped[int] = mapped_column(BigInteger, default=0)
    records: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(AwareDateTime)
    sealed_at: Mapped[datetime | None] = mapped_column(AwareDateTime)


class VersionCapture(Base):
    """The raw page behind page ``page`` (1-based) of an article version.

    Linked by the page's body ``digest`` (from :attr:`crawler.items.Article.page_digests`);
    ``capture_id`` is filled as soon as a capture with that digest is stored, whichever of
    the two arrives first.
    """

    __tablename__ = "version_capture"

    version_id: Mapped[int] = mapped_column(ForeignKey("article_version.id", ondelete="CASCADE"), primary_key=True)
    page: Mapped[int] = mapped_column(Integer, primary_key=True)
    digest: Mapped[str] = mapped_column(String(64), index=True)
    capture_id: Mapped[int | None] = mapped_column(ForeignKey("capture.id"), index=True)


class CrawlJob(Base):
    """One crawl run: what was asked, when, on which machine, and how it ended."""

    __tablename__ = "crawl_job"

    id: Mapped[int] = mapped_column(primary_key=True)
    spider: Mapped[str] = mapped_column(String(64))
    arguments: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    started_at: Mapped[datetime] = mapped_column(AwareDateTime, index=True)
    finished_at: Mapped[datetime | None] = mapped_column(AwareDateTime)
    #: Scrapy's finish reason (``finished``, ``shutdown``, ``closespider_…``), ``None`` while running.
    outcome: Mapped[str | None] = mapped_column(String(64))
    stats: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    pid: Mapped[int | None] = mapped_column(Integer)
    host: Mapped[str | None] = mapped_column(String(255))
