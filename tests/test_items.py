"""The item schema's plain-dict form, which every stored version and export is made of."""

from dataclasses import asdict

from crawler.items import Article, Image, Problem


def _article() -> Article:
    return Article(
        url="http://js.people.com.cn/n2/2020/0412/c360302-1.html",
        breadcrumbs=["人民网", "江苏频道"],
        title="標題",
        authors=["張三"],
        editors=["朱殿平", "张鑫"],
        images=[Image(url="http://js.people.com.cn/a.jpg", caption="南京"), Image(url="http://x/b.jpg")],
        page_urls=["http://js.people.com.cn/n2/2020/0412/c360302-1.html"],
        page_digests=["ab" * 32],
        simplified={"title": "标题", "authors": ["张三"]},
        problems=[Problem(kind="no_date", detail="no dateline", field="published_at")],
    )


def test_to_dict_equals_dataclasses_asdict_key_for_key_and_in_order() -> None:
    article = _article()
    assert list(article.to_dict().items()) == list(asdict(article).items())


def test_to_dict_copies_lists_so_changing_the_dict_leaves_the_item_alone() -> None:
    article = _article()
    data = article.to_dict()
    data["authors"].append("李四")
    data["simplified"]["authors"].append("李四")
    data["images"][0]["caption"] = None
    assert article.authors == ["張三"]
    assert article.simplified["authors"] == ["张三"]
    assert article.images[0].caption == "南京"


def test_from_dict_reads_back_what_to_dict_wrote() -> None:
    article = _article()
    assert Article.from_dict(article.to_dict()) == article


def test_to_dict_takes_images_given_as_plain_dicts_like_asdict_does() -> None:
    article = Article(url="u", images=[{"url": "http://x/a.jpg", "caption": None}])  # type: ignore[list-item]
    assert article.to_dict()["images"] == asdict(article)["images"] == [{"url": "http://x/a.jpg", "caption": None}]
