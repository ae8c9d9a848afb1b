"""What a worker accepts from the shared frontier: a strict schema for every popped entry.

Anyone who can write to the Redis server can push entries, so an entry is read like a
page: as hostile. :func:`read_entry` turns a payload into a request only if it is exactly
what our own spiders push — JSON (never a pickle), a GET or HEAD of an http(s) URL on one
of the spider's sites, a callback among the spider's ``parse_*`` methods with keyword
arguments that callback takes, plain headers, and only the ``meta`` keys listed in
:data:`META_TYPES` with values of their type. Anything else raises :class:`BadEntry`
with the reason; the queue then moves the entry to the frontier's dead-letter list and
acknowledges it (:meth:`crawler.distributed.frontier.LeasedQueue.pop`), so workers go on
and idle-close normally.

No callback builds an item from page data carried in ``meta``: multi-page articles are
read in one callback from the responses it fetched itself
(:meth:`crawler.spiders.base.ArchiveSpider.parse_article`), so there is no page data in
the queue to forge; the redirect answers a redirected request carries for capture are
dropped from queued entries (a redirect met by a distributed worker keeps its chain of
URLs in ``redirect_urls``, not the answers' bytes).
"""

from __future__ import annotations

import functools
import inspect
from typing import Any

from scrapy import Request
from scrapy.utils.request import request_from_dict

from crawler.distributed import serializer
from crawler.contrib.scrapy.middlewares.capture import HOPS_META
from crawler.contrib.scrapy.middlewares.incremental import CONDITIONAL
from crawler.contrib.scrapy.middlewares.politeness import BLOCK_RETRIES_META
from crawler.fetch_rules import refusal, sites_of

#: ``meta`` keys a queued request may carry, with the types of their values: those our
#: spiders set, and those Scrapy's own middlewares add before a request is (re)scheduled.
#: Keys that change *how* a request is fetched (``proxy``, ``dont_obey_robotstxt``,
#: ``bindaddress``, ``download_maxsize``…) are deliberately absent.
META_TYPES: dict[str, tuple[type, ...]] = {
    "printed_page": (str, type(None)),  # crawler.spiders.epaper: the layout page's 版次/版名
    "edition": (str,),  # crawler.spiders.epaper: the edition day of a layout page
    "other_generations": (list,),  # crawler.spiders.epaper: other URL forms of that layout page
    "handle_httpstatus_list": (list,),
    "depth": (int,),
    "is_start_request": (bool,),
    "redirect_urls": (list,),
    "redirect_reasons": (list,),
    "redirect_times": (int,),
    "redirect_ttl": (int,),
    "retry_times": (int,),
    "download_slot": (str,),
    "download_latency": (float, int),
    CONDITIONAL: (bool,),  # the incremental middleware: a conditional re-check
    BLOCK_RETRIES_META: (int,),  # the politeness middleware: a page refused by a block page, asked again
}
#: ``meta`` keys middlewares set on a request in flight that a retried or redirected request
#: inherits: dropped from queued entries (the middleware sets them again if needed), since
#: from a queue they cannot be trusted — redirect answers would be stored as captures,
#: ``download_maxsize`` would lift the download bound.
DROPPED_META = (HOPS_META, "download_maxsize")
#: Request headers a queued request may carry (set by Scrapy before a redirect or retry).
HEADERS = frozenset({b"referer", b"user-agent", b"accept", b"accept-language", b"accept-encoding",
                     b"if-none-match", b"if-modified-since"})
#: The keys of ``Request.to_dict()`` for a plain :class:`scrapy.Request`.
REQUEST_KEYS = frozenset({"url", "callback", "errback", "headers", "body", "cookies", "meta", "encoding", "flags",
                          "cb_kwargs", "dont_filter", "method", "priority"})
SCALARS = (str, int, float, bool, type(None))


class BadEntry(ValueError):
    """A frontier entry that is not one of our requests; the message is the dead-letter reason."""


def callback_names(spider: Any) -> frozenset[str]:
    """Methods a queued request may name as callback or errback: the spider's ``parse_*`` methods."""
    return _parse_methods(type(spider))


@functools.cache
def _parse_methods(spider_class: type) -> frozenset[str]:
    return frozenset(name for name in dir(spider_class)
                     if name.startswith("parse_") and callable(getattr(spider_class, name, None)))


