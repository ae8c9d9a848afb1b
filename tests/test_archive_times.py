"""Times read in the article's own zone (China time), the same from SQLite and PostgreSQL:
search text and JSON, show, exports and the article_flat view."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from sqlalchemy import text

from archive.times import in_article_zone, shown_day, shown_time
from cli.main import main
from models.engine import make_engine, session_factory, upgrade_to_head
from tests.archive_items import make_article
from tests.archive_search_items import store

EVENING = "https://js.people.com.cn/n2/2020/0527/c360302-1.html"  # 01:33 China time is 17:33 UTC the day before
DAY_ONLY = "https://js.people.com.cn/n2/2022/0213/c360302-2.html"


@pytest.fixture
def archive(db_url):
    upgrade_to_head(db_url)
    engine = make_engine(db_url)
    store(session_factory(engine), [
        make_article(EVENING, title="南通夜间时间测试", published_at="2020-05-27T01:33:00+08:00",
                     published_at_raw="2020年05月27日01:33", published_precision="minute"),
        make_article(DAY_ONLY, title="只有日期的文章", body="另一篇文章的正文，" * 10,
                     published_at="2022-02-13T00:00:00+08:00", published_at_raw="2022年02月13日",
                     published_precision="day"),
    ])
    engine.dispose()
    return db_url


def _run(capsys, *args: str) -> str:
    assert main(list(args)) == 0
    return capsys.readouterr().out


def test_an_instant_is_shown_in_china_time_and_converts_back_unchanged():
    instant = datetime(2020, 5, 26, 17, 33, tzinfo=UTC)
    assert shown_time(instant) == "2020-05-27T01:33:00+08:00"
    assert in_article_zone(instant) == instant
    assert shown_time(datetime(2022, 2, 12, 16, 0, tzinfo=UTC), "day") == "2022-02-13"
    assert shown_day(instant) == "2020-05-27" and shown_day(None) == "----------"


def test_search_prints_the_day_and_time_the_page_printed(archive, capsys):
    listed = _run(capsys, "--db", archive, "search", "--sort", "oldest")
    assert "2020-05-27  南通夜间时间测试" in listed and "2022-02-13  只有日期的文章" in listed
    hits = {hit["url"]: hit for hit in map(json.loads, _run(capsys, "--db", archive, "search", "--json").splitlines())}
    assert hits[EVENING]["published_at"] == "2020-05-27T01:33:00+08:00"
    assert hits[DAY_ONLY]["published_at"] == "2022-02-13"


def test_show_prints_china_time_in_text_and_json(archive, capsys):
    shown = json.loads(_run(capsys, "--db", archive, "show", EVENING, "--json"))
    assert shown["published_at"] == "2020-05-27T01:33:00+08:00"
    assert shown["first_seen"].endswith("+08:00") and shown["versions"][0]["fetched_at"].endswith("+08:00")
    assert json.loads(_run(capsys, "--db", archive, "show", DAY_ONLY, "--json"))["published_at"] == "2022-02-13"
    assert "2020-05-27T01:33:00+08:00  (printed: 2020年05月27日01:33)" in _run(capsys, "--db", archive, "show", EVENING)


def test_exports_carry_china_time_offsets(archive, capsys, tmp_path):
    out = tmp_path / "articles.jsonl"
    assert main(["--db", archive, "export", "--format", "jsonl", "--out", str(out)]) == 0
    records = {r["canonical_url"]: r for r in map(json.loads, out.read_text(encoding="utf-8").splitlines())}
    assert records[EVENING]["published_at"] == "2020-05-27T01:33:00+08:00"
    assert records[DAY_ONLY]["published_at"].startswith("2022-02-13T00:00:00+08:00")
    assert records[EVENING]["first_seen"].endswith("+08:00")


def test_the_sql_view_prints_the_same_text_on_both_databases(archive):
    engine = make_engine(archive)
    with engine.connect() as connection:
        rows = dict(connection.execute(text("SELECT canonical_url, published_at FROM article_flat")).all())
        first_seen = connection.execute(text("SELECT first_seen FROM article_flat")).scalar()
    engine.dispose()
    assert rows == {EVENING: "2020-05-27T01:33:00+08:00", DAY_ONLY: "2022-02-13"}
    assert first_seen.endswith("+08:00") and len(first_seen) == len("2024-03-01T18:00:00+08:00")
