"""What of an article body is the article: body paragraphs minus site boilerplate.

Extractors keep bylines, editor lines and reprint notices that sit inside the text
(they are what the reader sees), but those paragraphs say nothing about *which* article
it is: every page of a site carries the same copyright notice, a syndicated copy swaps
the byline and adds a "来源" line. Identity checks (exact fingerprint eligibility,
near-duplicate shingles) therefore look only at the substantive paragraphs, so that two
boilerplate-only pages are never "the same article" and a re-published copy is compared
on its wording. Works on Simplified text (the normalise pipeline's ``simplified`` forms).
"""

from __future__ import annotations

import re
from functools import lru_cache

from models.fingerprint import STORE_BATCH_CACHE, fold

#: Credit and provenance lines: only boilerplate when the paragraph is short, since a
#: sentence such as "记者从市交通局获悉，……" is real text.
CREDIT_LINE = re.compile(
    r"^[\W_]*(?:责任编辑|责编|编辑|来源|稿源|出处|作者|(?:本报|本网)?记者|通讯员|摄影|图片来源|本文来源|文章来源|"
    r"本文转自|原标题|校对|审核|监制|出品)\s*[：:（(\s]"
)
CREDIT_MAX_CHARS = 40
#: Copyright, reprint and share prompts: boilerplate whenever the paragraph is notice-sized.
NOTICE = re.compile(
    r"版权所有|未经(?:协议)?授权|禁止(?:下载|转载|复制)|转载请注明|不得转载|扫一扫|扫描二维码|长按识别|分享到|"
    r"点击(?:进入|查看|阅读)|关注.{0,12}(?:公众号|微博|客户端)|下载.{0,8}客户端"
)
NOTICE_MAX_CHARS = 120


def is_boilerplate(paragraph: str) -> bool:
    """Whether one paragraph is a credit line or a site notice rather than article text."""
    text = paragraph.strip()
    if not text:
        return True
    if len(text) <= CREDIT_MAX_CHARS and CREDIT_LINE.match(text):
        return True
    return len(text) <= NOTICE_MAX_CHARS and NOTICE.search(text) is not None


def substantive_text(body: str) -> str:
    """``body`` (paragraphs joined with ``"\\n"``) without its boilerplate paragraphs."""
    return "\n".join(p for p in body.split("\n") if not is_boilerplate(p))


@lru_cache(maxsize=STORE_BATCH_CACHE)
def folded_substantive_text(body: str) -> str:
    """NFKC form of :func:`substantive_text`, from the body's cached fold (paragraphs are
    judged as published, so the fold is split alongside the body, unless nothing is
    dropped). Cached: the exact fingerprint's eligibility check and the near-duplicate
    sketch both ask for it."""
    folded = fold(body)
    kept = [not is_boilerplate(paragraph) for paragraph in body.split("\n")]
    if all(kept):
        return folded
    return "\n".join(line for line, keep in zip(folded.split("\n"), kept, strict=True) if keep)
