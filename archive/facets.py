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

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from archive.char_months import month_counts
from archive.filters import Filters, TokenPlan, matches_many, select_articles
from archive.times import ARTICLE_ZONE, Unit, date_label
from models.repository import one_of
from models.schema import Article, ArticlePerson, Person, Site

#: Values listed per facet (the most frequent first); the rest are left out.
FACET_SIZE = 10
#: Most matches the site, source and people facets count (the newest ones).
FACET_SAMPLE = 2000
#: Facets :func:`overview` computes, in the order pages show them.
FACET_NAMES = ("site", "source", "author", "editor", "year", "month")


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


@dataclass(frozen=True, slots=True)
class Overview:
    """What a search page shows beside its hits: how many articles match, the facet
    counts (:data:`FACET_NAMES`), and the date histogram in ``unit`` buckets."""

    total: int
    facets: dict[str, list[Count]]
    unit: Unit
    histogram: list[Bucket]
    #: How many matches the site, source and people facets counted: the newest
    #: :data:`FACET_SAMPLE` when more match (dates are always counted over all).
    counted: int


def overview(session: Session, filters: Filters, size: int = FACET_SIZE) -> Overview:
    """Total, facets (``size`` values each, most frequent first; years and months newest
    first) and histogram of the selection.

    The newest :data:`FACET_SAMPLE` matches are read first, with their days. When fewer
    match, that one pass holds every match and the dates are counted from it (a query
    whose terms are tested on the text, such as a 4-character word, is then run once, not
    once per facet); a search for one character reads its months from the index's
    rollup (:mod:`archive.char_months`); else grouped queries by month (and by day for a
    range of days) count every match. Site, source and people facets are counted over
    those newest matches: exact for narrow searches, and for a term found in most of the archive a bounded cost
    instead of a pass over every credit (:attr:`Overview.counted` says which)."""
    plan = _date_plan(session, filters)
    newest = _newest(session, filters, plan)
    complete = len(newest) < FACET_SAMPLE
    if (rolled_up := month_counts(session, filters)) is not None:
        months = [Count(month, n) for month, n in rolled_up]
    else:
        months = _counted(newest, "month") if complete else _by_date(session, filters, "month", plan)
    total = sum(month.count for month in months)

    years: dict[str | None, int] = {}
    for month in months:
        year = month.value[:4] if month.value else None
        years[year] = years.get(year, 0) + month.count
    by_year = [Count(value, n) for value, n in years.items()]
    unit = histogram_unit(filters.since, filters.until, len(years))
    if unit == "day":
        dated = _counted(newest, "day") if complete else _by_date(session, filters, "day", plan)
    else:
        dated = months if unit == "month" else by_year
    ids = [article_id for article_id, _ in newest]
    counts = {**_sites_and_sources(session, ids, size), **_people(session, ids, size),
              "year": by_year[:size], "month": months[:size]}
    return Overview(
        total=total,
        facets={name: counts[name] for name in FACET_NAMES},
        unit=unit,
        histogram=[Bucket(c.value, *period(c.value), c.count) for c in reversed(dated) if c.value],
        counted=min(total, FACET_SAMPLE),
    )


def period(label: str) -> tuple[date, date]:
    """First and last day of a year, month or day label (``2024``, ``2024-03``, ``2024-03-01``)."""
    unit: Unit = {4: "year", 7: "month"}.get(len(label), "day")  # type: ignore[assignment]
    start = date.fromisoformat({"year": f"{label}-01-01", "month": f"{label}-01", "day": label}[unit])
    return start, _last_day(start, unit)


def histogram_unit(since: date | None, until: date | None, years: int) -> Unit:
    """A unit giving a readable number of bars: days for a range of two months or less,
    else months when the matches span at most ten years, else years."""
    if since is not None and until is not None and (until - since).days <= 62:
        return "day"
    return "month" if years <= 10 else "year"


def _day_start(day: date) -> datetime:
    return datetime.combine(day, time(), ARTICLE_ZONE)


