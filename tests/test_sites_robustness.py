"""extract() never raises, whatever the bytes: it returns an Article or a NotArticle."""

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crawler.items import Article, NotArticle
from crawler.sites.registry import extract

FIXTURE = (Path(__file__).parent / "fixtures" / "sites" / "people_current.html").read_text(encoding="utf-8")
URL = "http://js.people.com.cn/n2/2022/0301/c360302-1.html"


def check(result: Article | NotArticle) -> None:
    assert isinstance(result, (Article, NotArticle))
    if isinstance(result, Article):
        text = "".join(str(v) for v in (result.title, result.body, result.source, *result.authors, *result.editors))
        if "\ufffd" in text:
            assert any(p.kind == "encoding" for p in result.problems), "replacement characters without a problem"
    else:
        assert result.reason


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=3000))
def test_arbitrary_bytes(body):
    check(extract(URL, body))


@settings(max_examples=100, deadline=None)
@given(
    st.sampled_from(["gbk", "utf-8", "big5", "utf-16"]),
    st.integers(min_value=0, max_value=len(FIXTURE.encode("utf-8"))),
    st.binary(max_size=40),
    st.sampled_from([None, "gb2312", "utf-8", "big5", "latin-1", "no-such-charset"]),
)
def test_mutated_pages(encoding, cut, junk, declared):
    body = FIXTURE.encode(encoding, errors="replace")
    body = body[:cut] + junk + body[cut:][: len(body) // 2]
    check(extract(URL, body, declared_encoding=declared))


@settings(max_examples=60, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("<>/=\"' abcdivptableh1原标题来源：责编记者2022年月日\n\x00")), max_size=2000))
def test_tag_soup(text):
    check(extract(URL, text.encode("utf-8"), site_hint="people"))


def test_edge_cases():
    nested = b"<html><body>" + b"<table><tr><td>" * 3000 + "正文，内容。".encode() * 50 + b"</body></html>"
    big = b"<html><body>" + "<p>这是一个很长的段落，用来测试大页面。</p>".encode() * 120_000 + b"</body></html>"
    for body in (b"", b"   ", b"\x00\x01\x02" * 100, b"\xff\xd8\xff\xe0JFIF" + bytes(range(256)) * 20, nested, big):
        check(extract(URL, body))
    truncated = extract(URL, FIXTURE.encode("utf-8")[:-200])
    assert isinstance(truncated, Article) and any(p.kind == "truncated" for p in truncated.problems)


def test_a_closing_tag_in_the_last_4_kb_marks_a_complete_download():
    page = FIXTURE.encode("utf-8")
    assert not any(p.kind == "truncated" for p in extract(URL, page).problems)
    upper = page.replace(b"</body>", b"</BODY>").replace(b"</html>", b"")
    assert not any(p.kind == "truncated" for p in extract(URL, upper).problems)
    # a closing tag further from the end than 4 KB does not count
    padded = page.replace(b"</body>", b"").replace(b"</html>", b"</html>" + b"<p>x</p>" * 600)
    assert any(p.kind == "truncated" for p in extract(URL, padded).problems)


def test_an_article_inside_300_unclosed_font_tags_is_read_whole() -> None:
    whole = extract(URL, FIXTURE.encode("utf-8"))
    deep = extract(URL, FIXTURE.replace("<body>", "<body>" + "<font size=3>" * 300, 1).encode("utf-8"))
    assert isinstance(whole, Article) and isinstance(deep, Article)
    assert deep.body == whole.body and len(deep.body) > 50
    assert deep.title == whole.title


def test_a_stray_nul_in_the_title_does_not_make_an_article_binary() -> None:
    page = FIXTURE.replace("<title>", "<title>\x00", 1).encode("utf-8")
    assert page.index(b"\x00") < 1024
    result = extract(URL, page)
    assert isinstance(result, Article) and result.body == extract(URL, FIXTURE.encode("utf-8")).body


def test_an_article_nested_past_the_parsers_limit_keeps_its_text_and_says_so() -> None:
    result = extract(URL, FIXTURE.replace("<body>", "<body>" + "<font size=3>" * 3000, 1).encode("utf-8"))
    assert isinstance(result, Article) and len(result.body) > 50
    assert "parser_limit" in [p.kind for p in result.problems]
