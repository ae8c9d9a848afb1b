"""XinhuaPage on small fixtures of the current and older news.cn layouts, and on the real corpus pages."""


import pytest

from crawler.sites.registry import page_class_for
from crawler.sites.xinhua import XinhuaPage
from tests.site_corpus_checks import check_against_label, corpus_rows
from tests.site_fixtures import load_article




@pytest.mark.parametrize("encoding", ["utf-8", "gb18030"])
def test_current_layout(encoding):
    article = load_article("xinhua_current.html", "http://www.news.cn/local/20240302/abc/c.html", encoding)
    assert article.template == "xinhua" and article.site == "news.cn"
    assert article.title == "测试：黄河湿地迎来候鸟季"
    # the split dateline (<em>2024</em> 03/02 09:15:30) is read whole, not the hidden mobile header's
    assert (article.published_at, article.published_precision) == ("2024-03-02T09:15:30+08:00", "second")
    assert article.published_at_raw == "2024 03/02 09:15:30"
    assert article.source == "河南日报"
    assert article.authors == ["王小明", "李华"]
    assert article.editors == ["赵强"]
    assert article.breadcrumbs == ["新华网", "地方"]
    assert article.body.splitlines() == [
        "新华社郑州3月2日电（记者王小明、李华）初春时节，黄河湿地迎来大批越冬候鸟，成群的白天鹅在浅滩上觅食嬉戏。",
        "白天鹅在黄河湿地觅食。",
        "据介绍，近年来当地持续开展湿地生态修复，候鸟数量逐年增加。",
    ]
    assert [i.caption for i in article.images] == ["白天鹅在黄河湿地觅食。"]


def test_older_layout():
    article = load_article("xinhua_old.html", "http://www.xinhuanet.com/local/2019-06/15/c_1.htm", "gbk")
    assert article.title == "老城区公园完成改造"
    assert article.published_at == "2019-06-15T08:18:09+08:00"
    assert article.source == "新华网"
    assert article.editors == ["汤小瑶"]  # the 责任编辑 line sits in span.p-jc, next to the hidden 纠错 box
    assert article.authors == ["周明"]
    assert article.breadcrumbs == ["新华网"]  # the empty placeholder link is not a crumb
    assert "责任编辑" not in article.body and "纠错" not in article.body


def test_hosts_choose_the_template():
    for url in ("http://www.news.cn/a/c.html", "http://he.news.cn/20240515/x/c.html",
                "http://www.xinhuanet.com/world/2019-12/10/c_1.htm", "http://chinaneast.xinhuanet.com/a.htm"):
        assert page_class_for(url) is XinhuaPage, url
    assert page_class_for("http://127.0.0.1:8000/x.html", site_hint="xinhua") is XinhuaPage
    assert page_class_for("http://www.notnews.cn/a.html") is not XinhuaPage


@pytest.mark.corpus
@pytest.mark.parametrize("row", corpus_rows("xinhuanet.com"))
def test_real_xinhua_pages_match_labels(row):
    check_against_label(row, "xinhua")
