"""A two-article corpus, laid out like /work/shared/corpus, for the evaluation tests.

Page A (example.com, UTF-8, URL from MANIFEST.tsv) and page B (sample.org, GB18030 bytes
under a GB2312 meta, no manifest URL) are labelled; a list page is not. :data:`FAKE`
holds what a fake extractor "predicts" for each page URL; the expected scores in the
tests are computed by hand from these two dicts.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from crawler.items import Article, NotArticle

URL_A = "http://js.example.com/n2/a.html"
#: No manifest URL for B, so the evaluator builds http://<site>/<file name>.
URL_B = "http://sample.org/b.html"

PAGE_A = """<html><head><meta charset="utf-8"><title>江苏多地开学--示例网</title></head><body>
<div class="crumbs"><a>示例网</a> &gt; <a>江苏</a></div>
<h1>江苏多地开学</h1>
<div class="info">2022-02-13 07:48 来源：新华日报</div>
<div class="text"><p>江苏多地日前发布通知。</p><p>本报记者 葛灵丹</p></div>
<div class="edit">(责编：萧潇、张妍)</div>
</body></html>"""

PAGE_B = """<html><head><meta http-equiv="Content-Type" content="text/html; charset=gb2312"></head>
<body><h1>土豆不土</h1><div class="info">2022年02月13日</div>
<div class="text"><p>土豆是好东西。</p></div></body></html>"""

LABEL_A: dict[str, Any] = {
    "file": "raw/example.com/a.html",
    "kind": "article",
    "title": "江苏多地开学",
    "pretitle": None,
    "subtitle": None,
    "original_title": None,
    "published_at": "2022-02-13T07:48:00+08:00",
    "published_precision": "minute",
    "source": "新华日报",
    "authors": ["葛灵丹"],
    "editors": ["萧潇", "张妍"],
    "breadcrumbs": ["示例网", "江苏"],
    "body": "江苏多地日前发布通知。\n本报记者 葛灵丹",
    "pages": 1,
    "script": "zh-Hans",
    "notes": "",
}

LABEL_B: dict[str, Any] = {
    **LABEL_A,
    "file": "raw/sample.org/b.html",
    "title": "土豆不土",
    "published_at": "2022-02-13T00:00:00+08:00",
    "published_precision": "day",
    "source": None,
    "authors": [],
    "editors": [],
    "breadcrumbs": [],
    "body": "土豆是好东西。",
}


def build_corpus(root: Path) -> Path:
    """Write the corpus under ``root`` and return it."""
    for rel, data in {
        "raw/example.com/a.html": PAGE_A.encode("utf-8"),
        "raw/sample.org/b.html": PAGE_B.encode("gb18030"),
        "raw/sample.org/LIST_index.html": b"<html><body><ul><li>list</li></ul></body></html>",
    }.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_bytes(data)
    for label in (LABEL_A, LABEL_B):
        path = root / label["file"].replace("raw/", "expected/", 1).replace(".html", ".json")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(label, ensure_ascii=False, indent=2), encoding="utf-8")
    (root / "MANIFEST.tsv").write_text(
        "file\tsite\tpage_url\tencoding\tkind\n"
        f"raw/example.com/a.html\texample.com\t{URL_A}\tutf-8\tarticle\n"
        "raw/sample.org/b.html\tsample.org\t\tgb2312\tarticle\n",
        encoding="utf-8",
    )
    return root


def fake_extractor(url: str, body: bytes, **_: Any) -> Article | NotArticle:
    """Page A: right except one editor, no breadcrumbs, the byline missing from the body,
    and the time given in UTC. Page B: judged not an article."""
    if url == URL_A:
        return Article(
            url=url,
            title="江苏多地开学",
            subtitle="",
            source=" 新华日报 ",
            published_at="2022-02-12T23:48:00+00:00",
            authors=["葛灵丹"],
            editors=["萧潇"],
            body="江苏多地日前发布通知。",
            encoding="utf-8",
        )
    if url == URL_B:
        return NotArticle(url=url, reason="looks like a list page")
    raise AssertionError(f"unexpected URL {url}")


#: Hand-computed mean scores of :func:`fake_extractor` over pages A and B.
#: body on A: label without whitespace has 18 chars = 17 bigrams, prediction 11 chars =
#: 10 bigrams, all in the label -> F1 = 2*10/27; on B the empty prediction scores 0.
EXPECTED_MEANS = {
    "title": 0.5,
    "pretitle": 1.0,
    "subtitle": 1.0,
    "original_title": 1.0,
    "source": 1.0,
    "published_at": 0.5,
    "authors": 1.0,
    "editors": (2 / 3 + 1.0) / 2,
    "breadcrumbs": 0.5,
    "body": (20 / 27) / 2,
}
