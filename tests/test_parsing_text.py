"""Visible text helpers: whitespace as a browser shows it, element text, link density, body blocks, pagers."""

import re

import pytest
from lxml import etree

from crawler.parsing.text import all_text, body_blocks, clean_text, is_pager_line, link_density


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


def _clean_by_regex(text: str) -> str:
    """The reading clean_text defines: collapse source whitespace, then fold visible and drop invisible spaces."""
    text = re.sub(r"[ \t\r\n\f\v]+", " ", text)
    for char, replacement in (("\xa0", " "), ("\u3000", " "), ("\u2002", " "), ("\u2003", " "), ("\u2009", " "),
                              ("\u200b", ""), ("\u200c", ""), ("\u200d", ""), ("\ufeff", "")):
        text = text.replace(char, replacement)
    return text.strip()


@pytest.mark.parametrize("space", [chr(c) for c in range(0x3001) if chr(c).isspace()] + ["\u200b", "\u200c", "\u200d", "\ufeff"])
def test_clean_text_reads_every_kind_of_space_as_the_regex_reading_does(space):
    # clean_text takes a str.split shortcut for text with only source whitespace; every other space must not take it
    for text in (f"a{space}b", f"a {space} b", f"{space}a\n\t{space}{space}b{space}", space * 3, f"中{space}\n文"):
        assert clean_text(text) == _clean_by_regex(text)


def test_all_text_is_the_text_of_the_element_and_its_descendants():
    root = etree.fromstring("<div>a<p>b<!--c--><b>d</b>e</p>f<i/>g</div>")
    for element in root.iter(etree.Element):
        assert all_text(element) == "".join(element.itertext())
    assert all_text(etree.fromstring("<p/>")) == ""


def test_link_density_counts_link_text_against_all_text():
    assert link_density(etree.fromstring("<div>正文，没有链接。</div>")) == 0.0
    assert link_density(etree.fromstring("<div><a>  </a>正文</div>")) == 0.0
    assert link_density(etree.fromstring("<div>一二<a>三四</a></div>")) == 0.5
    assert link_density(etree.fromstring("<div><a>链接</a></div>")) == 1.0


def test_hidden_line_breaks_and_images_are_skipped_whole():
    root = etree.fromstring(
        '<div>一<br style="display:none"/>二<br/>三<img src="a.png" hidden="hidden"/>四<img src="b.png"/>五'
        '<p class="x">隐藏</p><p style="text-align:center">六</p></div>'
    )
    blocks = body_blocks(root, frozenset({"x"}))
    assert [(b.kind, b.text, b.src, b.centered) for b in blocks] == [
        ("p", "一二", "", False), ("p", "三四", "", False), ("img", "", "b.png", False), ("p", "五", "", False),
        ("p", "六", "", True),
    ]
