"""A search for one character is counted from the index's month rollup, and the rollup's
counts are exactly those of counting the matches, through every way the write path
changes the index, on both databases."""

from __future__ import annotations

import pytest
from opencc import OpenCC
from sqlalchemy import delete, select, true

from archive.char_months import month_counts, rolled_up_character
from archive.facets import _by_date, overview
from archive.filters import Filters, parse_day
from archive.index_tables import UNDATED, article_search, char_months, indexed_months
from archive.query import parse_query
from archive.search import count
from models.engine import make_engine, session_factory
from models.search_index import rebuild
from models.tokens import cjk_characters
from tests.archive_items import make_article
from tests.archive_search_items import NANTONG, sample_articles, store

#: A Simplified original and its Traditional mirror (the mirror arrives first, so the original is promoted).
ORIGINAL = "http://js.people.com.cn/n2/2022/0213/c360301-1.html"
MIRROR = "http://js.people.com.cn/big5/n2/2022/0213/c360301-1.html"


def one_character(text: str, **filters: object) -> Filters:
    return Filters(query=parse_query(text), **filters)  # type: ignore[arg-type]


@pytest.fixture
def sessions(migrated_db_url):
    engine = make_engine(migrated_db_url)
    yield session_factory(engine)
    engine.dispose()


def stored_archive(sessions) -> None:
    """Articles new, changed to another month, undated, promoted over their mirror, and one at a
    month's end in China's 1988 summer time (SQLite and PostgreSQL file it under different months:
    the rollup must follow each database's own facets)."""
    store(sessions, sample_articles())
    traditional = OpenCC("s2t").convert
    original = make_article(ORIGINAL, title="全市经济工作会议召开", published_at="2022-03-01T09:00:00+08:00")
    store(sessions, [make_article(MIRROR, title=traditional(original.title), body=traditional(original.body))])
    store(sessions, [original])
    store(sessions, [make_article(NANTONG, title="南通新闻", body="南通市今年重点发展海洋经济和港口物流。",
                                  published_at="2023-06-30T20:00:00+00:00")])  # was January 2024; now 1 July, China time
    store(sessions, [make_article("https://news.cn/undated/1.html", site="news.cn", title="无日期的消息",
                                  body="这篇文章没有日期，港口物流继续发展。", published_at=None, published_at_raw=None,
                                  published_precision=None)])
    store(sessions, [make_article("https://news.cn/1988/1.html", site="news.cn", title="夏令时的月底",
                                  body="月底的夜里发布。", published_at="1988-06-30T15:30:00+00:00")])


def counted_by_matching(session) -> dict[tuple[str, str], int]:
    """(character, month) → articles, by counting each indexed character's matches the generic way."""
    characters = set()
    for title, body in session.execute(select(article_search.c.title, article_search.c.body)):
        characters |= cjk_characters(title, body)
    return {(character, bucket.value or UNDATED): bucket.count for character in characters
            for bucket in _by_date(session, one_character(character), "month")}


def rollup(session) -> dict[tuple[str, str], int]:
    return {(token, month): n for token, month, n in session.execute(select(char_months))}


def test_the_rollup_holds_exactly_the_counts_of_every_characters_matches_after_each_kind_of_store(sessions):
    stored_archive(sessions)
    with sessions() as session:
        expected = counted_by_matching(session)
        assert ("海", "2023-07") in expected and ("港", UNDATED) in expected  # the changed and the undated article
        assert ("业", "2024-01") not in expected  # the changed article's old text, in its old month
        assert rollup(session) == expected  # nothing more: rows whose count fell to 0 are gone


@pytest.mark.parametrize("text", ["通", "港", "海", "會", "月", "的"])
def test_a_search_for_one_character_counts_what_counting_its_matches_counts(sessions, text):
    stored_archive(sessions)
    with sessions() as session:
        filters = one_character(text)
        generic = _by_date(session, filters, "month")
        assert month_counts(session, filters) == [(bucket.value, bucket.count) for bucket in generic]
        shown = overview(session, filters)
        assert shown.facets["month"] == generic[:10]
        assert shown.total == count(session, filters) == count(session, filters, true()) == sum(b.count for b in generic)


def test_rebuild_restores_the_rollup_after_it_is_emptied(sessions):
    stored_archive(sessions)
    with sessions.begin() as session:
        before = rollup(session)
        session.execute(delete(char_months))
        session.execute(delete(indexed_months))
    with sessions.begin() as session:
        assert rollup(session) == {}
        rebuild(session)
    with sessions() as session:
        assert rollup(session) == before
        assert before  # not a comparison of two empty tables


@pytest.mark.parametrize(("text", "filters", "character"), [
    ("的", {}, "的"),
    ("們", {}, "们"),  # matched in Simplified form
    ("的", {"site": "news.cn"}, None),
    ("的", {"since": parse_day("2024-01-01")}, None),
    ("的 年", {}, None),
    ("的 -年", {}, None),
    ("的 OR 年", {}, None),
    ("南通", {}, None),
    ("a", {}, None),
    ('"的"', {}, "的"),
])
def test_only_one_required_character_and_no_other_filter_is_counted_from_the_rollup(text, filters, character):
    assert rolled_up_character(one_character(text, **filters)) == character
