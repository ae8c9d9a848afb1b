"""Refusal pages are told apart from content: by status, challenge cookies and script, and page text."""

from __future__ import annotations

import pytest

from crawler.blocks import block_reason
from crawler.replica.refusals import FORBIDDEN, TOO_FREQUENT, WAF_CHALLENGE
from crawler.replica.site import build_site


def test_a_waf_challenge_page_is_a_block() -> None:
    reason = block_reason(WAF_CHALLENGE.status, [WAF_CHALLENGE.headers["Set-Cookie"]], WAF_CHALLENGE.body)
    assert reason == "WAF challenge page (cookie acw_tc)"


def test_a_challenge_script_is_a_block_even_without_its_cookie() -> None:
    assert block_reason(200, [], WAF_CHALLENGE.body) == "WAF challenge page"


@pytest.mark.parametrize("marker", ["ACW_SC__V2='x'", "document.cookie='__JSL_Clearance=1'", "Var Arg1 ='3A0'",
                                    "_WAF_BD8CE2CE37=1"])
def test_a_challenge_script_marker_in_any_letter_case_is_a_block(marker: str) -> None:
    body = f"<html><script>{marker};location.reload()</script></html>".encode()
    assert block_reason(200, [], b"<!-- " + b"x" * 9000 + b" -->" + body) == "WAF challenge page"


def test_a_403_page_is_a_block() -> None:
    assert block_reason(403, [], FORBIDDEN.body) == "HTTP 403"


@pytest.mark.parametrize("text, codec", [
    ("您的访问过于频繁，请稍后再试", "gbk"),
    ("您的訪問過於頻繁，請稍後再試", "big5"),
    ("请输入验证码后继续访问", "utf-8"),
    ("請輸入驗證碼", "utf-8"),
])
def test_a_short_page_saying_too_frequent_or_asking_for_a_captcha_is_a_block(text: str, codec: str) -> None:
    body = f"<html><head><title>提示</title></head><body><p>{text}</p></body></html>".encode(codec)
    assert block_reason(200, [], body) is not None


def test_the_replica_refusal_page_names_its_phrase() -> None:
    assert block_reason(200, [], TOO_FREQUENT.body) == "refusal page (访问过于频繁)"


def test_an_article_that_mentions_a_captcha_is_content() -> None:
    site = build_site(articles=20)
    page = site.pages[site.canonical_articles[0].path]
    body = page.body.replace(b"</p>", "千万不要把验证码告诉陌生人，访问过于频繁的诈骗电话要警惕。</p>".encode("utf-8"), 1)
    assert block_reason(200, [], body) is None


def test_an_ordinary_session_cookie_on_an_article_is_content() -> None:
    site = build_site(articles=20)
    page = site.pages[site.canonical_articles[0].path]
    assert block_reason(200, ["acw_tc=abc; path=/"], page.body) is None


@pytest.mark.parametrize("status", [200, 301, 404, 429, 503])
def test_other_answers_without_refusal_text_are_not_blocks(status: int) -> None:
    assert block_reason(status, [], b"<html><body><p>Not here</p></body></html>") is None
