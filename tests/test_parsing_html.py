"""parse_html reads every page whole, or says what it could not read."""

from __future__ import annotations

from crawler.items import Problem
from crawler.parsing.html import parse_html

PARAGRAPHS = "".join(f"<p>第{n}段正文，记者在现场看到。</p>" for n in range(3))


def nested(depth: int) -> str:
    return f"<html><head><title>标题</title></head><body>{'<font color=red>' * depth}{PARAGRAPHS}</body></html>"


def test_a_page_with_300_unclosed_font_tags_is_read_whole_without_a_problem() -> None:
    problems: list[Problem] = []
    root = parse_html(nested(300), problems)
    assert len(root.findall(".//p")) == 3
    assert problems == []


def test_a_page_nested_past_libxml2s_depth_limit_is_read_again_and_the_limit_recorded() -> None:
    problems: list[Problem] = []
    root = parse_html(nested(3000), problems)
    assert [p.text for p in root.iter("p")] == [f"第{n}段正文，记者在现场看到。" for n in range(3)]
    assert [p.kind for p in problems] == ["parser_limit"]
    assert "depth" in problems[0].detail


def test_the_problems_list_is_optional() -> None:
    assert len(parse_html(nested(3000)).findall(".//p")) == 3
