"""The replica site meets the requirements the crawler tests rely on, and its ground truth
agrees with what the served HTML really shows (read back here with lxml, not with the
replica's own code)."""

from __future__ import annotations

import html
import itertools
import random
import re
from datetime import datetime

import opencc
import pytest
from lxml import html as lxml_html

from crawler.replica import vocabulary
from crawler.replica.site import ReplicaSite, build_site

ARTICLE_PATH = re.compile(r"^/n2/(\d{4})/(\d{2})(\d{2})/c360302-(\d{8})(?:-([23]))?\.html$")
DATELINE = re.compile(r"(\d{4})年(\d{2})月(\d{2})日(\d{2}):(\d{2})")


@pytest.fixture(scope="module")
def site() -> ReplicaSite:
    return build_site()


def decode(body: bytes, encoding: str) -> str:
    return body.decode("gb18030" if encoding == "gbk" else encoding)


def page_tree(site: ReplicaSite, path: str, encoding: str):
    return lxml_html.fromstring(decode(site.pages[path].body, encoding))


def read_body(tree) -> list[str]:
    """Body paragraphs as a reader sees them: visible <p> text in the article container."""
    container = tree.xpath('//div[contains(@class,"rm_txt_con")] | //div[@id="rwb_zw"]')[0]
    texts = [p.text_content().strip() for p in container.xpath("./p[not(@class='paper_num')]")]
    return [t for t in texts if t]


def links(tree, xpath: str = "//a/@href") -> list[str]:
    return [h for h in tree.xpath(xpath) if h.startswith("/")]


def list_entries(site: ReplicaSite) -> list[tuple[str, str, str]]:
    """(list page, href, date text) for every entry of every list page, in order."""
    out = []
    for path in site.list_pages:
        tree = page_tree(site, path, "gbk")
        for li in tree.xpath('//ul[contains(@class,"list_16")]/li'):
            out.append((path, li.xpath("./a/@href")[0], li.xpath("./em/text()")[0]))
    return out


def test_same_seed_gives_same_bytes_and_another_seed_differs() -> None:
    first, second, other = build_site(seed=7, articles=40), build_site(seed=7, articles=40), build_site(seed=8, articles=40)
    assert list(first.pages) == list(second.pages)
    assert all(first.pages[p].body == second.pages[p].body for p in first.pages)
    assert first.articles == second.articles
    assert [a.body for a in first.articles] != [a.body for a in other.articles]


def test_rendering_order_does_not_change_pages() -> None:
    forwards, backwards = build_site(seed=3, articles=30), build_site(seed=3, articles=30)
    rendered = {p: forwards.pages[p].body for p in forwards.pages}
    assert all(backwards.pages[p].body == rendered[p] for p in reversed(list(backwards.pages)))


def test_article_count_urls_and_dates(site: ReplicaSite) -> None:
    canonical = site.canonical_articles
    assert len(canonical) == 240
    assert len({a.path for a in canonical}) == 240
    assert len({a.title for a in canonical}) == 240
    months = set()
    for article in canonical:
        match = ARTICLE_PATH.match(article.path)
        assert match and match.group(5) is None, article.path
        published = datetime.fromisoformat(article.published_at or f"{match[1]}-{match[2]}-{match[3]}T12:00:00+08:00")
        assert (published.year, published.month, published.day) == tuple(map(int, match.groups()[:3]))
        months.add(published.month)
    assert months == {3, 4, 5}


def test_list_pages_hold_about_twenty_entries_newest_first(site: ReplicaSite) -> None:
    assert len(site.list_pages) >= 10
    assert site.list_pages[:2] == ["/GB/360302/index.html", "/GB/360302/index2.html"]
    entries = list_entries(site)
    articles = {a.path for a in site.canonical_articles}
    listed = [href for _, href, _ in entries if href in articles]
    assert sorted(listed) == sorted(articles)
    for path in site.list_pages:
        dates = [d for p, h, d in entries if p == path and h in articles]
        assert 18 <= len(dates) <= 20 or path == site.list_pages[-1]
    order = [site.article_at(h).published_at or "" for _, h, _ in entries if h in articles]
    dated = [o for o in order if o]
    assert dated == sorted(dated, reverse=True)


