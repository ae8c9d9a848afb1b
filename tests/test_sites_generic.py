"""GenericArticlePage on a small fixture and on the corpus pages of sites without rules."""

from pathlib import Path

import pytest

from crawler.items import Article, NotArticle
from crawler.sites.generic import GenericArticlePage, strip_site_suffix
from crawler.sites.registry import extract
from tests.corpus_support import CORPUS, bigram_f1, label_for, manifest, page_url, set_f1

FIXTURES = Path(__file__).parent / "fixtures" / "sites"


def test_generic_fixture_fields():
    result = extract("https://news.example.cn/a/1.html", (FIXTURES / "generic_article.html").read_bytes())
    assert isinstance(result, Article) and result.template == "generic" and result.site == "example.cn"
    assert result.title == "本市新建十座口袋公园"
    assert result.breadcrumbs == ["首页", "城市"]
    # the visible dateline wins over the meta tag, and keeps its seconds
    assert (result.published_at, result.published_precision) == ("2021-09-02T09:30:15+08:00", "second")
    assert result.source == "示范日报"
    assert result.authors == ["张三", "李四"]
    assert result.editors == ["王五"]
    assert result.body.count("\n") == 2 and "分享到" not in result.body and "版权所有" not in result.body


@pytest.mark.parametrize("name", ["list_page.html", "login_page.html"])
def test_non_articles(name):
    result = extract(f"https://news.example.cn/{name}", (FIXTURES / name).read_bytes())
    assert isinstance(result, NotArticle) and result.reason


def test_a_failing_field_becomes_a_problem_not_an_exception(monkeypatch):
    page = GenericArticlePage("https://news.example.cn/a/1.html", (FIXTURES / "generic_article.html").read_text())
    monkeypatch.setattr(GenericArticlePage, "body_element", property(lambda self: 1 / 0))
    article = page.to_article()
    assert article.title == "本市新建十座口袋公园"
    assert ("parse_error", "body") in {(p.kind, p.field) for p in article.problems}


@pytest.mark.parametrize(
    ("title", "headline"),
    [
        ("江苏多地要求师生暂不返校--人民网江苏频道--人民网", "江苏多地要求师生暂不返校"),
        ("习近平主持召开座谈会-中国科普网", "习近平主持召开座谈会"),
        ("千龙网--汽车--广汽回应现代合资内幕", "广汽回应现代合资内幕"),
        ("书记市长这一周 | 奋马扬鞭争春色，“虎”力全开向未来", "书记市长这一周 | 奋马扬鞭争春色，“虎”力全开向未来"),
    ],
)
def test_strip_site_suffix(title, headline):
    assert strip_site_suffix(title) == headline


def corpus_results():
    rows = [row for row in manifest() if row["site"] != "people.com.cn"]
    return [(row, label_for(row), extract(page_url(row), (CORPUS / row["file"]).read_bytes())) for row in rows]


@pytest.fixture(scope="module")
def results():
    if not CORPUS.exists():
        pytest.skip(f"corpus not found at {CORPUS}")
    return corpus_results()


@pytest.mark.corpus
def test_list_pages_are_not_articles(results):
    lists = [result for _, label, result in results if label is None]
    assert lists and all(isinstance(result, NotArticle) for result in lists)


@pytest.mark.corpus
def test_every_labelled_page_is_an_article(results):
    assert all(isinstance(result, Article) for _, label, result in results if label is not None)


@pytest.mark.corpus
def test_per_page_fields_met_on_the_way(results):
    """Fields every generic reading should get right on these pages (checked by hand against the labels)."""
    by_file = {row["file"]: (label, result) for row, label, result in results}
    label, article = by_file["raw/xinhuanet.com/newscn_politics_leaders_20240509.html"]
    assert article.authors == label["authors"] == ["邹伟"]
    assert article.breadcrumbs == ["新华网", "时政"]
    label, article = by_file["raw/thepaper.cn/newsDetail_forward_7732983.html"]
    assert article.editors == ["李跃群"]  # 校对 is not an editor
    label, article = by_file["raw/gmw.cn/politics_2024-05-13_content_37319243.html"]
    assert article.authors == ["钟才文"]  # closing signature
    label, article = by_file["raw/qianlong.com/auto_2005-07-18_1680-2723871.html"]  # CleanEval wrapper, GB bytes
    assert article.title == label["title"] and article.source == "21世纪经济报道"


@pytest.mark.corpus
def test_aggregate_scores_over_all_corpus_articles(results):
    people = [(r, label_for(r), extract(page_url(r), (CORPUS / r["file"]).read_bytes()))
              for r in manifest() if r["site"] == "people.com.cn"]
    pages = [(label, result) for _, label, result in results + people if label is not None]
    n = len(pages)

    def exact(field):
        return sum(getattr(a, field) == label[field] for label, a in pages) / n

    assert exact("title") >= 0.9
    assert exact("published_at") >= 0.95
    assert exact("source") >= 0.8
    assert exact("original_title") >= 0.95
    assert sum(set_f1(a.editors, label["editors"]) for label, a in pages) / n >= 0.9
    assert sum(set_f1(a.authors, label["authors"]) for label, a in pages) / n >= 0.8
    assert sum(bigram_f1(a.body, label["body"]) for label, a in pages) / n >= 0.95
