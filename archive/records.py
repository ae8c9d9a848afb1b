"""Export records: one dict per article in the documented schema
(``schemas/article-export.v1.json``; times are aware datetimes, serialised by each
format), read in id-ordered batches so memory stays flat.

People and URLs are fetched per batch (two queries per 1,000 articles, not two per
article). With a consumer, only articles whose current version that consumer has not
been given are selected (see :class:`models.search.ExportWatermark`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from typing import Any, NamedTuple

from sqlalchemy import ColumnElement, Row, or_, select
from sqlalchemy.orm import Session

from archive.filters import Filters, select_articles
from archive.times import in_article_zone
from models.schema import Article, ArticlePerson, ArticleUrl, Person, Site
from models.search import ExportWatermark

SCHEMA_VERSION = 1
#: Articles per batch: large enough for fast bulk reads, small enough to keep memory flat.
BATCH_SIZE = 1000

Record = dict[str, Any]

#: Article columns exported under their own names, in schema order.
COLUMNS = (
    "canonical_url",
    "title",
    "pretitle",
    "subtitle",
    "original_title",
    "published_at",
    "published_at_raw",
    "published_precision",
    "source",
    "body",
    "images",
    "breadcrumbs",
    "pages",
    "printed_page",
    "script",
    "encoding",
    "title_simplified",
    "body_simplified",
    "first_seen",
    "last_seen",
)


class Batch(NamedTuple):
    """Items for a format's writer (records, or lines a format had the database build)
    and the (article id, version) behind each, for the consumer's watermark."""

    items: list[Any]
    versions: list[tuple[int, int]]


def selection_batches(
    session: Session, filters: Filters, consumer: str | None, *columns: ColumnElement[Any]
) -> Iterator[list[Row[Any]]]:
    """Rows of (article id, current version, *columns) for the selected articles,
    ``BATCH_SIZE`` at a time in id order (keyset paging: each batch costs the same)."""
    statement = select_articles(session, filters, Article.id, Article.current_version, *columns)
    statement = statement.order_by(Article.id).limit(BATCH_SIZE)
    if consumer is not None:
        statement = statement.outerjoin(
            ExportWatermark, (ExportWatermark.article_id == Article.id) & (ExportWatermark.consumer == consumer)
        ).where(or_(ExportWatermark.version.is_(None), ExportWatermark.version != Article.current_version))
    last_id = 0
    connection = session.connection()  # plain rows: the ORM result layer costs more than the query
    while rows := connection.execute(statement.where(Article.id > last_id)).all():
        yield rows
        last_id = rows[-1][0]


def record_batches(session: Session, filters: Filters, consumer: str | None = None) -> Iterator[Batch]:
    """Records of the selected articles, ``BATCH_SIZE`` at a time, in article id order."""
    for rows in selection_batches(session, filters, consumer, *_RECORD_COLUMNS):
        yield Batch(_records(session, rows), [(row[0], row[1]) for row in rows])


def article_record(session: Session, article_id: int) -> Record | None:
    """One article's record (what an export holds for it), ``None`` for an unknown id."""
    statement = (select(Article.id, Article.current_version, *_RECORD_COLUMNS)
                 .join(Site, Site.id == Article.site_id).where(Article.id == article_id))
    rows = session.connection().execute(statement).all()
    return _records(session, rows)[0] if rows else None


#: Columns after (id, current version) that :func:`_record` reads.
_RECORD_COLUMNS = (Site.name, *(getattr(Article, name) for name in COLUMNS))


def _records(session: Session, rows: list[Row[Any]]) -> list[Record]:
    ids = [row[0] for row in rows]
    people, urls = people_of(session, ids), urls_of(session, ids)
    return [_record(row, people[row[0]], urls[row[0]]) for row in rows]


def _record(row: Any, people: dict[str, list[str]], urls: list[str]) -> Record:
    id_, version, site, *values = row
    record: Record = {"schema_version": SCHEMA_VERSION, "id": id_, "version": version, "site": site}
    record.update(zip(COLUMNS, values))
    # The article's zone whatever the database returns (archive.times): the instant is kept.
    for name in ("published_at", "first_seen", "last_seen"):
        record[name] = in_article_zone(record[name])
    record["authors"] = people.get("author", [])
    record["editors"] = people.get("editor", [])
    record["urls"] = urls
    return record


def people_of(session: Session, ids: list[int]) -> dict[int, dict[str, list[str]]]:
    """Names by article and role (``"author"``, ``"editor"``), in page order; one query."""
    found: dict[int, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    rows = session.execute(
        select(ArticlePerson.article_id, ArticlePerson.role, Person.name)
        .join(Person, Person.id == ArticlePerson.person_id)
        .where(ArticlePerson.article_id.in_(ids))
        .order_by(ArticlePerson.article_id, ArticlePerson.role, ArticlePerson.position)
    )
    for article_id, role, name in rows:
        found[article_id][role].append(name)
    return found


def urls_of(session: Session, ids: list[int]) -> dict[int, list[str]]:
    """Every URL of each article, in the order first stored; one query."""
    found: dict[int, list[str]] = defaultdict(list)
    rows = session.execute(
        select(ArticleUrl.article_id, ArticleUrl.url).where(ArticleUrl.article_id.in_(ids)).order_by(ArticleUrl.id)
    )
    for article_id, url in rows:
        found[article_id].append(url)
    return found