def test_pager_links_resolve_and_chain_every_list_page(site: ReplicaSite) -> None:
    reached, path = [], site.list_pages[0]
    while path:
        reached.append(path)
        tree = page_tree(site, path, "gbk")
        for href in tree.xpath('//div[contains(@class,"page_n")]/a/@href'):
            assert href in site.pages, href
        following = tree.xpath('//div[contains(@class,"page_n")]/a[text()="下一页"]/@href')
        path = following[0] if following else None
    assert reached == site.list_pages


def test_every_link_on_list_pages_resolves_except_the_recorded_dead_one(site: ReplicaSite) -> None:
    broken = {h for p in site.list_pages for h in links(page_tree(site, p, "gbk")) if h not in site.pages}
    assert broken == set(site.missing_paths)
    assert len(site.missing_paths) == 1 and ARTICLE_PATH.match(site.missing_paths[0])


def test_ground_truth_matches_the_html(site: ReplicaSite) -> None:
    for article in site.articles:
        paragraphs, images = [], []
        for number, path in enumerate(article.paths, 1):
            tree = page_tree(site, path, article.encoding)
            assert tree.xpath("string(//h1)").strip() == article.title
            assert (tree.xpath('string(//h3[@class="pre"])').strip() or None) == article.pretitle
            assert (tree.xpath('string(//h4[@class="sub"])').strip() or None) == article.subtitle
            crumbs = tree.xpath('//*[@id="rwb_navpath"]/a/text()')
            assert crumbs == article.breadcrumbs
            edit = tree.xpath('string(//div[contains(@class,"edit")])')
            assert re.split("[、]", edit.strip()[4:-1]) == article.editors
            otitle = tree.xpath('string(//div[@class="otitle"])').strip()
            if number == 1:
                assert (otitle[4:] or None) == article.original_title
            paragraphs += read_body(tree)
            images += tree.xpath('//img[contains(@src,"/NMediaFile/")]/@src')
            pager = tree.xpath('//div[contains(@class,"zdfy")]/a/@href')
            assert pager == (article.paths if article.pages > 1 else [])
        assert "\n".join(paragraphs) == article.body, article.path
        assert images == [src for src, _ in article.images]
        assert article.pages == len(article.paths)


def test_datelines_and_sources_match_ground_truth(site: ReplicaSite) -> None:
    for article in site.canonical_articles:
        tree = page_tree(site, article.path, article.encoding)
        line = tree.xpath('string(//div[@class="col-1-1"] | //div[@class="box01"]/div[@class="fl"])')
        if article.kind == "no_dateline":
            assert line.strip() == "" and article.published_at is None and article.source is None
            assert not tree.xpath('//meta[@name="publishdate"]')
            continue
        y, mo, d, h, mi = DATELINE.search(line).groups()
        assert article.published_at == f"{y}-{mo}-{d}T{h}:{mi}:00+08:00"
        assert line.split("来源：")[1].strip() == article.source
        assert article.published_precision == "minute"


def test_exactly_one_article_has_no_dateline(site: ReplicaSite) -> None:
    assert [a.kind for a in site.canonical_articles].count("no_dateline") == 1
    assert {a.kind for a in site.canonical_articles} == {"article", "no_dateline"}


def test_bylines_credit_the_recorded_authors(site: ReplicaSite) -> None:
    credited = 0
    for article in site.canonical_articles:
        tree = page_tree(site, article.path, article.encoding)
        visible = tree.xpath('string(//div[contains(@class,"author")])') + article.body
        assert all(name in visible for name in article.authors)
        credited += bool(article.authors)
    assert credited > 150


def test_multi_page_articles(site: ReplicaSite) -> None:
    multi = [a for a in site.canonical_articles if a.pages > 1]
    assert len(multi) >= 5
    assert {a.pages for a in multi} <= {2, 3}
    for article in multi:
        assert article.paths[1:] == [article.path[:-5] + f"-{n}.html" for n in range(2, article.pages + 1)]
        assert all(ARTICLE_PATH.match(p) for p in article.paths)


def test_encodings_mix_gbk_lying_utf8_and_utf8_in_both_templates(site: ReplicaSite) -> None:
    canonical = site.canonical_articles
    gbk = [a for a in canonical if a.encoding == "gbk"]
    lying = [a for a in canonical if a.encoding == "utf-8" and a.declared_charset == "GB2312"]
    assert 0.25 < len(gbk) / len(canonical) < 0.42
    assert 3 <= len(lying) <= 40
    assert {a.template for a in gbk} == {"current", "older"}
    for article in gbk:
        body = site.pages[article.path].body
        with pytest.raises(UnicodeDecodeError):
            body.decode("utf-8")
        assert b"charset=GB2312" in body and article.title in body.decode("gbk")
        assert site.pages[article.path].content_type == "text/html; charset=GB2312"
    for article in lying:
        body = site.pages[article.path].body
        assert b"charset=GB2312" in body and article.title in body.decode("utf-8")
        assert site.pages[article.path].content_type == "text/html; charset=GB2312"


