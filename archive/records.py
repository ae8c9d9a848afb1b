"""Export records: one dict per article in the documented schema
(``schemas/article-export.v1.json``; times are aware datetimes, serialised by each
format), read in id-ordered batches so memory stays flat; or a batch's fields column by
column, for columnar formats (Parquet).

Every read is set-wise: a batch of articles is one query (keyset paging by id, so the
last batch costs what the first does, on SQLite and PostgreSQL alike), and their people
and URLs two more (not two per article). With a consumer, only articles whose current
version that consumer has not been given are selected (see
:class:`models.search.ExportWatermark`).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, NamedTuple

import orjson
from sqlalchemy import ColumnElement, Row, Select, Text, cast, or_, select
from sqlalchemy.orm import Session

from archive.filters import Filters, select_articles
from archive.times import ARTICLE_ZONE
from models.schema import Article, ArticlePerson, ArticleUrl, Person, Site
from models.search import ExportWatermark
from models.types import aware_in, plain_times

SCHEMA_VERSION = 1
#: Articles per batch: large enough for fast bulk reads, small enough to keep memory flat.
BATCH_SIZE = 1000

Record = dict[str, Any]
#: A batch's fields column by column (name → one value per article), in record key order.
Columns = dict[str, list[Any]]

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
    """Items for a format's writer (records, encoded lines, or :data:`Columns`) and the
    (article id, version) of each article, for the consumer's watermark."""

    items: Any
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


def column_batches(session: Session, filters: Filters, consumer: str | None = None) -> Iterator[Batch]:
    """The selected articles' fields as :data:`Columns`, ``BATCH_SIZE`` articles at a
    time, in article id order."""
    for rows in selection_batches(session, filters, consumer, *_RECORD_COLUMNS):
        yield Batch(_columns(session, rows), [(row[0], row[1]) for row in rows])


def record_batches(session: Session, filters: Filters, consumer: str | None = None) -> Iterator[Batch]:
    """Records of the selected articles, ``BATCH_SIZE`` at a time, in article id order."""
    for batch in column_batches(session, filters, consumer):
        yield Batch(records_of(batch.items), batch.versions)


def records_of(columns: Columns) -> list[Record]:
    """The records (one per article) of a batch's columns."""
    return [dict(zip(columns, values)) for values in zip(*columns.values())]


def article_record(session: Session, article_id: int) -> Record | None:
    """One article's record (what an export holds for it), ``None`` for an unknown id."""
    statement = (select(Article.id, Article.current_version, *_RECORD_COLUMNS)
                 .join(Site, Site.id == Article.site_id).where(Article.id == article_id))
    rows = session.connection().execute(statement).all()
    return records_of(_columns(session, rows))[0] if rows else None


#: Columns holding JSON, read as their text and parsed by orjson: profiled, the JSON
#: type's own parsing (``json.loads`` per value) was a fifth of reading a row.
_JSON_COLUMNS = ("images", "breadcrumbs")
#: Times, read plain and put in the article's zone a column at a time (:func:`models.types.plain_times`).
_TIME_COLUMNS = ("published_at", "first_seen", "last_seen")


def _read_as(name: str) -> ColumnElement[Any]:
    """How :func:`_columns` reads the article column ``name`` (JSON as text, times plain)."""
    column = getattr(Article, name)
    if name in _JSON_COLUMNS:
        return cast(column, Text)
    return plain_times(column) if name in _TIME_COLUMNS else column


#: Columns after (id, current version) that :func:`_columns` reads.
_RECORD_COLUMNS = (Site.name, *map(_read_as, COLUMNS))
#: The fields a row holds, in its order (the schema's).
_ROW_FIELDS = ("id", "version", "site", *COLUMNS)


def _columns(session: Session, rows: list[Row[Any]]) -> Columns:
    """A batch's fields column by column: profiled, converting a column in one
    comprehension costs half of converting each record's fields in turn."""
    ids = [row[0] for row in rows]
    people, urls = people_of(session, ids), urls_of(session, ids)
    columns: Columns = {"schema_version": [SCHEMA_VERSION] * len(rows)}
    columns.update(zip(_ROW_FIELDS, map(list, zip(*rows))))
    # The article's zone whatever the database returns (archive.times): the instant is kept.
    for name in _TIME_COLUMNS:
        columns[name] = aware_in(ARTICLE_ZONE, columns[name])
    for name in _JSON_COLUMNS:
        columns[name] = [None if value is None else orjson.loads(value) for value in columns[name]]
    credits = [people.get(id_, _NO_CREDITS) for id_ in ids]
    columns["authors"] = [names.get("author", []) for names in credits]
    columns["editors"] = [names.get("editor", []) for names in credits]
    columns["urls"] = [urls.get(id_, []) for id_ in ids]
    return columns


_NO_CREDITS: dict[str, list[str]] = {}


def people_of(session: Session, ids: list[int]) -> dict[int, dict[str, list[str]]]:
    """Names by article and role (``"author"``, ``"editor"``), in page order; one query
    (articles outside ``ids`` may be included: see :func:`_among`)."""
    found: dict[int, dict[str, list[str]]] = {}
    rows = _driver_rows(
        session,
        select(ArticlePerson.article_id, ArticlePerson.role, Person.name)
        .join(Person, Person.id == ArticlePerson.person_id)
        .where(_among(ArticlePerson.article_id, ids))
        .order_by(ArticlePerson.article_id, ArticlePerson.role, ArticlePerson.position),
    )
    for article_id, role, name in rows:
        found.setdefault(article_id, {}).setdefault(role, []).append(name)
    return found


def urls_of(session: Session, ids: list[int]) -> dict[int, list[str]]:
    """Every URL of each article, in the order first stored; one query (articles outside
    ``ids`` may be included: see :func:`_among`)."""
    found: dict[int, list[str]] = {}
    rows = _driver_rows(
        session,
        select(ArticleUrl.article_id, ArticleUrl.url).where(_among(ArticleUrl.article_id, ids)).order_by(ArticleUrl.id),
    )
    for article_id, url in rows:
        found.setdefault(article_id, []).append(url)
    return found


def _driver_rows(session: Session, statement: Select[Any]) -> list[tuple[Any, ...]]:
    """All rows of ``statement`` as the driver's tuples, for columns the driver already
    gives as Python wants them (integers, text): profiled, SQLAlchemy's row per row was a
    third of reading an export's people and URLs."""
    with session.connection().execute(statement) as result:
        return result.cursor.fetchall()


def _among(column: ColumnElement[int], ids: list[int]) -> ColumnElement[bool]:
    """``column`` is one of ``ids``, or (ids dense enough, as a whole-archive export's
    batches are) between their least and greatest: profiled, rendering a 1,000-value
    ``IN`` list cost more than the query, and the few rows of articles between the ids
    cost less than that."""
    low, high = min(ids, default=0), max(ids, default=0)
    if high - low < _DENSE * len(ids):
        return column.between(low, high)
    return column.in_(ids)


#: Most id values per selected article that :func:`_among` reads as a range.
_DENSE = 2
