"""Facet counts and the date histogram over exactly the articles a search selects, the
same on SQLite and PostgreSQL, days in China time."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from archive.facets import _by_date, _counted, _newest, archived_per_day, histogram_unit, overview, period
from archive.filters import Filters
from archive.query import parse_query
from tests.archive_search_items import sample_archive, sample_articles, store
from tests.archive_items import make_article
from tests.db_fixtures import _fresh_schema


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def sessions(request, tmp_path_factory):
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('facets') / 'archive.db'}"
    else:
        url = _fresh_schema(request.getfixturevalue("postgres_database_url"))
    made = sample_archive(url)
    # Published at 23:30 UTC on 31 Dec 2023 = 07:30 on 1 Jan 2024 in China: a 2024 article.
    store(made, [make_article("https://js.people.com.cn/n2/2024/0101/c1-5.html", title="新年第一天",
                              published_at="2023-12-31T23:30:00+00:00", editors=["王五"], authors=[])])
    return made


def test_facets_count_the_articles_the_query_selects(sessions):
    with sessions() as session:
        counted = overview(session, Filters(query=parse_query("南通")))
        found = counted.facets
        assert counted.total == 2 and {(c.value, c.count) for c in found["site"]} == {("people.com.cn", 2)}
        assert {c.value for c in found["editor"]} == {"王五", "黃麗"}
        assert [(c.value, c.count) for c in found["year"]] == [("2024", 2)]


def test_a_person_facet_works_beside_a_person_filter(sessions):
    with sessions() as session:
        found = overview(session, Filters(editor="王五")).facets
        assert [(c.value, c.count) for c in found["editor"]] == [("王五", 2)]
        assert [(c.value, c.count) for c in found["author"]] == [("张三", 1)]


def test_dates_are_bucketed_in_china_time(sessions):
    with sessions() as session:
        everything = overview(session, Filters())
        months = {c.value: c.count for c in everything.facets["month"]}
        assert months["2024-01"] == 2 and months["2023-12"] == 1
        assert everything.unit == "month" and sum(b.count for b in everything.histogram) == everything.total == 5
        january = overview(session, Filters(since=date(2024, 1, 1), until=date(2024, 1, 31)))
        assert january.unit == "day"
        assert [(b.label, b.start, b.count) for b in january.histogram] == [("2024-01-01", date(2024, 1, 1), 1),
                                                                           ("2024-01-10", date(2024, 1, 10), 1)]


@pytest.mark.parametrize("query", ["南通", "香港", "2024", "南 -香港", ""])
def test_dates_are_counted_alike_whichever_way_the_token_index_is_read_and_from_the_newest_matches(sessions, query):
    # A query found in most of the archive reads dates from the date index alone ("filter"); few
    # matches start from the token list ("list"); when fewer than FACET_SAMPLE match, the dates are
    # counted from the newest matches read for the facets: choices of speed that must not change a count.
    filters = Filters(query=parse_query(query))
    with sessions() as session:
        newest = _newest(session, filters, "list")
        assert newest == _newest(session, filters, "filter") and newest
        for unit in ("month", "day"):
            grouped = _by_date(session, filters, unit, "list")
            assert grouped == _by_date(session, filters, unit, "filter") == _counted(newest, unit)


def test_histogram_units_and_periods_fit_the_range():
    assert histogram_unit(date(2024, 1, 1), date(2024, 1, 31), 1) == "day"
    assert histogram_unit(date(2020, 1, 1), date(2024, 1, 31), 5) == "month"
    assert histogram_unit(None, None, 12) == "year"
    assert period("2024-02") == (date(2024, 2, 1), date(2024, 2, 29))
    assert period("2023") == (date(2023, 1, 1), date(2023, 12, 31))


def test_archive_growth_counts_articles_by_the_day_they_were_first_archived(sessions):
    with sessions() as session:
        rows = archived_per_day(session, date.today() - timedelta(days=3650))
        assert sum(n for _, _, n in rows) == len(sample_articles()) + 1
        assert {site for _, site, _ in rows} == {"people.com.cn", "xhby.net", "news.cn"}


def test_site_source_and_people_facets_count_the_newest_sample_when_more_match(sessions, monkeypatch):
    monkeypatch.setattr("archive.facets.FACET_SAMPLE", 2)
    with sessions() as session:
        counted = overview(session, Filters())
    assert counted.total == 5 and counted.counted == 2
    assert sum(c.count for c in counted.facets["site"]) == 2  # the two newest: news.cn and people.com.cn
    assert sum(c.count for c in counted.facets["month"]) == 5 == sum(b.count for b in counted.histogram)
