"""Scoring rules and corpus handling of crawler.evaluation, on hand-computed cases."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from crawler.evaluation import (
    OURS,
    CorpusError,
    bigram_f1,
    decode_as,
    evaluate,
    load_corpus,
    prediction_of,
    score_date,
    score_exact,
    score_page,
    set_f1,
)
from crawler.items import Article, NotArticle
from tests.evaluation_corpus import EXPECTED_MEANS, LABEL_A, URL_A, URL_B, build_corpus, fake_extractor


# --------------------------------------------------------------------------- exact


@pytest.mark.parametrize(
    ("pred", "label", "score"),
    [
        ("江苏多地开学", "江苏多地开学", 1.0),
        (" 江苏多地\n  开学 ", "江苏多地 开学", 1.0),  # whitespace runs folded, ends trimmed
        ("\u3000标题", "标题", 1.0),  # full-width space is whitespace too
        (None, "", 1.0),
        ("", None, 1.0),
        (None, None, 1.0),
        (None, "标题", 0.0),
        ("标题--人民网", "标题", 0.0),
        ("江苏多地开学", "江苏多地 开学", 0.0),  # a space inside counts
    ],
)
def test_score_exact(pred: str | None, label: str | None, score: float) -> None:
    assert score_exact(pred, label) == score


# --------------------------------------------------------------------------- dates

LABEL_MINUTE = "2022-02-13T07:48:00+08:00"


@pytest.mark.parametrize(
    ("pred", "label", "precision", "score"),
    [
        # day: only the calendar date (in the label's offset) counts
        ("2022-02-13T07:48:00+08:00", "2022-02-13T00:00:00+08:00", "day", 1.0),
        ("2022-02-13", "2022-02-13T00:00:00+08:00", "day", 1.0),
        ("2022-02-14T00:00:00+08:00", "2022-02-13T00:00:00+08:00", "day", 0.0),
        # 17:00 UTC on the 12th is 01:00 on the 13th in Beijing: same day as instants
        ("2022-02-12T17:00:00+00:00", "2022-02-13T00:00:00+08:00", "day", 1.0),
        # 17:00 UTC on the 13th is already the 14th in Beijing
        ("2022-02-13T17:00:00+00:00", "2022-02-13T00:00:00+08:00", "day", 0.0),
        # minute: seconds ignored, minutes not
        ("2022-02-13T07:48:59+08:00", LABEL_MINUTE, "minute", 1.0),
        ("2022-02-13T07:49:00+08:00", LABEL_MINUTE, "minute", 0.0),
        ("2022-02-12T23:48:00Z", LABEL_MINUTE, "minute", 1.0),
        ("2022-02-13T07:48:00", LABEL_MINUTE, "minute", 1.0),  # naive = Beijing time
        ("2022-02-13T07:48:00+00:00", LABEL_MINUTE, "minute", 0.0),  # same digits, other instant
        # second
        ("2022-02-13T07:48:00+08:00", LABEL_MINUTE, "second", 1.0),
        ("2022-02-13T07:48:01+08:00", LABEL_MINUTE, "second", 0.0),
        ("2022-02-13T07:48:01+08:00", LABEL_MINUTE, None, 0.0),  # no precision: to the second
        # missing and unreadable
        (None, None, None, 1.0),
        ("", None, None, 1.0),
        ("2022-02-13T07:48:00+08:00", None, None, 0.0),
        (None, LABEL_MINUTE, "minute", 0.0),
        ("2022年2月13日", LABEL_MINUTE, "day", 0.0),  # predictions must be ISO
    ],
)
def test_score_date(pred: str | None, label: str | None, precision: str | None, score: float) -> None:
    assert score_date(pred, label, precision) == score


def test_score_date_rejects_unknown_precision_and_bad_label() -> None:
    with pytest.raises(ValueError, match="precision"):
        score_date(LABEL_MINUTE, LABEL_MINUTE, "hour")
    with pytest.raises(ValueError):
        score_date(LABEL_MINUTE, "13 Feb 2022", "day")


# --------------------------------------------------------------------------- sets and bigrams


@pytest.mark.parametrize(
    ("pred", "label", "score"),
    [
        ([], [], 1.0),
        (None, [], 1.0),
        (["萧潇", "张妍"], ["张妍", "萧潇"], 1.0),  # order ignored
        (["萧潇", "萧潇"], ["萧潇"], 1.0),  # duplicates ignored
        ([" 萧潇 "], ["萧潇"], 1.0),
        (["萧潇"], ["萧潇", "张妍"], 2 / 3),  # P=1, R=1/2
        (["萧潇", "张妍", "王五"], ["萧潇"], 0.5),  # P=1/3, R=1
        (["王五"], ["萧潇"], 0.0),
        ([], ["萧潇"], 0.0),
        (["萧潇"], [], 0.0),
        ([""], [], 1.0),  # empty names are not names
    ],
)
def test_set_f1(pred: list[str] | None, label: list[str], score: float) -> None:
    assert set_f1(pred, label) == pytest.approx(score)


@pytest.mark.parametrize(
    ("pred", "label", "score"),
    [
        ("abcd", "abce", 2 / 3),  # {ab,bc,cd} vs {ab,bc,ce}: 2 shared of 3 and 3
        ("ab cd", "abc\nd", 1.0),  # whitespace removed before pairing
        ("江苏多", "江苏多地", 0.8),  # 2 shared; 2*2/(2+3)
        ("aaa", "aa", 2 / 3),  # multiset: {aa:2} vs {aa:1} share 1; 2*1/(2+1)
        ("abc", "xyz", 0.0),
        ("", "", 1.0),
        (None, "", 1.0),
        ("", "abc", 0.0),
        ("a", "a", 1.0),  # too short for a bigram: equal or not
        ("a", "b", 0.0),
        ("a", "ab", 0.0),
    ],
)
def test_bigram_f1(pred: str | None, label: str | None, score: float) -> None:
    assert bigram_f1(pred, label) == pytest.approx(score)


# --------------------------------------------------------------------------- one page


def test_score_page_missing_fields_score_as_empty() -> None:
    scores = score_page({"title": "江苏多地开学"}, LABEL_A)
    assert scores["title"] == 1.0
    assert scores["pretitle"] == 1.0  # label null, nothing predicted
    assert scores["source"] == 0.0  # label has one, nothing predicted
    assert scores["authors"] == 0.0
    assert scores["published_at"] == 0.0
    assert scores["body"] == 0.0


def test_a_field_the_label_leaves_out_is_not_scored() -> None:
    label = {"file": LABEL_A["file"], "body": LABEL_A["body"], "authors": ["葛灵丹"]}
    scores = score_page({"title": "whatever", "authors": ["葛灵丹", "了解到"]}, label)
    assert set(scores) == {"body", "authors"}
    assert scores["authors"] == pytest.approx(2 / 3)


def test_a_benchmark_label_with_only_some_fields_is_scored_on_those(tmp_path: Path) -> None:
    root = build_corpus(tmp_path)
    partial = {"file": "raw/sample.org/LIST_index.html", "body": "x", "authors": ["甲乙"]}
    (root / "expected/sample.org/LIST_index.json").write_text(json.dumps(partial), encoding="utf-8")
    report = evaluate(root, fake_extractor)
    assert report.bad_labels == []
    (row,) = [r for r in report.rows(OURS) if r.file == partial["file"]]
    assert sorted(row.scores) == ["authors", "body"]
    assert row.name_counts == {"authors": (0, 0, 1)}
    precision, recall = report.precision_recall(OURS, "authors")
    assert (precision, recall) == (1.0, 0.5)  # 葛灵丹 right; 甲乙 never given


def test_prediction_of_not_article_predicts_nothing() -> None:
    assert prediction_of(NotArticle(url=URL_A, reason="list")) == {}
    pred = prediction_of(Article(url=URL_A, title="t", authors=["甲"]))
    assert pred["title"] == "t" and pred["authors"] == ["甲"] and pred["pretitle"] is None


def test_decode_as_prefers_given_encoding_then_detects() -> None:
    page = "<p>江苏多地日前发布通知，中高风险地区师生员工暂不返校。</p>"
    assert decode_as("臺灣".encode("big5"), "big5") == "臺灣"
    assert decode_as(page.encode("utf-8"), None) == page
    assert decode_as(page.encode("gb18030"), None) == page
    assert decode_as(page.encode("gb18030"), "no-such-codec") == page


# --------------------------------------------------------------------------- corpus


def test_load_corpus_reads_labels_urls_and_skips_unlabelled(tmp_path: Path) -> None:
    corpus = load_corpus(build_corpus(tmp_path))
    assert [(p.file, p.site, p.url) for p in corpus.pages] == [
        ("raw/example.com/a.html", "example.com", URL_A),
        ("raw/sample.org/b.html", "sample.org", URL_B),
    ]
    assert corpus.unlabelled == ["raw/sample.org/LIST_index.html"]
    assert corpus.bad_labels == []


def test_load_corpus_reports_and_skips_bad_labels(tmp_path: Path) -> None:
    root = build_corpus(tmp_path)
    (root / "expected/sample.org/broken.json").write_text("{not json", encoding="utf-8")
    (root / "expected/sample.org/partial.json").write_text(json.dumps({"kind": "article"}), encoding="utf-8")
    orphan = {**LABEL_A, "file": "raw/sample.org/gone.html"}
    (root / "expected/sample.org/gone.json").write_text(json.dumps(orphan), encoding="utf-8")
    bad_date = {**LABEL_A, "file": "raw/sample.org/LIST_index.html", "published_at": "yesterday"}
    (root / "expected/sample.org/LIST_index.json").write_text(json.dumps(bad_date), encoding="utf-8")
    listing = {"file": "raw/sample.org/LIST_index.html", "kind": "list"}
    (root / "expected/sample.org/z_list.json").write_text(json.dumps(listing), encoding="utf-8")

    corpus = load_corpus(root)

    bad = {b["file"]: b["error"] for b in corpus.bad_labels}
    assert set(bad) == {
        "expected/sample.org/broken.json",
        "expected/sample.org/partial.json",
        "expected/sample.org/gone.json",
        "expected/sample.org/LIST_index.json",
    }
    assert "missing keys" in bad["expected/sample.org/partial.json"]
    assert "gone.html" in bad["expected/sample.org/gone.json"]
    assert len(corpus.pages) == 2  # the good ones still count; the list label is not scored


@pytest.mark.parametrize("layout", ["missing", "no_expected"])
def test_load_corpus_rejects_unusable_directory(tmp_path: Path, layout: str) -> None:
    root = tmp_path / "corpus"
    if layout == "no_expected":
        (root / "raw").mkdir(parents=True)
    with pytest.raises(CorpusError, match="raw/ and expected/"):
        load_corpus(root)


def test_load_corpus_rejects_manifest_without_url_column(tmp_path: Path) -> None:
    root = build_corpus(tmp_path)
    (root / "MANIFEST.tsv").write_text("file\tsite\nraw/example.com/a.html\texample.com\n", encoding="utf-8")
    with pytest.raises(CorpusError, match="page_url"):
        load_corpus(root)


# --------------------------------------------------------------------------- evaluate


def test_evaluate_scores_every_page_with_hand_computed_means(tmp_path: Path) -> None:
    report = evaluate(build_corpus(tmp_path), fake_extractor)
    assert report.tools == [OURS]
    assert [r.file for r in report.rows(OURS)] == ["raw/example.com/a.html", "raw/sample.org/b.html"]
    assert report.summary(OURS) == pytest.approx(EXPECTED_MEANS)
    assert report.summary(OURS, "sample.org")["title"] == 0.0
    assert report.errors(OURS) == 1  # B: NotArticle
    assert report.rows(OURS, "sample.org")[0].error == "NotArticle: looks like a list page"
    assert report.speed[OURS].pages == 2


def test_evaluate_counts_a_crash_as_empty_prediction(tmp_path: Path) -> None:
    def crashing(url: str, body: bytes) -> Article:
        raise RuntimeError("parser fell over")

    report = evaluate(build_corpus(tmp_path), crashing)
    assert report.errors(OURS) == 2
    assert report.rows(OURS)[0].error == "RuntimeError: parser fell over"
    assert report.summary(OURS)["title"] == 0.0
    assert report.summary(OURS)["pretitle"] == 1.0  # both labels null


def test_evaluate_gives_other_tools_text_decoded_with_our_encoding(tmp_path: Path) -> None:
    root = build_corpus(tmp_path)
    (root / "raw/sample.org/b.html").write_bytes("<h1>臺灣土豆</h1>".encode("big5"))
    seen: dict[str, str] = {}

    def ours(url: str, body: bytes) -> Article:
        return Article(url=url, encoding="big5" if url == URL_B else "utf-8")

    def other(html: str, url: str) -> dict[str, str]:
        seen[url] = html
        return {"title": "土豆不土"}

    report = evaluate(root, ours, compare={"other": other})
    assert "臺灣土豆" in seen[URL_B]  # GB18030 fallback would have garbled it
    assert report.tools == [OURS, "other"]
    assert report.summary("other", "sample.org")["title"] == 1.0
    assert report.summary(OURS, "sample.org")["title"] == 0.0
