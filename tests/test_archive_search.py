"""Search on both databases: 1-, 2- and longer terms, both scripts, filters, bad input."""

from __future__ import annotations

import pytest
from opencc import OpenCC
from sqlalchemy import func, select, text

from archive.filters import Filters, parse_day
from archive.index_tables import FTS_TABLE, TITLE_FTS_TABLE
from archive.query import parse_query
from archive.search import search, search_page
from models.schema import Article
from models.search_index import index_articles, rebuild
from tests.archive_items import make_article
from tests.archive_search_items import FORUM, HONGKONG, NANTONG, SUZHOU, sample_archive, store
from tests.db_fixtures import _fresh_schema

QUERIES = {
    "南通": {NANTONG, HONGKONG},  # 2 characters; 南通企業 in the Traditional article
    "产业": {NANTONG, HONGKONG},
    "產業": {NANTONG, HONGKONG},  # Traditional query, Simplified text and the reverse
    "通": {NANTONG, HONGKONG},  # 1 character
    "才": {SUZHOU},
    "人才": {SUZHOU},
    "产业发展": {NANTONG},  # 4 characters: its bigrams, in order
    "通产": set(),  # both characters present, never adjacent
    "南通 产业": {NANTONG, HONGKONG},
    "产业 -香港": {NANTONG},
    '"建设 产业"': {NANTONG},  # phrase across punctuation: 建设，产业
    '"产业 建设"': set(),
    "5G网络": {NANTONG},
    "AI": {FORUM},
    "gpt-4": {FORUM},
    "GP": set(),  # Latin terms match whole words
    "2024年": {FORUM},
}


def _urls(hits):
    return {hit.url for hit in hits}


def _search(sessions, query="", **filters):
    with sessions() as session:
        return search(session, Filters(query=parse_query(query), **filters), limit=100)


@pytest.fixture
def archive(db_url):
    """A sample archive of its own, for tests that change it."""
    return sample_archive(db_url)


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def shared(request, tmp_path_factory):
    """One sample archive per database for the read-only tests (migrating is the slow part)."""
    if request.param == "sqlite":
        return sample_archive(f"sqlite:///{tmp_path_factory.mktemp('search') / 'archive.db'}")
    return sample_archive(_fresh_schema(request.getfixturevalue("postgres_database_url")))


@pytest.mark.parametrize("query", QUERIES)
def test_terms(shared, query):
    assert _urls(_search(shared, query)) == QUERIES[query]


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({"site": "xhby.net"}, {SUZHOU}),
        ({"site": "js.people.com.cn"}, {NANTONG}),
        ({"since": parse_day("2024-01-01")}, {NANTONG, HONGKONG, FORUM}),
        ({"until": parse_day("2023-12-01")}, {SUZHOU}),  # the until day is included
        ({"source": "新华日报"}, {NANTONG, SUZHOU}),
        ({"author": "陈明"}, {HONGKONG}),  # Simplified name, Traditional article
        ({"editor": "王五"}, {NANTONG}),
        ({"script": "zh-Hant"}, {HONGKONG}),
    ],
)
def test_filters(shared, filters, expected):
    assert _urls(_search(shared, **filters)) == expected


def test_filters_combine_with_terms(shared):
    assert _urls(_search(shared, "产业", script="zh-Hans")) == {NANTONG}


def test_empty_query_lists_newest_first(shared):
    assert [hit.url for hit in _search(shared)] == [FORUM, HONGKONG, NANTONG, SUZHOU]


def test_title_matches_rank_first(shared):
    assert _search(shared, "南通")[0].url == NANTONG  # HONGKONG is newer but has 南通 only in the body


def test_snippet_shows_published_text_with_the_match_marked(shared):
    (hit,) = _search(shared, "产业", script="zh-Hant")
    assert [hit.snippet[a:b] for a, b in hit.highlights] == ["產業"]


def test_index_follows_a_changed_article(archive):
    store(archive, [make_article(NANTONG, title="南通新闻", body="南通市今年重点发展海洋经济和港口物流。", published_at="2024-01-11T09:00:00+08:00")])
    assert NANTONG not in _urls(_search(archive, "产业发展"))
    assert _urls(_search(archive, "海洋经济")) == {NANTONG}


