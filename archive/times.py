"""How the read side shows times: in the article's own zone, the instant kept.

The archived sites date their articles in China time (UTC+8, no daylight saving), and an
archivist compares what the archive says with the page: ``2020年05月27日01:33`` must read
``2020-05-27T01:33:00+08:00``, not the same instant in UTC (``2020-05-26T17:33:00+00:00``),
and a dateline that gives only a day (``2022年02月13日``) must read ``2022-02-13``, not the
evening before. Storage is exact either way (see docs/archive.md, "Times"); only display
changes zone, so every instant converts back unchanged. Dates are labelled by year, month
or day in that zone too (:func:`date_label`): the facets' buckets, and the months the
search index's rollup counts under (the write side files them with the same expression).
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from sqlalchemy import ColumnElement, func, literal_column

from models.repository import CHINA_TIME
from models.schema import Article

#: The zone articles are shown in (every archived site publishes in China time).
ARTICLE_ZONE = CHINA_TIME

#: Precision of a date label (:func:`date_label`).
Unit = Literal["year", "month", "day"]
#: strftime patterns of each unit (SQLite; PostgreSQL's to_char equivalents below).
_SQLITE_FORMAT = {"year": "%Y", "month": "%Y-%m", "day": "%Y-%m-%d"}
_PG_FORMAT = {"year": "YYYY", "month": "YYYY-MM", "day": "YYYY-MM-DD"}


def in_article_zone(value: datetime | None) -> datetime | None:
    """``value`` as the same instant in :data:`ARTICLE_ZONE`."""
    return value.astimezone(ARTICLE_ZONE) if value is not None else None


def shown_time(value: datetime | None, precision: str | None = None) -> str | None:
    """ISO text in the article's zone: ``2020-05-27T01:33:00+08:00``, or ``2022-02-13``
    when the page gave only the day (``precision == "day"``)."""
    local = in_article_zone(value)
    if local is None:
        return None
    return local.date().isoformat() if precision == "day" else local.isoformat()


def shown_day(value: datetime | None) -> str:
    """The day in the article's zone, ``----------`` when unknown (fixed width for listings)."""
    local = in_article_zone(value)
    return local.date().isoformat() if local is not None else "----------"


def date_label(dialect: str, unit: Unit, column: ColumnElement[datetime | None] = Article.published_at
               ) -> ColumnElement[str | None]:
    """``column`` in China time, as text of ``unit`` precision (``2024``, ``2024-03``,
    ``2024-03-01``): how facets bucket dates and the search index's month rollup
    (:mod:`models.search_index`) files them, one expression so the two always agree.
    SQLite holds UTC text (:class:`models.types.AwareDateTime`), so eight hours are added."""
    if dialect == "sqlite":
        return func.strftime(_SQLITE_FORMAT[unit], column, "+8 hours")
    china = column.op("AT TIME ZONE")(literal_column("'Asia/Shanghai'"))
    return func.to_char(china, _PG_FORMAT[unit])