def spider_sites(spider: Any) -> frozenset[str]:
    sites = getattr(spider, "allowed_sites", None)
    return frozenset(sites) if sites is not None else sites_of(getattr(spider, "allowed_domains", None) or ())


def read_entry(payload: bytes | str, spider: Any) -> Request:
    """The request ``payload`` stands for, or :class:`BadEntry` saying why it is refused."""
    try:
        data = serializer.loads(payload)
    except serializer.UnsafePayload as exc:
        raise BadEntry(str(exc)) from exc
    check_entry(data, spider)
    try:
        return request_from_dict(data, spider=spider)
    except (ValueError, TypeError, KeyError, AttributeError) as exc:
        raise BadEntry(f"not a request Scrapy can build ({exc})") from exc


def check_entry(data: dict[str, Any], spider: Any) -> None:
    """Raise :class:`BadEntry` unless ``data`` (a decoded request dict) fits the schema."""
    unknown = set(data) - REQUEST_KEYS
    if unknown:
        raise BadEntry(f"unknown request fields {sorted(unknown)}")
    url = data["url"]
    refused = refusal(url, spider_sites(spider), private_allowed=bool(getattr(spider, "private_addresses_allowed", True)))
    if refused is not None:
        raise BadEntry(f"URL {url[:200]!r} refused ({refused.reason}): {refused}")
    if data.get("method", "GET") not in ("GET", "HEAD") or data.get("body", b"") or data.get("cookies", {}):
        raise BadEntry("only GET and HEAD requests without body or cookies are queued")
    names = callback_names(spider)
    callback = data.get("callback")
    if callback not in names:
        raise BadEntry(f"unknown callback {callback!r} for spider {spider.name!r} (known: {', '.join(sorted(names))})")
    if data.get("errback") not in (None, *names):
        raise BadEntry(f"unknown errback {data.get('errback')!r} for spider {spider.name!r}")
    _check_cb_kwargs(data.get("cb_kwargs") or {}, type(spider), callback)
    _check_meta(data.get("meta") or {})
    _check_headers(data.get("headers") or {})
    for name, kinds in (("priority", (int,)), ("dont_filter", (bool,)), ("encoding", (str,)), ("flags", (list,))):
        if name in data and not isinstance(data[name], kinds):
            raise BadEntry(f"request field {name} has a {type(data[name]).__name__}")


def _check_cb_kwargs(cb_kwargs: Any, spider_class: type, callback: str) -> None:
    if not isinstance(cb_kwargs, dict):
        raise BadEntry("cb_kwargs is not a mapping")
    for name, value in cb_kwargs.items():
        if name not in _keyword_parameters(spider_class, callback):
            raise BadEntry(f"callback {callback} takes no argument {name!r}")
        if not isinstance(value, SCALARS):
            raise BadEntry(f"callback argument {name!r} is a {type(value).__name__}, not a plain value")


@functools.cache
def _keyword_parameters(spider_class: type, callback: str) -> frozenset[str]:
    """Arguments ``cb_kwargs`` may give the callback: all but ``self`` and the response."""
    return frozenset(list(inspect.signature(getattr(spider_class, callback)).parameters)[2:])


def _check_meta(meta: Any) -> None:
    if not isinstance(meta, dict):
        raise BadEntry("meta is not a mapping")
    for key in DROPPED_META:
        meta.pop(key, None)
    for key, value in meta.items():
        kinds = META_TYPES.get(key)
        if kinds is None:
            raise BadEntry(f"meta key {str(key)[:80]!r} is not one a spider or Scrapy sets")
        if not isinstance(value, kinds) or (isinstance(value, bool) and bool not in kinds):
            raise BadEntry(f"meta key {key!r} holds a {type(value).__name__}")
        if isinstance(value, list) and not all(isinstance(item, (str, int)) for item in value):
            raise BadEntry(f"meta key {key!r} holds more than plain values")


def _check_headers(headers: Any) -> None:
    if not isinstance(headers, dict):
        raise BadEntry("headers are not a mapping")
    for name, values in headers.items():
        key = name.encode("latin-1", "replace") if isinstance(name, str) else name
        if not isinstance(key, bytes) or key.lower() not in HEADERS:
            raise BadEntry(f"header {str(name)[:80]!r} is not one a queued request carries")
        if not isinstance(values, list) or not all(isinstance(v, (bytes, str)) for v in values):
            raise BadEntry(f"header {str(name)[:80]!r} has values of the wrong kind")
