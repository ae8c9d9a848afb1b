"""Visible text helpers: whitespace as a browser shows it, and page-navigation lines."""

import pytest

from crawler.parsing.text import clean_text, is_pager_line


def test_clean_text_folds_source_whitespace_and_keeps_visible_spaces():
    assert clean_text("  a\n\t b ") == "a b"
    assert clean_text("\u3000\u3000正文\u00a0内容\u200b") == "正文 内容"
    assert clean_text(None) == ""


@pytest.mark.parametrize(
    "line",
    ["下一页", "上一页 1 2 3 下一页", "【1】【2】【3】", "共3頁 首頁 上一頁 下一頁 尾頁", "第2页", "[1] [2] >>", "1 | 2 | 3"],
)
def test_pager_lines(line):
    assert is_pager_line(line)


@pytest.mark.parametrize(
    "line",
    ["1", "2020", "上一篇：本市新建十座口袋公园", "下一页的内容更精彩，请继续阅读。", "3月1日，扬州古运河沿岸的步道全线贯通。"],
)
def test_text_that_is_not_a_pager(line):
    assert not is_pager_line(line)
