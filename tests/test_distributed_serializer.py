"""The Redis request serialiser: JSON round trips, pickle and unsafe values refused."""

from __future__ import annotations

import json
import pickle
from datetime import datetime

import pytest
import scrapy
from scrapy.utils.request import request_from_dict

from crawler.distributed import serializer
from crawler.items import Image
from tests.archive_items import make_article
from tests.distributed_support import ListSpider

EXECUTED: list[str] = []


class Exploit:
    """A pickle that runs code when loaded: what the JSON serialiser must never unpickle."""

    def __reduce__(self) -> tuple:
        return (EXECUTED.append, ("pwned",))


def round_trip(request: scrapy.Request, spider: scrapy.Spider) -> scrapy.Request:
    payload = serializer.dumps(request.to_dict(spider=spider))
    json.loads(payload)  # plain JSON that any tool can read
    return request_from_dict(serializer.loads(payload.encode("utf-8")), spider=spider)


def test_multi_page_request_survives_the_round_trip() -> None:
    spider = ListSpider()
    first_page = make_article(images=[Image(url="http://js.people.com.cn/a.jpg", caption="南京")]).to_dict()
    request = scrapy.Request(
        "http://js.people.com.cn/n2/2022/0213/c360301-1-2.html",
        callback=spider.parse_next_page,
        errback=spider.page_failed,
        meta={"handle_httpstatus_all": True, "pages_remaining": ["http://x/-3.html"], "pages_done": [first_page]},
        headers={"Referer": "http://js.people.com.cn/GB/360302/index.html"},
        body=b"\x00\xff binary",
        priority=-2,
        dont_filter=True,
    )
    back = round_trip(request, spider)
    assert back.url == request.url
    assert back.callback == spider.parse_next_page
    assert back.errback == spider.page_failed
    assert back.meta["pages_done"] == [first_page]
    assert back.meta["pages_done"][0]["body"] == make_article().body
    assert back.meta["pages_remaining"] == ["http://x/-3.html"]
    assert back.headers[b"Referer"] == b"http://js.people.com.cn/GB/360302/index.html"
    assert back.body == b"\x00\xff binary"
    assert (back.priority, back.dont_filter) == (-2, True)


def test_cb_kwargs_and_tag_lookalike_keys_come_back_unchanged() -> None:
    spider = ListSpider()
    meta = {"$bytes": "not really bytes", "$pairs": [1, 2], "nested": {"ok": [1, 2.5, None, "字"]}}
    request = scrapy.Request("http://x/GB/1/index2.html", callback=spider.parse_list, cb_kwargs={"depth": 3}, meta=meta)
    back = round_trip(request, spider)
    assert back.cb_kwargs == {"depth": 3}
    assert back.meta == meta


def test_pickled_requests_are_refused_without_running_them() -> None:
    payload = pickle.dumps({"url": "http://x/", "meta": {"x": Exploit()}}, protocol=pickle.HIGHEST_PROTOCOL)
    with pytest.raises(serializer.UnsafePayload, match="pickle"):
        serializer.loads(payload)
    assert EXECUTED == []


@pytest.mark.parametrize("payload", [b"not json", b'["a list"]', b'{"no": "url"}', "\udcff".encode("utf-8", "surrogatepass")])
def test_entries_that_are_not_our_json_requests_are_refused(payload: bytes) -> None:
    with pytest.raises(serializer.UnsafePayload):
        serializer.loads(payload)


def test_meta_json_cannot_hold_is_refused_when_pushed_naming_the_value() -> None:
    spider = ListSpider()
    request = scrapy.Request("http://x/", callback=spider.parse_list, meta={"when": datetime(2024, 1, 1)})
    with pytest.raises(TypeError, match=r"request\.meta\.when holds a datetime"):
        serializer.dumps(request.to_dict(spider=spider))