def _strings(value: object):
    if isinstance(value, str):
        yield value
    elif isinstance(value, tuple):
        for item in value:
            yield from _strings(item)


def test_vocabulary_is_gbk_encodable() -> None:
    words = [w for name in dir(vocabulary) if name.isupper() for w in _strings(getattr(vocabulary, name))]
    assert len(words) > 300
    for word in words:
        word.encode("gbk")


def test_templates_and_optional_fields_vary(site: ReplicaSite) -> None:
    canonical = site.canonical_articles
    assert 0.15 < sum(a.template == "older" for a in canonical) / len(canonical) < 0.45
    for field in ("pretitle", "subtitle", "original_title"):
        present = sum(getattr(a, field) is not None for a in canonical)
        assert 10 < present < 200, field
    captions = [c for a in canonical for _, c in a.images]
    assert any(captions) and None in captions
    assert all(site.pages[src].content_type == "image/png" for a in canonical for src, _ in a.images)


def test_bodies_are_long_and_not_near_copies(site: ReplicaSite) -> None:
    single = [a for a in site.canonical_articles if a.pages == 1]
    assert all(300 <= len(a.body) <= 1600 for a in single)

    def grams(text: str) -> set[str]:
        return {text[i : i + 5] for i in range(len(text) - 4)}

    sample = random.Random(1).sample(site.canonical_articles, 60)
    for a, b in itertools.combinations([grams(a.body) for a in sample], 2):
        assert len(a & b) / len(a | b) < 0.3


def test_mirrors_are_traditional_copies_linked_from_the_first_list_page(site: ReplicaSite) -> None:
    s2t = opencc.OpenCC("s2t").convert
    mirrors = site.mirrors
    assert len(mirrors) >= 10
    by_path = {a.path: a for a in site.canonical_articles}
    for mirror in mirrors:
        original = by_path[mirror.mirror_of]
        assert mirror.path == "/big5" + original.path and mirror.script == "zh-Hant"
        assert mirror.title == s2t(original.title) and mirror.title != original.title
        assert mirror.body == "\n".join(s2t(p) for p in original.body.split("\n"))
        text = html.unescape(decode(site.pages[mirror.path].body, mirror.encoding))
        assert "來源" in text and "責編" in text and "来源" not in text
        if mirror.original_title:
            assert "原標題" in text
    assert {m.encoding for m in mirrors} == {"big5", "utf-8"}
    for mirror in (m for m in mirrors if m.encoding == "big5"):
        body = site.pages[mirror.path].body
        with pytest.raises(UnicodeDecodeError):
            body.decode("utf-8")
        assert site.pages[mirror.path].content_type == "text/html; charset=big5"
    first_list = links(page_tree(site, site.list_pages[0], "gbk"), '//div[@class="box_big5"]//a/@href')
    assert sorted(first_list) == sorted(m.path for m in mirrors)


def test_special_topic_page_looks_like_an_article_url_but_is_a_link_list(site: ReplicaSite) -> None:
    path = "/n2/2020/0401/c360302-99999999.html"
    assert ARTICLE_PATH.match(path) and path in site.non_articles
    tree = page_tree(site, path, "gbk")
    assert not tree.xpath('//div[contains(@class,"rm_txt_con")] | //div[@id="rwb_zw"]')
    targets = [h for h in links(tree) if ARTICLE_PATH.match(h)]
    assert len(targets) >= 5 and all(site.article_at(h) for h in targets)
    assert path in [h for _, h, _ in list_entries(site)]
    assert site.article_at(path) is None


def test_robots_disallows_only_admin(site: ReplicaSite) -> None:
    assert site.pages["/robots.txt"].body == b"User-agent: *\nDisallow: /admin/\n"
    assert "/admin/login.html" in links(page_tree(site, site.list_pages[0], "gbk"))


def test_unknown_variant_and_tiny_sites_are_refused() -> None:
    with pytest.raises(ValueError, match="normal"):
        build_site(variant="nope")
    with pytest.raises(ValueError, match="at least"):
        build_site(articles=5)

