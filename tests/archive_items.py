"""Small hand-written items for archive tests (no corpus pages copied)."""

from __future__ import annotations

import hashlib
from typing import Any

from crawler.items import Article, Capture, Image

#: A made-up report, long enough (> 50 characters) to be matched by fingerprint.
BODY = (
    "南京市今天召开全市经济工作会议，总结今年工作并部署明年任务。\n"
    "会议指出，要坚持稳中求进，推动制造业高质量发展，扩大有效投资，持续改善营商环境。"
)
#: The same report in Traditional script, with different punctuation and spacing.
BODY_TRADITIONAL = (
    "南京市今天召開全市經濟工作會議, 總結今年工作並部署明年任務.\n\n"
    "會議指出：要堅持穩中求進 , 推動製造業高質量發展、擴大有效投資、持續改善營商環境！"
)
#: A different report that happens to share BODY's headline in the tests.
OTHER_BODY = (
    "苏州工业园区发布新一轮人才政策，对引进的高层次人才给予住房和科研经费支持。\n"
    "园区还将建设青年人才公寓，并简化外籍人才工作许可办理流程，方便企业招聘。"
)


def make_article(url: str = "http://js.people.com.cn/n2/2022/0213/c360301-1.html", **fields: Any) -> Article:
    """An article item with plausible defaults; keyword arguments override fields."""
    values: dict[str, Any] = {
        "canonical_url": url,
        "site": "people.com.cn",
        "template": "people",
        "title": "全市经济工作会议召开",
        "published_at": "2022-02-13T07:48:00+08:00",
        "published_at_raw": "2022年02月13日07:48",
        "published_precision": "minute",
        "source": "新华日报",
        "authors": ["张三", "李四"],
        "editors": ["王五"],
        "body": BODY,
        "body_html": "<p>" + BODY.replace("\n", "</p><p>") + "</p>",
        "images": [Image(url="http://js.people.com.cn/img/1.jpg", caption="会议现场")],
        "breadcrumbs": ["人民网", "江苏频道"],
        "page_urls": [url],
        "encoding": "gb18030",
        "fetched_at": "2024-03-01T10:00:00+00:00",
    }
    values.update(fields)
    return Article(url=url, **values)


def make_capture(url: str, body: bytes, fetched_at: str = "2024-03-01T10:00:00+00:00") -> Capture:
    """A 200 response capture of ``body`` at ``url``."""
    return Capture(
        url=url,
        fetched_at=fetched_at,
        status=200,
        headers=[["Content-Type", "text/html; charset=GB2312"]],
        body=body,
        digest=hashlib.sha256(body).hexdigest(),
    )
