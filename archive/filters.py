"""What search and export have in common: the article selection (query + filters) as SQL.

Every value the user typed reaches the database as a bound parameter; text filters
compare OpenCC Simplified forms, so ``--author 張三`` finds 张三.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from sqlalchemy import ColumnElement, Select, cast, exists, func, literal_column, not_, or_, select, text
from sqlalchemy.dialects.postgresql import TSQUERY
from sqlalchemy.orm import Session

from archive.index_tables import FTS_TABLE, article_search
from archive.query import Query, Term
from crawler.parsing.chinese import to_simplified
from models.repository import CHINA_TIME
from models.schema import Article, ArticlePerson, Person, Site

SCRIPTS = ("zh-Hans", "zh-Hant")


@dataclass(frozen=True, slots=True)
class Filters:
    """Metadata conditions; ``since``/``until`` are inclusive days in China time."""

    site: str | None = None
    since: date | None = None
    until: date | None = None
    source: str | None = None
    author: str | None = None
    editor: str | None = None
    script: str | None = None
    query: Query = field(default_factory=Query)


def parse_day(value: str) -> date:
    """A ``YYYY-MM-DD`` day; ``ValueError`` with a message saying what is expected."""
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ValueError(f"invalid date {value[:40]!r}: give a day as YYYY-MM-DD, e.g. 2024-03-01") from None


def position(column: ColumnElement[str | None], needle: str, dialect: str) -> ColumnElement[int]:
    """1-based position of ``needle`` in ``column``, 0 when absent (plain substring: no
    LIKE wildcards to escape)."""
    return (func.instr if dialect == "sqlite" else func.strpos)(column, needle)


def contains(column: ColumnElement[str | None], needle: str, dialect: str) -> ColumnElement[bool]:
    return position(column, needle, dialect) > 0


def matches(term: Term, dialect: str) -> ColumnElement[bool]:
    """The article's normalised title or body contains ``term``."""
    return or_(contains(article_search.c.title, term.needle, dialect), contains(article_search.c.body, term.needle, dialect))


def select_articles(session: Session, filters: Filters, *columns: object) -> Select:
    """``SELECT columns`` over articles joined to their site (and search index, for a query), with every filter applied."""
    dialect = session.get_bind().dialect.name
    statement = select(*columns).select_from(Article).join(Site, Site.id == Article.site_id)
    if not filters.query.empty:  # listing and exporting by filters alone never depend on the index
        statement = statement.join(article_search, article_search.c.article_id == Article.id)
    return statement.where(*_conditions(filters, dialect))


def _conditions(filters: Filters, dialect: str) -> list[ColumnElement[bool]]:
    query = filters.query
    conditions = [matches(term, dialect) for term in query.required if not term.exact]
    conditions += [not_(matches(term, dialect)) for term in query.excluded]
    tokens = [token for term in query.required for token in term.tokens]
    if tokens:
        conditions.append(_token_match(tokens, dialect))
    if filters.site:
        conditions.append(or_(Site.name == filters.site, _host_is(filters.site, dialect)))
    if filters.since:
        conditions.append(Article.published_at >= _day_start(filters.since))
    if filters.until:
        conditions.append(Article.published_at < _day_start(filters.until + timedelta(days=1)))
    if filters.source:
        conditions.append(contains(Article.source_simplified, to_simplified(filters.source), dialect))
    for role, name in (("author", filters.author), ("editor", filters.editor)):
        if name:
            conditions.append(_credited(role, to_simplified(name)))
    if filters.script:
        conditions.append(Article.script == filters.script)
    return conditions


def _token_match(tokens: list[str], dialect: str) -> ColumnElement[bool]:
    """Every token is in the article's index entry. Tokens are letters and digits only
    (:mod:`archive.tokenize`), so quoting them cannot break out of the FTS/tsquery syntax."""
    if dialect == "sqlite":
        expression = " ".join(f'"{token}"' for token in tokens)
        ids = select(literal_column("rowid")).select_from(text(FTS_TABLE)).where(
            literal_column(FTS_TABLE).op("MATCH")(expression)
        )
        return Article.id.in_(ids)
    expression = " & ".join(f"'{token}'" for token in tokens)
    return article_search.c.tokens.op("@@")(cast(expression, TSQUERY))


def _host_is(host: str, dialect: str) -> ColumnElement[bool]:
    """The canonical URL is on ``host`` (e.g. a channel such as ``js.people.com.cn``)."""
    urls = (f"{scheme}://{host.lower()}/" for scheme in ("http", "https"))
    return or_(*(position(Article.canonical_url, url, dialect) == 1 for url in urls))


def _day_start(day: date) -> datetime:
    return datetime.combine(day, time(), CHINA_TIME)


def _credited(role: str, name_simplified: str) -> ColumnElement[bool]:
    return exists().where(
        ArticlePerson.article_id == Article.id,
        ArticlePerson.role == role,
        ArticlePerson.person_id == Person.id,
        Person.name_simplified == name_simplified,
    )
