"""Recognise the pages a site sends instead of content when it refuses a crawler.

Public crawler reports show the news sites answering foreign or fast clients with

- ``403`` pages;
- WAF challenge pages: a short page of script that sets a cookie and reloads (Alibaba
  Cloud's ``acw_tc`` / ``acw_sc__v2``, and the like);
- ``200`` pages that say 访问过于频繁 ("too many visits") or ask for a 验证码 (captcha),
  in either script.

None of them is an article, a list page or a layout change: they are a state of the
host (see :mod:`crawler.pauses`). Page text is judged only on short pages or in the
``<title>``, so an article that *mentions* a 验证码 scam is not mistaken for a captcha.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

#: Status codes that mean "refused" (429 is rate limiting, handled as back-off, not a block).
BLOCK_STATUSES = frozenset({403})
#: Cookies set by challenge pages of web application firewalls.
CHALLENGE_COOKIES = re.compile(r"^(acw_tc|acw_sc__v2|__jsl_clearance\w*|_waf_\w+)=", re.IGNORECASE)
#: Script markers of challenge pages (the cookie-computing reload), in lower case: the page's
#: start is lowered once and searched for these (a case-blind regex took 0.2 ms a page, as
#: much as a tenth of what Scrapy itself spends on one).
CHALLENGE_MARKERS = (b"acw_sc__v2", b"__jsl_clearance", b"_waf_bd8ce2ce37")
_CHALLENGE_ARG = re.compile(rb"var arg1\s*=")
#: What refusal pages say, in Simplified and Traditional script, as UTF-8 and GBK/Big5 bytes.
REFUSAL_PHRASES = ("访问过于频繁", "訪問過於頻繁", "访问太频繁", "請求過於頻繁", "请求过于频繁",
                   "验证码", "驗證碼", "人机验证", "安全验证", "訪問受限", "访问受限")


def _encodings(phrase: str) -> Iterable[bytes]:
    """The phrase's bytes in every encoding these sites serve that can write it."""
    for codec in ("utf-8", "gb18030", "big5"):
        try:
            yield phrase.encode(codec)
        except UnicodeEncodeError:
            continue


_REFUSAL = re.compile(b"|".join(re.escape(raw) for phrase in REFUSAL_PHRASES for raw in _encodings(phrase)))
#: Pages shorter than this (bytes of markup) are judged by their whole text; longer ones
#: only by their ``<title>`` (a real article is longer than any refusal page).
SHORT_PAGE = 6000
_TITLE = re.compile(rb"<title[^>]*>(.*?)</title>", re.IGNORECASE | re.DOTALL)


def block_reason(status: int, set_cookies: Iterable[str], body: bytes) -> str | None:
    """Why this response is a refusal rather than content, or None when it is content."""
    if status in BLOCK_STATUSES:
        return f"HTTP {status}"
    challenge_cookie = next((c.split("=", 1)[0] for c in set_cookies if CHALLENGE_COOKIES.match(c.strip())), None)
    if _challenge_script(body[:SHORT_PAGE * 4]):
        return "WAF challenge page" + (f" (cookie {challenge_cookie})" if challenge_cookie else "")
    if challenge_cookie and len(body) < SHORT_PAGE and b"<p" not in body.lower():
        return f"WAF challenge page (cookie {challenge_cookie})"
    if status >= 300:
        return None
    title = _TITLE.search(body[:SHORT_PAGE])
    judged = body if len(body) < SHORT_PAGE else (title.group(1) if title else b"")
    found = _REFUSAL.search(judged)
    if found:
        return f"refusal page ({_phrase(found.group(0))})"
    return None


def _challenge_script(start: bytes) -> bool:
    """Whether the start of a page holds a challenge page's script markers, in any letter case."""
    low = start.lower()
    if any(marker in low for marker in CHALLENGE_MARKERS):
        return True
    return b"var arg1" in low and _CHALLENGE_ARG.search(low) is not None


def _phrase(raw: bytes) -> str:
    for codec in ("utf-8", "gb18030", "big5"):
        try:
            text = raw.decode(codec)
        except UnicodeDecodeError:
            continue
        if text in REFUSAL_PHRASES:
            return text
    return raw.decode("utf-8", "replace")
