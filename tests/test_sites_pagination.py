"""merge_pages joins the pages of one article in page order."""

import pytest

from crawler.items import Article, Image, Problem
from crawler.sites.pagination import merge_pages

URL = "http://culture.people.com.cn/n1/2019/0615/c1013-1.html"
URLS = [URL, URL.replace(".html", "-2.html"), URL.replace(".html", "-3.html")]


def page(n: int, **extra) -> Article:
    return Article(url=URLS[n - 1], title=f"title {n}", body=f"body {n}", body_html=f"<p>body {n}</p>",
                   images=[Image(url=f"http://x/{n}.jpg")], page_digests=[f"d{n}"], page_urls=list(URLS) if n == 1 else [URLS[n - 1]], **extra)


def test_merge_three_pages():
    merged = merge_pages([page(1), page(2, problems=[Problem("no_date", "x", "published_at")]), page(3)])
    assert merged.title == "title 1"
    assert merged.body == "body 1\nbody 2\nbody 3"
    assert merged.body_html == "<p>body 1</p>\n<p>body 2</p>\n<p>body 3</p>"
    assert [i.url for i in merged.images] == ["http://x/1.jpg", "http://x/2.jpg", "http://x/3.jpg"]
    assert merged.page_digests == ["d1", "d2", "d3"] and merged.page_urls == URLS and merged.pages == 3
    assert [p.kind for p in merged.problems] == ["no_date"]


def test_merge_does_not_modify_first_page_and_needs_one():
    first = page(1)
    merge_pages([first, page(2)])
    assert first.body == "body 1"
    with pytest.raises(ValueError, match="at least"):
        merge_pages([])
