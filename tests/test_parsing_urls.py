"""URL identity: every variant of an article's URL has one canonical form; relative links are joined as urljoin does."""

from __future__ import annotations

from urllib.parse import urljoin, urlsplit, urlunsplit

import pytest
from w3lib.url import canonicalize_url

from crawler.parsing.urls import canonical_host, canonicalize, join_url

ARTICLE = "https://js.people.com.cn/n2/2022/0213/c360301-35131247.html"


@pytest.mark.parametrize(
    "variant",
    [
        "http://js.people.com.cn/n2/2022/0213/c360301-35131247.html",  # scheme
        "HTTP://JS.People.com.cn/n2/2022/0213/c360301-35131247.html",  # case
        "http://js.people.com.cn:80/n2/2022/0213/c360301-35131247.html",  # default port
        "http://js.people.com.cn/n2/2022/0213/c360301-35131247.html#comments",  # fragment
        "http://js.people.com.cn/n2/2022/0213/c360301-35131247.html?from=timeline&spm=a1.b2.c3",  # tracking
        "http://js.people.com.cn/n2/2022/0213/c360301-35131247.html?utm_source=wx&isappinstalled=0",
        "http://js.people.com.cn/n2/2022/0213/c360301-35131247-2.html",  # page 2
        "http://js.people.com.cn/n2/2022/0213/c360301-35131247-3.html?from=groupmessage",
        "http://m.js.people.com.cn/n2/2022/0213/c360301-35131247.html",  # mobile mirror host
        "https://wap.js.people.com.cn/n2/2022/0213/c360301-35131247.html",
        "  http://js.people.com.cn/n2/2022/0213/c360301-35131247.html  ",  # stray whitespace
    ],
)
def test_variants_of_one_article_url_are_one(variant: str) -> None:
    assert canonicalize(variant) == ARTICLE


@pytest.mark.parametrize(
    "host, canonical",
    [
        ("m.people.com.cn", "people.com.cn"),
        ("www.people.com.cn", "people.com.cn"),
        ("people.com.cn", "people.com.cn"),
        ("m.xhby.net", "xhby.net"),
        ("www.news.cn", "news.cn"),
        ("localhost", "127.0.0.1"),
        ("::1", "127.0.0.1"),
        ("Example.COM.", "example.com"),
        ("m.example.com", "m.example.com"),  # unknown site: a mobile host may be another site
        ("www.example.com.tw", "www.example.com.tw"),
    ],
)
def test_canonical_host(host: str, canonical: str) -> None:
    assert canonical_host(host) == canonical


def test_loopback_names_are_one_replica_host_but_ports_differ() -> None:
    path = "/n2/2020/0412/c360302-31620000.html"
    assert canonicalize(f"http://localhost:8800{path}") == canonicalize(f"http://127.0.0.1:8800{path}")
    assert canonicalize(f"http://127.0.0.1:8801{path}") != canonicalize(f"http://127.0.0.1:8800{path}")


@pytest.mark.parametrize(
    "other",
    [
        "http://js.people.com.cn/n2/2022/0213/c360301-35131248.html",  # another article id
        "http://sh.people.com.cn/n2/2022/0213/c360301-35131247.html",  # another channel host
        "http://js.people.com.cn/big5/n2/2022/0213/c360301-35131247.html",  # Traditional mirror: by content
        "http://js.people.com.cn/n2/2022/0213/c360301-35131247.html?id=2",  # a meaningful parameter
    ],
)
def test_different_pages_stay_different(other: str) -> None:
    assert canonicalize(other) != ARTICLE


def test_meaningful_query_parameters_are_kept_sorted() -> None:
    assert canonicalize("http://xhby.net/content.html?b=2&from=app&a=1") == "https://xhby.net/content.html?a=1&b=2"


def test_xinhua_and_epaper_page_suffixes() -> None:
    assert canonicalize("http://www.xinhuanet.com/politics/2022-02/13/c_1128370000_2.htm") == (
        "https://xinhuanet.com/politics/2022-02/13/c_1128370000.htm"
    )
    assert canonicalize("http://xh.xhby.net/pc/con/202202/13/content_1020000_2.html") == (
        "https://xh.xhby.net/pc/con/202202/13/content_1020000.html"
    )


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8800/n2/2020/0304/c360302-31600322.html",
        "https://news.cn/politics/leaders/20240509/3dd6e33cc6d749fbaae01fea337ff400/c.html",
        "http://0x7f.1/a//b/~c_d-e.f...",
        "http://a..b/.x/x./",
        "http://xn--fiq228c.com:65535/",
        "http://example.com",
    ],
)
def test_plain_urls_canonicalize_as_w3lib_does(url: str) -> None:
    # canonicalize skips w3lib for a plain host and path; the result must be what w3lib gives
    parts = urlsplit(url)
    assert canonicalize(url) == canonicalize_url(urlunsplit(("https", parts.netloc, parts.path or "/", "", "")))


@pytest.mark.parametrize(
    "base",
    ["http://127.0.0.1:8800/n2/2020/0301/c1-2.html", "HTTPS://Example.COM/a/b?q=1#f", "http://u:p@h:81/x;p?q", "http:///x",
     "https://[::1]:8080/x/", "ftp://a/b", "", " http://a/b", "mailto:x@y"],
)
@pytest.mark.parametrize(
    "href", ["/NMediaFile/2020/0301/MAIN1.png", "/a/./b", "/a/../b", "//cdn.example.com/x.png", "x.png", "/a b", "/", ""],
)
def test_join_url_is_urljoin(base: str, href: str) -> None:
    assert join_url(base, href) == urljoin(base, href)
