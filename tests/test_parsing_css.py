"""Template selectors matched on the page index agree with lxml's CSSSelector, which they replace."""

import pytest
from lxml.cssselect import CSSSelector

from crawler.parsing.css import ElementIndex, Selector
from crawler.parsing.html import parse_html

PAGE = """<html><body>
<div class="rm_txt col-1-1" id="top"><h1>甲</h1><h3 class="pre x">引题</h3>
  <div class="box"><div class="author">记者 张三</div><h1 id="newstit">乙</h1></div></div>
<div class="text_title"><h1>丙</h1><p class="author">记者 李四</p></div>
<!-- a comment -->
<div class=" rm_txt_con  main "><p>正文</p><div class="rm_txt"><span class="title">丁</span></div></div>
<founder-content><p>报纸正文</p></founder-content>
</body></html>"""

SELECTORS = [
    "div.rm_txt h1, div.text_title h1, h1#newstit",  # union in document order
    "h1#newstit, div.rm_txt h1",  # the order written does not change document order
    "h1#newstit, div.box h1",  # two alternatives finding the same element
    "div.rm_txt h3.pre",
    "div.rm_txt div.author, div.text_title p.author",
    "div.col-1-1",
    "div.rm_txt_con, div#top",
    "#newstit",
    "div.rm_txt.col-1-1 h1",  # two classes on one element
    "div.rm_txt_con div.rm_txt span.title",
    "founder-content",
    "div.missing, h2",  # nothing matches
    "div h1",  # nested div ancestors: each element once
    "div *",  # elements only, never the comment
    "*",
]


@pytest.fixture(scope="module")
def page():
    root = parse_html(PAGE)
    return root, ElementIndex(root)


@pytest.mark.parametrize("css", SELECTORS)
def test_first_is_cssselects_first(page, css):
    root, index = page
    expected = CSSSelector(css)(root)
    assert Selector(css).first(index) is (expected[0] if expected else None)


@pytest.mark.parametrize("css", SELECTORS)
def test_each_alternative_matches_cssselect_in_document_order(page, css):
    root, index = page
    alternatives = [part.strip() for part in css.split(",")]
    found = [list(matches) for matches in Selector(css).each_alternative(index)]
    assert found == [CSSSelector(alternative)(root) for alternative in alternatives]


def test_index_lists_class_and_id_text_in_page_order(page):
    _, index = page
    elements = [(e.tag, marks) for e, marks in index.attributed[:3]]
    assert elements == [("div", "rm_txt col-1-1 top"), ("h3", "pre x "), ("div", "box ")]
    assert [e.tag for e in index.by_class["rm_txt"]] == ["div", "div"]
    assert index.by_id["newstit"][0].text == "乙"


@pytest.mark.parametrize("css", ["div > p", "a[href]", "p:first-child", "h1 + p", "div ~ p"])
def test_unsupported_selectors_fail_at_definition(css):
    with pytest.raises(ValueError, match="supported"):
        Selector(css)