def test_rebuild_restores_a_lost_index(archive):
    with archive.begin() as session:  # everything the index is: the rows and, on SQLite, both FTS5 tables
        session.execute(text("DELETE FROM article_search"))
        if session.get_bind().dialect.name == "sqlite":
            for table in (FTS_TABLE, TITLE_FTS_TABLE):
                session.execute(text(f"INSERT INTO {table}({table}) VALUES ('delete-all')"))
    assert _search(archive, "人才") == []
    with archive.begin() as session:
        assert rebuild(session) == 4
    assert _urls(_search(archive, "人才")) == {SUZHOU}


def test_reindexing_is_idempotent(archive):
    with archive.begin() as session:
        ids = list(session.scalars(select(Article.id)))
        index_articles(session, ids)
        index_articles(session, ids)
    assert _urls(_search(archive, "人才")) == {SUZHOU}
    assert len(_search(archive, "才")) == 1


BAD_QUERIES = ['"', "'", '"unclosed', "NEAR(a b)", "a*", "title:南通", "{title}:南通", "^南通", "南通)",
               "'; DROP TABLE article; --", "1' OR '1'='1", "x" * 10_000, "南" * 10_000, "-", "--", "AND", "-南通 -产业"]


def test_a_word_sharing_another_words_token_code_is_not_found_for_it(archive):
    """acbfy and acvle have the same hashed code in PostgreSQL's index (models.tokens): the
    text decides."""
    store(archive, [make_article("https://news.cn/2024/0401/5.html", title="代码", body="模型名为acbfy。")])
    assert _urls(_search(archive, "acbfy")) == {"https://news.cn/2024/0401/5.html"}
    assert _search(archive, "acvle") == []
    assert _search(archive, "代码 acvle") == []


@pytest.mark.parametrize("query", BAD_QUERIES)
def test_bad_queries_only_search(shared, query):
    _search(shared, query)
    _search(shared, source=query, author=query, editor=query, site=query)
    with shared() as session:
        assert session.scalar(select(func.count(Article.id))) == 4


def test_invalid_date_is_a_clear_error():
    with pytest.raises(ValueError, match="YYYY-MM-DD"):
        parse_day("2024-13-45")


@pytest.mark.postgres
def test_same_hits_in_the_same_order_on_sqlite_and_postgresql(tmp_path, postgres_database_url):
    sqlite = sample_archive(f"sqlite:///{tmp_path / 'a.db'}")
    postgres = sample_archive(postgres_database_url)
    for query in [*QUERIES, *BAD_QUERIES, ""]:
        assert [h.url for h in _search(sqlite, query)] == [h.url for h in _search(postgres, query)], query


@pytest.mark.parametrize("many_matches", [1, 10**9], ids=["walk-newest-first", "sort-the-matches"])
def test_both_plans_for_the_articles_without_title_hits_rank_alike(shared, monkeypatch, many_matches):
    """Search picks how to find the matches without a title hit by how many there are
    (archive.filters.matches_many); both ways must give the same page."""
    monkeypatch.setattr("archive.filters.MANY_MATCHES", many_matches)
    # 通: in the Nantong title; in the Hong Kong body only (2024-02-01)
    assert [hit.url for hit in _search(shared, "通")] == [NANTONG, HONGKONG]
    # 企业/企業 is in all four bodies and no title: newest first
    assert [hit.url for hit in _search(shared, "企业")] == [FORUM, HONGKONG, NANTONG, SUZHOU]
    assert [hit.url for hit in _search(shared, "南通 -产业发展")] == [HONGKONG]


@pytest.mark.parametrize("plan", [("probe", True), ("filter", True), ("list", False)],
                         ids=["probe-while-walking", "check-the-list-while-walking", "sort-the-list"])