def _last_day(start: date, unit: Unit) -> date:
    if unit == "day":
        return start
    if unit == "year":
        return date(start.year, 12, 31)
    following = date(start.year + start.month // 12, start.month % 12 + 1, 1)
    return date.fromordinal(following.toordinal() - 1)


def _date_plan(session: Session, filters: Filters) -> TokenPlan:
    """How the date counts and the newest matches use the token index.

    Where the query matches a large part of the archive and no filter reads the article
    row, the dates are read from the date index alone, each entry's id tested against the
    token list (``"filter"``): 20,000 articles and a 1-character term found in 18,000 of
    them, 13 ms for the months and 3 ms for the newest 2,000 instead of 33 and 24 ms
    looking up each match's article row (``"list"``, still the right plan when few match:
    the whole date index is not read for them)."""
    reads_row = filters.site or filters.source or filters.script or filters.author or filters.editor
    return "filter" if not reads_row and matches_many(session, filters) else "list"


def _newest(session: Session, filters: Filters, plan: TokenPlan) -> list[tuple[int, str | None]]:
    """Id and day label (China time) of the newest :data:`FACET_SAMPLE` matches, read
    once, so the facets after it do not each run the query again."""
    day = date_label(session.get_bind().dialect.name, "day").label("day")
    statement = select_articles(session, filters, Article.id, day, plan=plan, site=False)
    order = (Article.published_at.desc().nulls_last(), Article.id.desc())
    return [(article_id, label) for article_id, label in session.execute(statement.order_by(*order).limit(FACET_SAMPLE))]


def _counted(rows: list[tuple[int, str | None]], unit: Unit) -> list[Count]:
    """Counts per ``unit`` label of ``rows`` (newest first, undated last), as :func:`_by_date` gives them."""
    width = {"year": 4, "month": 7, "day": 10}[unit]
    counts: dict[str | None, int] = {}
    for _, day in rows:
        label = day[:width] if day else None
        counts[label] = counts.get(label, 0) + 1
    dated = sorted((label for label in counts if label is not None), reverse=True)
    return [Count(label, counts[label]) for label in dated] + ([Count(None, counts[None])] if None in counts else [])


def _sites_and_sources(session: Session, ids: list[int], size: int) -> dict[str, list[Count]]:
    """Site and source facets of the articles ``ids`` from one pass: counts per (site, source) pair, summed."""
    count = func.count().label("n")
    pairs = session.execute(select(Site.name, Article.source, count).select_from(Article)
                            .join(Site, Site.id == Article.site_id).where(one_of(session, Article.id, ids))
                            .group_by(Site.name, Article.source))
    sites: dict[str, int] = {}
    sources: dict[str, int] = {}
    for site, source, n in pairs:
        sites[site] = sites.get(site, 0) + n
        if source:
            sources[source] = sources.get(source, 0) + n
    return {"site": _top(sites, size), "source": _top(sources, size)}


def _people(session: Session, ids: list[int], size: int) -> dict[str, list[Count]]:
    """Author and editor facets from one pass over the credits of the articles ``ids``."""
    count = func.count().label("n")
    statement = (
        select(ArticlePerson.role, Person.name, count)
        .join(Person, Person.id == ArticlePerson.person_id)
        .where(one_of(session, ArticlePerson.article_id, ids))
        .group_by(ArticlePerson.role, Person.name)
    )
    roles: dict[str, dict[str, int]] = {"author": {}, "editor": {}}
    for role, name, n in session.execute(statement):
        roles.setdefault(role, {})[name] = n
    return {role: _top(roles[role], size) for role in ("author", "editor")}


def _top(counts: dict[str, int], size: int) -> list[Count]:
    return [Count(value, n) for value, n in sorted(counts.items(), key=lambda item: (-item[1], item[0]))[:size]]


def _by_date(session: Session, filters: Filters, unit: Unit, plan: TokenPlan = "list") -> list[Count]:
    """Counts per ``unit`` label (``2024-03``, ``2024-03-01``), newest first, undated last."""
    label = date_label(session.get_bind().dialect.name, unit).label("bucket")
    count = func.count().label("n")
    statement = (select_articles(session, filters, label, count, plan=plan, site=False)
                 .group_by(label).order_by(label.desc().nulls_last()))
    return [Count(value, n) for value, n in session.execute(statement)]


def archived_per_day(session: Session, since: date) -> list[tuple[str, str, int]]:
    """(day, site, articles first archived that day) from ``since`` on, days in China
    time, oldest first: the archive's growth, where a site that stops yielding shows."""
    day = date_label(session.get_bind().dialect.name, "day", Article.first_seen).label("day")
    count = func.count().label("n")
    statement = (
        select_articles(session, Filters(), day, Site.name, count)
        .where(Article.first_seen >= _day_start(since))
        .group_by(day, Site.name)
        .order_by(day, Site.name)
    )
    return [(label, site, n) for label, site, n in session.execute(statement)]
