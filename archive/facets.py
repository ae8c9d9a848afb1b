"""Facet counts and a date histogram for an article selection: how many of the articles a
search finds are on each site, from each source, by each author or editor, in each year,
month or day.

Read-only, and built on :func:`archive.filters.select_articles`, so the counts are always
over exactly the articles the same filters and query select for ``search`` and
``export``. Dates are bucketed in China time, as the ``since``/``until`` filters read
them. Articles without a date are counted under ``None``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Literal

from sqlalchemy import ColumnElement, func, literal_column
from sqlalchemy.orm import Session, aliased

from archive.filters import Filters, select_articles
from models.repository import CHINA_TIME
from models.schema import Article, ArticlePerson, Person, Site

#: Values listed per facet (the most frequent first); the rest are left out.
FACET_SIZE = 10
#: Facets :func:`facets` computes, in the order pages show them.
FACET_NAMES = ("site", "source", "author", "editor", "year", "month")

Unit = Literal["year", "month", "day"]
#: strftime patterns of each histogram unit (SQLite; PostgreSQL's to_char equivalents below).
_SQLITE_FORMAT = {"year": "%Y", "month": "%Y-%m", "day": "%Y-%m-%d"}
_PG_FORMAT = {"year": "YYYY", "month": "YYYY-MM", "day": "YYYY-MM-DD"}


@dataclass(frozen=True, slots=True)
class Count:
    """``count`` selected articles have ``value`` (``None``: articles without one)."""

    value: str | None
    count: int


@dataclass(frozen=True, slots=True)
class Bucket:
    """``count`` selected articles published from ``start`` to ``end`` (inclusive days)."""

    label: str
    start: date
    end: date
    count: int


def facets(session: Session, filters: Filters, size: int = FACET_SIZE) -> dict[str, list[Count]]:
    """Counts per facet value for the selection, most frequent first (years and months
    newest first), ``size`` values per facet."""
    site = _grouped(session, filters, Site.name, size)
    return {
        "site": site,
        "source": _grouped(session, filters, Article.source, size, skip_none=True),
        "author": _people(session, filters, "author", size),
        "editor": _people(session, filters, "editor", size),
        "year": _by_date(session, filters, "year")[:size],
        "month": _by_date(session, filters, "month")[:size],
    }


def histogram(session: Session, filters: Filters, unit: Unit) -> list[Bucket]:
    """Dated articles of the selection per ``unit``, oldest first (empty buckets left out)."""
    counts = reversed(_by_date(session, filters, unit, skip_none=True))
    return [Bucket(c.value, *period(c.value), c.count) for c in counts if c.value]


def period(label: str) -> tuple[date, date]:
    """First and last day of a year, month or day label (``2024``, ``2024-03``, ``2024-03-01``)."""
    unit: Unit = {4: "year", 7: "month"}.get(len(label), "day")  # type: ignore[assignment]
    start = date.fromisoformat({"year": f"{label}-01-01", "month": f"{label}-01", "day": label}[unit])
    return start, _last_day(start, unit)


def histogram_unit(since: date | None, until: date | None) -> Unit:
    """A unit giving a readable number of bars for a range: days within two months,
    months within ten years, else years (an open range counts as long)."""
    if since is None or until is None:
        return "month" if since or until else "year"
    days = (until - since).days
    return "day" if days <= 62 else "month" if days <= 3660 else "year"


def _day_start(day: date) -> datetime:
    return datetime.combine(day, time(), CHINA_TIME)


def _last_day(start: date, unit: Unit) -> date:
    if unit == "day":
        return start
    if unit == "year":
        return date(start.year, 12, 31)
    following = date(start.year + start.month // 12, start.month % 12 + 1, 1)
    return date.fromordinal(following.toordinal() - 1)


def _grouped(
    session: Session, filters: Filters, column: ColumnElement[str | None], size: int, skip_none: bool = False
) -> list[Count]:
    count = func.count().label("n")
    statement = select_articles(session, filters, column, count).group_by(column).order_by(count.desc(), column)
    if skip_none:
        statement = statement.where(column.is_not(None), column != "")
    return [Count(value, n) for value, n in session.execute(statement.limit(size))]


def _people(session: Session, filters: Filters, role: str, size: int) -> list[Count]:
    # Aliases: the author/editor filters test the same tables in a correlated subquery.
    credit, person = aliased(ArticlePerson), aliased(Person)
    count = func.count().label("n")
    statement = (
        select_articles(session, filters, person.name, count)
        .join(credit, (credit.article_id == Article.id) & (credit.role == role))
        .join(person, person.id == credit.person_id)
        .group_by(person.name)
        .order_by(count.desc(), person.name)
        .limit(size)
    )
    return [Count(name, n) for name, n in session.execute(statement)]


def _by_date(session: Session, filters: Filters, unit: Unit, skip_none: bool = False) -> list[Count]:
    """Counts per ``unit`` label (``2024``, ``2024-03``, ``2024-03-01``), newest first."""
    label = _date_label(session.get_bind().dialect.name, unit).label("bucket")
    count = func.count().label("n")
    statement = select_articles(session, filters, label, count).group_by(label).order_by(label.desc().nulls_last())
    if skip_none:
        statement = statement.where(Article.published_at.is_not(None))
    return [Count(value, n) for value, n in session.execute(statement)]


def archived_per_day(session: Session, since: date) -> list[tuple[str, str, int]]:
    """(day, site, articles first archived that day) from ``since`` on, days in China
    time, oldest first: the archive's growth, where a site that stops yielding shows."""
    day = _date_label(session.get_bind().dialect.name, "day", Article.first_seen).label("day")
    count = func.count().label("n")
    statement = (
        select_articles(session, Filters(), day, Site.name, count)
        .where(Article.first_seen >= _day_start(since))
        .group_by(day, Site.name)
        .order_by(day, Site.name)
    )
    return [(label, site, n) for label, site, n in session.execute(statement)]


def _date_label(dialect: str, unit: Unit, column: ColumnElement[datetime | None] = Article.published_at
                ) -> ColumnElement[str | None]:
    """``column`` in China time, as text of ``unit`` precision. SQLite holds UTC text
    (:class:`models.types.AwareDateTime`), so eight hours are added."""
    if dialect == "sqlite":
        return func.strftime(_SQLITE_FORMAT[unit], column, "+8 hours")
    china = column.op("AT TIME ZONE")(literal_column("'Asia/Shanghai'"))
    return func.to_char(china, _PG_FORMAT[unit])