def test_every_plan_for_a_filtered_query_gives_the_same_page_and_total(shared, monkeypatch, plan):
    """Search picks how a term meets other filters by how many articles hold it
    (archive.filters.date_order_plan, count_plan); every way must give the same answer."""
    monkeypatch.setattr("archive.search.date_order_plan", lambda session, filters: plan)
    monkeypatch.setattr("archive.search.count_plan", lambda session, filters: plan[0])
    with shared() as session:
        # 企业/企業 is in all four bodies and no title; people.com.cn has Nantong and Hong Kong
        found = search_page(session, Filters(query=parse_query("企业"), site="people.com.cn"))
        recent = search_page(session, Filters(query=parse_query("企业"), site="people.com.cn",
                                              since=parse_day("2024-01-15")))
    assert ([hit.url for hit in found.hits], found.total) == ([HONGKONG, NANTONG], 2)
    assert ([hit.url for hit in recent.hits], recent.total) == ([HONGKONG], 1)


def test_a_page_filled_by_title_hits_stops_there(shared):
    with shared() as session:
        hits = search(session, Filters(query=parse_query("南通")), limit=1)
    assert [hit.url for hit in hits] == [NANTONG]  # a title hit, though Hong Kong's body match is newer


def _page(sessions, query="", **options):
    with sessions() as session:
        return search_page(session, Filters(query=parse_query(query)), **options)


def test_a_page_of_hits_comes_with_the_total_and_its_place_in_it(shared):
    first, second = _page(shared, limit=3), _page(shared, limit=3, offset=3)
    assert first.total == second.total == 4
    assert [hit.url for hit in first.hits + second.hits] == [FORUM, HONGKONG, NANTONG, SUZHOU]
    assert (first.first, first.last, first.more) == (1, 3, True)
    assert (second.first, second.last, second.more) == (4, 4, False)


@pytest.mark.parametrize("query", ["南通", "通"])
def test_paging_a_ranked_query_goes_on_after_the_title_hits(shared, query):
    pages = [[hit.url for hit in _page(shared, query, limit=1, offset=offset).hits] for offset in range(3)]
    assert pages == [[NANTONG], [HONGKONG], []]
    assert _page(shared, query, limit=1, offset=2).total == 2


def test_sorting_by_date_overrides_title_ranking(shared):
    assert [hit.url for hit in _page(shared, "南通", sort="newest").hits] == [HONGKONG, NANTONG]
    assert [hit.url for hit in _page(shared, "南通", sort="oldest").hits] == [NANTONG, HONGKONG]
    assert [hit.url for hit in _page(shared, sort="oldest").hits] == [SUZHOU, NANTONG, HONGKONG, FORUM]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("人才 OR AI", {SUZHOU, FORUM}),
        ("人才 OR gpt-4 OR 香港", {SUZHOU, FORUM, HONGKONG}),
        ("南通 OR AI 产业", {NANTONG, HONGKONG}),  # OR binds its neighbours; 产业 is still required
        ("AI OR 人才 -苏州", {FORUM}),
        ('"产业发展" OR "GPT-4模型"', {NANTONG, FORUM}),
    ],
)
def test_or_matches_either_of_its_neighbours(shared, query, expected):
    found = _page(shared, query, limit=10)
    assert {hit.url for hit in found.hits} == expected
    assert found.total == len(expected)


def test_a_title_hit_on_either_side_of_or_ranks_first(shared):
    # NANTONG and SUZHOU have a term in their title; HONGKONG, newer, only in its body
    assert [hit.url for hit in _page(shared, "南通 OR 人才").hits] == [NANTONG, SUZHOU, HONGKONG]


def test_an_article_with_a_traditional_mirror_is_found_as_published_in_traditional(archive):
    original = make_article("https://js.people.com.cn/n2/2022/0213/c360301-9.html")
    traditional = OpenCC("s2t").convert
    mirror = make_article("https://www.people.com.cn/BIG5/n2/2022/0213/c360301-9.html",
                          title=traditional(original.title), body=traditional(original.body))
    [article_id, mirror_id] = store(archive, [original, mirror])
    assert mirror_id == article_id  # one article, the mirror one of its URLs
    assert _urls(_search(archive, script="zh-Hant")) == {HONGKONG, original.url}
    assert original.url in _urls(_search(archive, script="zh-Hans"))  # its own text is Simplified
