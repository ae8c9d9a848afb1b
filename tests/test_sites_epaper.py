"""EpaperPage and read_layout on small fixtures of the e-paper system, and on the real Tibet Daily page."""

from datetime import date

import pytest

from crawler.items import Article
from crawler.sites.epaper import EpaperPage, edition_day, printed_page_in, read_layout
from crawler.sites.registry import extract, page_class_for
from tests.site_corpus_checks import check_against_label, corpus_rows
from tests.site_fixtures import FIXTURES

ARTICLE_URL = "http://xh.xhby.net/pc/con/202203/01/content_1001.html"
LAYOUT_URL = "http://xh.xhby.net/pc/layout/202203/01/node_2.html"


def test_article_page_fields():
    article = extract(ARTICLE_URL, (FIXTURES / "epaper_article.html").read_bytes())
    assert isinstance(article, Article), article
    assert article.template == "epaper" and article.site == "xhby.net"
    assert (article.pretitle, article.title, article.subtitle) == ("春回大地", "测试：运河沿线新添十座驿站", "方便市民骑行休憩")
    assert (article.published_at, article.published_precision) == ("2022-03-01T00:00:00+08:00", "day")
    assert article.authors == ["王小明", "陈亮"]
    # the page's own credit line names its page; the nav's links to other pages do not count
    assert article.printed_page == "第2版：江苏新闻"
    assert article.body.splitlines() == [
        "本报讯 近日，运河沿线新建的十座骑行驿站陆续投入使用，为市民提供饮水、充电和休憩服务。",
        "据悉，驿站由废旧厂房改造而成，全部采用太阳能供电。",
    ]


def test_edition_day_in_the_url_dates_a_page_that_shows_no_date():
    html = (FIXTURES / "epaper_article.html").read_text(encoding="utf-8").replace("<span>2022年03月01日</span>", "")
    page = EpaperPage("http://epaper.chinatibetnews.com/xzrb/202203/02/content_5.html", html)
    found = page.published()
    assert found is not None and (found.iso, found.precision, found.raw) == ("2022-03-02T00:00:00+08:00", "day", "202203/02")


@pytest.mark.parametrize(("url", "expected"), [
    ("http://xh.xhby.net/pc/con/202203/01/content_1001.html", date(2022, 3, 1)),
    ("http://xh.xhby.net/newxh/html/2012-06/18/content_1001.htm", date(2012, 6, 18)),
    ("http://xh.xhby.net/mp2/html/2015-05/11/node_2.htm", date(2015, 5, 11)),
    ("http://news.hndaily.cn/html/2019-04/02/content_1_3.htm", date(2019, 4, 2)),
    ("http://xh.xhby.net/pc/con/202213/01/content_1.html", None),
    ("http://xh.xhby.net/about.html", None),
])
def test_the_edition_day_is_read_from_every_url_generation(url, expected):
    assert edition_day(url) == expected


def test_an_older_generation_page_with_text_between_enpcontent_markers_and_a_source_line_is_read():
    html = """<html><body><div class="newsdetatit"><p class="intro"></p><h3>运河沿线新添十座驿站</h3><p class="sub"></p>
<p><span>本报记者 周明</span></p><p><span>2012年06月18日</span> <span>来源：新华日报</span> <span>02版：江苏新闻</span></p></div>
<div class="newsdetatext"><!--enpcontent--><p>　　近日，运河沿线新建的十座骑行驿站陆续投入使用。</p><p>　　驿站由废旧厂房改造而成。</p><!--/enpcontent-->
<!--enpproperty <title>运河沿线新添十座驿站</title>/enpproperty--></div><div class="footer">版权所有</div></body></html>"""
    article = extract("http://xh.xhby.net/newxh/html/2012-06/18/content_1001.htm", html.encode("utf-8"))
    assert isinstance(article, Article), article
    assert (article.title, article.source, article.authors) == ("运河沿线新添十座驿站", "新华日报", ["周明"])
    assert (article.published_at, article.printed_page) == ("2012-06-18T00:00:00+08:00", "02版：江苏新闻")
    assert article.body.splitlines() == ["近日，运河沿线新建的十座骑行驿站陆续投入使用。", "驿站由废旧厂房改造而成。"]


def test_layout_page_lists_pages_names_and_only_this_editions_articles():
    layout = read_layout(LAYOUT_URL, (FIXTURES / "epaper_layout.html").read_text(encoding="utf-8"))
    base = "http://xh.xhby.net/pc/"
    assert layout.printed_page == "第2版：江苏新闻"
    assert layout.page_urls == [f"{base}layout/202203/01/node_{n}.html" for n in (1, 2, 3)]
    assert layout.page_names[f"{base}layout/202203/01/node_3.html"] == "第3版：评论"
    # list order, each once; the previous day's article and the PDF are left out
    assert layout.article_urls == [f"{base}con/202203/01/content_1001.html", f"{base}con/202203/01/content_1002.html"]


@pytest.mark.parametrize(("text", "expected"), [
    ("第 01 版：要闻", "第01版：要闻"),
    ("第A03版:国际", "第A03版:国际"),
    ("第4版", "第4版"),
    ("01版：要闻", "01版：要闻"),
    ("A03版: 国际", "A03版:国际"),
    ("今日出版12版", None),
    ("本报将在第4版刊登读者来信，欢迎大家踊跃参与讨论和投稿。", None),
    ("版面导航", None),
])
def test_printed_page_names(text, expected):
    assert printed_page_in(text) == expected


def test_hosts_choose_the_template():
    for url in ("https://xh.xhby.net/pc/con/202410/14/content_1377538.html",
                "http://epaper.chinatibetnews.com/xzrb/202202/13/content_128707.html"):
        assert page_class_for(url) is EpaperPage
    assert page_class_for("http://127.0.0.1:9/pc/con/x.html", site_hint="epaper") is EpaperPage


@pytest.mark.corpus
@pytest.mark.parametrize("row", corpus_rows("chinatibetnews.com"))
def test_real_tibet_daily_page_matches_its_label(row):
    article = check_against_label(row, "epaper")
    assert article.printed_page is None  # the page does not show its 版次
