"""Items made storable before the database sees them: bad characters, over-long values."""

from __future__ import annotations

from crawler.items import Image
from models.schema import URL_LENGTH
from models.storable import NAME_LENGTH, make_storable, remove_bad_characters
from tests.archive_items import make_article, make_capture


def test_nul_and_unpaired_surrogates_are_removed_everywhere_and_recorded_once() -> None:
    item = make_article(title="标\x00题", breadcrumbs=["首页\ud83d"], images=[Image(url="http://a.cn/1.jpg", caption="图\x00")],
                        simplified={"authors": ["张\udfff三"]})
    remove_bad_characters(remove_bad_characters(item))
    assert (item.title, item.breadcrumbs, item.images[0].caption) == ("标题", ["首页"], "图")
    assert item.simplified == {"authors": ["张三"]}
    [problem] = [p for p in item.problems if p.kind == "bad_characters"]
    assert "title" in problem.detail and "images" in problem.detail and "simplified" in problem.detail


def test_a_paired_surrogate_is_a_character_and_stays() -> None:
    item = make_article(title="表情\U0001F600")
    remove_bad_characters(item)
    assert item.title == "表情\U0001F600" and not item.problems


def test_an_over_long_canonical_url_page_url_or_name_is_left_out_with_a_problem() -> None:
    too_long = "http://a.cn/" + "c" * URL_LENGTH
    item = make_article("http://a.cn/1.html", canonical_url=too_long, page_urls=["http://a.cn/1.html", too_long],
                        authors=["张三", "名" * (NAME_LENGTH + 1)], encoding="x" * 40,
                        simplified={"authors": ["张三", "名" * (NAME_LENGTH + 1)]})
    assert make_storable(item) is None
    assert item.canonical_url == "http://a.cn/1.html" and item.page_urls == ["http://a.cn/1.html"]
    assert item.authors == ["张三"] and item.simplified["authors"] == ["张三"] and item.encoding is None
    assert {p.field for p in item.problems if p.kind == "over_long"} == {"canonical_url", "page_urls", "authors",
                                                                         "encoding"}


def test_an_item_whose_own_url_is_too_long_is_refused_with_the_reason() -> None:
    url = "http://a.cn/" + "u" * URL_LENGTH
    assert f"{len(url)} characters" in make_storable(make_article(url))
    assert f"more than the archive's {URL_LENGTH}" in make_storable(make_capture(url, b"<html></html>"))
    assert make_storable(make_capture("http://a.cn/" + "u" * (URL_LENGTH - 12), b"")) is None
