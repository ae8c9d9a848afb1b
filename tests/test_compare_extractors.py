"""bench/compare_extractors.py: the helpers that map other tools' output onto our fields."""

from __future__ import annotations

from pathlib import Path

import pytest

from cli.eval import load_compare_module
from crawler.evaluation import evaluate
from tests.evaluation_corpus import PAGE_A, URL_A

compare = load_compare_module()
CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "corpus"


@pytest.mark.parametrize(
    ("text", "iso"),
    [
        ("2022-02-13", "2022-02-13T00:00:00+08:00"),  # trafilatura's default
        ("2022-02-13T07:48:00", "2022-02-13T07:48:00+08:00"),  # trafilatura as we ask it
        ("2022-02-12T23:48:00Z", "2022-02-13T07:48:00+08:00"),  # the same instant, in Beijing time
        ("2022年02月13日 07:48", "2022-02-13T07:48:00+08:00"),  # GNE passes page text on
        ("发布时间：2022年2月3日 07:48:05 来源：新华日报", "2022-02-03T07:48:05+08:00"),
        ("2022-13-45", None),
        ("昨天", None),
        ("", None),
        (None, None),
    ],
)
def test_loose_iso(text: str | None, iso: str | None) -> None:
    assert compare.loose_iso(text) == iso


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("张三; 李四", ["张三", "李四"]),
        ("萧潇、张妍", ["萧潇", "张妍"]),
        ("王乐文 方敏", ["王乐文", "方敏"]),
        ("", []),
        (None, []),
    ],
)
def test_split_names(text: str | None, names: list[str]) -> None:
    assert compare.split_names(text) == names


@pytest.mark.parametrize("name", ["trafilatura", "gne"])
def test_adapter_reads_a_small_page(name: str) -> None:
    tool = compare.comparison_tools()[name]
    pred = tool(PAGE_A, URL_A)
    assert "江苏多地日前发布通知" in pred["body"]
    assert set(pred) <= {"title", "published_at", "authors", "body"}


def predict_nothing(url: str, body: bytes) -> None:
    """Our extractor is not under test here: predict nothing, so decoding falls back."""
    return None


@pytest.mark.corpus
def test_tools_score_on_the_real_corpus() -> None:
    if not CORPUS.is_dir():
        pytest.skip(f"real corpus not found at {CORPUS}")
    report = evaluate(CORPUS, predict_nothing, compare=compare.comparison_tools())
    for name in ("trafilatura", "gne"):
        assert report.errors(name) == 0
        # a tool that reads the page at all gets most headlines and much of the text
        assert report.summary(name)["title"] > 0.4
        assert report.summary(name)["body"] > 0.5


def test_gne_adapter_accepts_text_with_an_xml_encoding_declaration() -> None:
    # lxml refuses decoded text that still declares a byte encoding; the page is not at fault
    page = '<?xml version="1.0" encoding="gb2312"?>\n' + PAGE_A
    assert "江苏多地日前发布通知" in compare.comparison_tools()["gne"](page, URL_A)["body"]
