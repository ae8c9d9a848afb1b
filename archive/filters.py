"""What search and export have in common: the article selection (query + filters) as SQL.

Every value the user typed reaches the database as a bound parameter; text filters
compare OpenCC Simplified forms, so ``--author 張三`` finds 张三.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Literal
from datetime import date, datetime, time, timedelta

from sqlalchemy import (
    ColumnElement,
    Integer,
    Select,
    and_,
    cast,
    column,
    exists,
    func,
    literal,
    literal_column,
    not_,
    or_,
    select,
    table,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session

from archive.index_tables import FTS_TABLE, TITLE_FTS_TABLE, article_search
from archive.query import Query, Term
from crawler.parsing.chinese import to_simplified
from models.repository import CHINA_TIME
from models.schema import Article, ArticlePerson, ArticleUrl, Person, Site
from models.tokens import has_own_code, token_codes

SCRIPTS = ("zh-Hans", "zh-Hant")
#: Fewest token matches for which :func:`matches_many` says "many".
MANY_MATCHES = 1000
#: PostgreSQL ``work_mem`` while counting token matches (:func:`index_scans`).
INDEX_SCAN_MEMORY = "64MB"


@dataclass(frozen=True, slots=True)
class Filters:
    """Metadata conditions; ``since``/``until`` are inclusive days in China time; ``script``
    selects articles published in that script, their own text or a mirror URL."""

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


#: How SQLite uses the token index (PostgreSQL's planner decides for itself):
#: ``"list"`` reads the index's list of matching articles and may start from it (best
#: when few match); ``"filter"`` reads the list but only to test articles found another
#: way (the title index; a list of 60,000 ids costs about 10 ms); ``"probe"`` looks each
#: article up in the index (about 40 µs each: best when articles come newest first from
#: the date index and most of them match, so only a few are tested).
TokenPlan = Literal["list", "filter", "probe"]


def select_articles(
    session: Session, filters: Filters, *columns: object, plan: TokenPlan = "list", site: bool = True,
    search_row: bool = False,
) -> Select:
    """``SELECT columns`` over articles joined to their site (and search index, for a
    query, or with ``search_row``), with every filter applied; ``plan``: see :data:`TokenPlan`.
    ``site=False`` leaves the site out unless the filters need it, so that counting by an
    indexed column (a date) reads only that index, not every article row."""
    dialect = session.get_bind().dialect.name
    statement = select(*columns).select_from(Article)
    if site or filters.site:
        statement = statement.join(Site, Site.id == Article.site_id)
    if search_row or reads_search_row(filters.query, dialect):
        statement = statement.join(article_search, article_search.c.article_id == Article.id)
    return statement.where(*_conditions(filters, dialect, plan))


def matches_many(session: Session, filters: Filters, share: int = 20) -> bool:
    """Whether the query's tokens match so many articles (a ``share``-th of them, at least
    :data:`MANY_MATCHES`) that walking articles newest first meets a match every few rows.

    Both planners misjudge this (SQLite knows nothing of FTS5 list lengths; PostgreSQL's
    cost of testing a token array per row is far too low, so it walks the date index for
    rare words too and reads every article); counting stops at the threshold, so the
    answer costs a few milliseconds at most.
    """
    tokens = _required_tokens(filters.query)
    if not tokens:
        return False
    dialect = session.get_bind().dialect.name
    threshold = max(MANY_MATCHES, (session.scalar(select(func.max(Article.id))) or 0) // share)
    matched = _token_ids(tokens, dialect).limit(threshold)
    with index_scans(session):
        return session.scalar(select(func.count()).select_from(matched.subquery())) >= threshold


def date_order_plan(session: Session, filters: Filters) -> tuple[TokenPlan, bool]:
    """(token plan, walk) for listing matches by date: ``walk`` reads articles in date order
    from the index and stops when the page is full; else the matches are found and sorted.

    Walking pays when matches are dense among the rows walked: a term in a 20th of the
    archive, or with other filters (which thin the matches out) one in half of it, is
    tested by probing the index per row; a term in between, with filters, by checking each
    row against the term's list of articles (reading no row the list does not hold). Rarer
    terms are found from their list and sorted."""
    query = filters.query
    if not query.required and not query.alternatives:
        return "list", True
    if not narrowed(filters) or session.get_bind().dialect.name != "sqlite":
        return ("probe", True) if matches_many(session, filters) else ("list", False)
    if matches_many(session, filters, share=2):
        return "probe", True
    return ("filter", True) if matches_many(session, filters) else ("list", False)


def count_plan(session: Session, filters: Filters) -> TokenPlan:
    """How SQLite counts the matches of a query with other filters: a common term is
    checked against its list while the filters' own indexes (dates, sites) lead; a rare
    one leads itself, its few articles looked up one by one."""
    return "filter" if narrowed(filters) and matches_many(session, filters) else "list"


def narrowed(filters: Filters) -> bool:
    """Whether anything but the query selects articles."""
    return any((filters.site, filters.since, filters.until, filters.source, filters.author, filters.editor,
                filters.script))


def count_by_tokens(session: Session, filters: Filters) -> int | None:
    """How many articles match, counted in the token index alone, when its tokens decide
    the query and nothing else filters (else ``None``): a term found in most articles is
    then counted without reading a single article row (at 20,000 articles, 0.5 ms instead
    of 200 ms for the 17,000 that hold 的). The index holds exactly the stored articles
    (:mod:`models.search_index`; after deleting articles by hand, ``newsarchive index rebuild``)."""
    query = filters.query
    dialect = session.get_bind().dialect.name
    if narrowed(filters) or query.excluded or query.alternatives or not query.required or not all(
        decided_by_tokens(term, dialect) for term in query.required
    ):
        return None
    matched = _token_ids(_required_tokens(query), dialect)
    with index_scans(session):
        return session.scalar(select(func.count()).select_from(matched.subquery()))


@contextmanager
def index_scans(session: Session) -> Iterator[None]:
    """On PostgreSQL, find token matches through the GIN index for the statements inside,
    also when most articles match: the planner then prefers reading the whole table, not
    counting that every row's token array must be decompressed to be tested (at 20,000
    articles, 7 s instead of 0.5 s to count the 17,000 holding 的); ``work_mem`` keeps the
    bitmap of a million matches exact, so no page is re-tested. SQLite is left as it is."""
    if session.get_bind().dialect.name != "postgresql":
        yield
        return
    settings = {"enable_seqscan": "off", "work_mem": INDEX_SCAN_MEMORY}
    saved = {name: session.scalar(select(func.current_setting(name))) for name in settings}
    for name, value in settings.items():
        session.execute(select(func.set_config(name, value, True)))
    try:
        yield
    finally:
        for name, value in saved.items():
            session.execute(select(func.set_config(name, value, True)))


def reads_search_row(query: Query, dialect: str) -> bool:
    """Whether the query reads ``article_search``: PostgreSQL's token columns are there;
    on SQLite only substring tests need it (a query of 1–2 character words skips a lookup
    per candidate). Listing by filters alone never depends on the index."""
    if query.empty:
        return False
    return dialect != "sqlite" or bool(query.excluded) or not all(term.exact for term in query.wanted)


def decided_by_tokens(term: Term, dialect: str) -> bool:
    """Whether the index alone decides that an article contains ``term`` (no substring test):
    an exact term, and on PostgreSQL only if its token has a code of its own."""
    return term.exact and (dialect == "sqlite" or all(map(has_own_code, term.tokens)))


def _fts_ids(tokens: Sequence[str], title: bool = False) -> Select:
    """Ids of the articles whose FTS5 entry (title only with ``title``) has every token."""
    name = TITLE_FTS_TABLE if title else FTS_TABLE
    index = table(name, column("rowid", Integer))
    return select(index.c.rowid).where(literal_column(name).op("MATCH")(fts_expression(tokens)))


def _token_ids(tokens: Sequence[str], dialect: str) -> Select:
    """Ids of the articles whose index entry has every token, from the token index alone."""
    if dialect == "sqlite":
        return _fts_ids(tokens)
    return select(article_search.c.article_id).where(_token_match(tokens, dialect))


def _required_tokens(query: Query) -> list[str]:
    return [token for term in query.required for token in term.tokens]


def _conditions(filters: Filters, dialect: str, plan: TokenPlan) -> list[ColumnElement[bool]]:
    query = filters.query
    conditions = [matches(term, dialect) for term in query.required if not decided_by_tokens(term, dialect)]
    conditions += [not_(matches(term, dialect)) for term in query.excluded]
    tokens = _required_tokens(query)
    if tokens:
        conditions.append(_token_match(tokens, dialect, plan=plan))
    conditions += [or_(*(_found(term, dialect) for term in group)) for group in query.alternatives]
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
        conditions.append(_published_in(filters.script))
    return conditions


def _found(term: Term, dialect: str) -> ColumnElement[bool]:
    """The article contains ``term`` (one of an ``OR`` group): its tokens, then its text."""
    if not term.tokens:
        return matches(term, dialect)
    found = _token_match(term.tokens, dialect)
    return found if decided_by_tokens(term, dialect) else and_(found, matches(term, dialect))


def in_title(term: Term, dialect: str) -> ColumnElement[bool]:
    """The article's normalised title contains ``term``, found through the title token index
    (so ranking by title hits reads only the few titles that can match). A term without
    tokens (one over-long word) can only be tested on the text."""
    substring = contains(article_search.c.title, term.needle, dialect)
    if not term.tokens:
        return substring
    found = _token_match(term.tokens, dialect, title=True)
    return found if decided_by_tokens(term, dialect) else and_(found, substring)


def _token_match(
    tokens: Sequence[str], dialect: str, title: bool = False, plan: TokenPlan = "list"
) -> ColumnElement[bool]:
    """Every token is in the article's index entry (title tokens only with ``title``).
    Tokens are letters and digits only (:mod:`models.tokens`), so quoting them cannot
    break out of the FTS syntax; PostgreSQL is given their codes as a bound array."""
    if dialect == "sqlite":
        ids = _fts_ids(tokens, title)
        if plan == "probe":
            return ids.where(ids.selected_columns.rowid == Article.id).exists()
        # "+ 0" is SQLite's way to say "do not start from this": the id is then only tested
        article_id = Article.id + 0 if plan == "filter" else Article.id
        return article_id.in_(ids)
    column = article_search.c.title_tokens if title else article_search.c.tokens
    return column.op("@>", is_comparison=True)(cast(literal(token_codes(tokens), ARRAY(Integer)), ARRAY(Integer)))


def fts_expression(tokens: Sequence[str]) -> str:
    """An FTS5 MATCH expression requiring every token."""
    return " ".join(f'"{token}"' for token in tokens)


def _host_is(host: str, dialect: str) -> ColumnElement[bool]:
    """The canonical URL is on ``host`` (e.g. a channel such as ``js.people.com.cn``)."""
    urls = (f"{scheme}://{host.lower()}/" for scheme in ("http", "https"))
    return or_(*(position(Article.canonical_url, url, dialect) == 1 for url in urls))


def _day_start(day: date) -> datetime:
    return datetime.combine(day, time(), CHINA_TIME)


def _published_in(script: str) -> ColumnElement[bool]:
    """The article's text, or any of its URLs (a Traditional mirror), is in ``script``."""
    return or_(Article.script == script,
               exists().where(ArticleUrl.article_id == Article.id, ArticleUrl.script == script))


def _credited(role: str, name_simplified: str) -> ColumnElement[bool]:
    """The article credits the person in ``role``: the person's credits are found through
    the name and person indexes (an uncorrelated list, not a test per article, which
    made an editor's page scan the whole archive)."""
    credits = (
        select(ArticlePerson.article_id)
        .join(Person, Person.id == ArticlePerson.person_id)
        .where(ArticlePerson.role == role, Person.name_simplified == name_simplified)
    )
    return Article.id.in_(credits)
