"""PeoplePage on small template fixtures (current, old, Traditional/Big5, GBK) and the real corpus pages."""

from pathlib import Path

import pytest

from crawler.items import Article, NotArticle
from crawler.sites.people import PeoplePage
from crawler.sites.registry import extract, page_class_for
from tests.corpus_support import CORPUS, bigram_f1, label_for, manifest, page_url
from tests.site_fixtures import load_article




@pytest.mark.parametrize("encoding", ["gbk", "utf-8"])
def test_current_template(encoding):
    article = load_article("people_current.html", "http://js.people.com.cn/n2/2022/0301/c360302-1.html", encoding)
    assert article.template == "people" and article.site == "people.com.cn"
    assert article.breadcrumbs == ["人民网", "江苏频道", "社会"]
    assert (article.pretitle, article.title, article.subtitle) == ("古运河畔", "测试标题：运河两岸春意浓", "扬州沿河步道全线贯通")
    assert article.original_title == "春到运河边"
    assert (article.published_at, article.published_precision) == ("2022-03-01T08:05:00+08:00", "minute")
    assert article.published_at_raw == "2022年03月01日08:05"
    assert article.source == "扬州日报"
    assert article.authors == ["王小明", "方敏"]
    assert article.editors == ["李华", "赵强"]
    # hidden 原标题, print-edition line, editor line and share widget stay out of the body
    assert article.body.splitlines() == [
        "3月1日，扬州古运河沿岸的步道全线贯通，市民纷纷前来踏青赏花。",
        "市民在运河边散步。",
        "据介绍，新建步道全长12公里，沿线设置了休憩驿站和文化展示点。",
    ]
    assert [(i.url, i.caption) for i in article.images] == [
        ("http://js.people.com.cn/NMediaFile/2022/0301/yz.jpg", "市民在运河边散步。")
    ]
    assert article.pages == 1 and article.page_urls == [article.url]


def test_old_template_with_pager():
    url = "http://culture.people.com.cn/n1/2019/0615/c1013-31153719.html"
    article = load_article("people_old.html", url, "gbk")
    assert article.title == "老城区改造提速" and article.pretitle is None and article.subtitle is None
    assert article.source == "人民网-文化频道"
    assert article.published_at == "2019-06-15T08:18:00+08:00"
    assert article.editors == ["汤小瑶", "丁一"]
    assert article.body.startswith("老城区改造工程") and "点击进入" not in article.body  # link-only promo line
    assert article.page_urls == [url, url.replace(".html", "-2.html"), url.replace(".html", "-3.html")]
    assert article.pages == 3


@pytest.mark.parametrize("encoding", ["big5", "utf-8"])
def test_traditional_labels_parse_the_same(encoding):
    article = load_article("people_traditional.html", "http://hm.people.com.cn/n1/2023/0120/c1-2.html", encoding)
    assert article.source == "香港文匯報"
    assert article.authors == ["陳大文"]
    assert article.editors == ["黃小華", "林國強"]
    assert article.original_title == "團圓的年味"
    assert "原標題" not in article.body
    assert article.script == "zh-Hant"


def test_hosts_and_hint_choose_the_template():
    assert page_class_for("http://js.people.com.cn/n2/x.html") is PeoplePage
    assert page_class_for("https://people.cn/a.html") is PeoplePage
    assert page_class_for("http://127.0.0.1:8080/n2/x.html", site_hint="people") is PeoplePage
    assert page_class_for("http://www.xinhuanet.com/a.htm") is not PeoplePage
    with pytest.raises(KeyError, match="use one of"):
        page_class_for("http://x.cn/", site_hint="nope")


def people_rows():
    if not CORPUS.exists():
        return [pytest.param(None, marks=pytest.mark.skip(reason=f"corpus not found at {CORPUS}"))]
    return [row for row in manifest() if row["site"] == "people.com.cn"]


@pytest.mark.corpus
@pytest.mark.parametrize("row", people_rows(), ids=lambda r: r and Path(r["file"]).stem)
def test_real_people_pages_match_labels(row):
    label = label_for(row)
    article = extract(page_url(row), (CORPUS / row["file"]).read_bytes())
    assert isinstance(article, Article) and article.template == "people"
    for field in ("title", "pretitle", "subtitle", "original_title", "published_at", "source", "authors", "editors",
                  "breadcrumbs", "pages", "script"):
        assert getattr(article, field) == label[field], field
    assert bigram_f1(article.body, label["body"]) >= 0.95


@pytest.fixture(scope="module")
def replica():
    from crawler.replica.site import build_site

    return build_site()


def test_replica_pages_of_multi_page_articles_carry_no_pager_text(replica):
    """The pager under each page (``【1】【2】`` and a ``下一页`` link table) is navigation, not body."""
    multi = [a for a in replica.canonical_articles if a.pages > 1]
    assert multi
    for truth in multi:
        for path in truth.paths:
            result = extract("http://127.0.0.1" + path, replica.pages[path].body, site_hint="people")
            assert isinstance(result, Article), path
            assert not any(line in ("下一页", "上一页") or line.startswith("【1】") for line in result.body.splitlines())
            assert set(result.body.splitlines()) <= set(truth.body.splitlines()), path


def test_replica_special_topic_page_is_not_an_article(replica):
    topics = [path for path, reason in replica.non_articles.items() if reason.startswith("special-topic")]
    assert topics
    for path in topics:
        result = extract("http://127.0.0.1" + path, replica.pages[path].body, site_hint="people")
        assert isinstance(result, NotArticle), path
