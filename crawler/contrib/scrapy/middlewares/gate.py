"""The request gate: the one place that decides whether a request may leave the crawler.

Pages are written by strangers, so every URL they hand us — links, pager links of
multi-page articles, ``Location`` headers, meta refreshes, entries in a shared Redis
frontier — is hostile. :class:`RequestGate` is a downloader middleware, so every
request passes it just before it is downloaded, whatever produced it: a callback, a
request with ``dont_filter=True`` (which only skips the duplicate filter, never this
check), Scrapy's Redirect and MetaRefresh middlewares (their new requests go back
through the scheduler and so through here), robots.txt, or the distributed frontier.
It also checks requests as they are scheduled, ahead of Scrapy's own offsite filter,
which would drop them without a trace.

A request passes when

* its scheme is ``http`` or ``https`` (the ``file``, ``data``, ``ftp`` and ``s3``
  download handlers are also switched off in ``crawler/settings.py``);
* its host is one of the spider's :attr:`~crawler.spiders.base.ArchiveSpider.allowed_sites`.
  A site is a host name: ``http`` and ``https``, any port, and the ``www.`` and bare
  forms of the name are the same site (:func:`crawler.parsing.urls.site_of`, which also
  takes ``localhost`` and ``127.0.0.1`` for one machine);
* for spiders that refuse private addresses (``generic``, unless its start URL is one),
  the host is not a loopback, private, link-local or otherwise non-public IP address or
  ``localhost``. A host *name* that resolves to such an address is caught after the
  download, from the address the response came from, and the response is dropped before
  any callback sees it.

The rules themselves are Scrapy-free, in :mod:`crawler.fetch_rules`.

A refusal is never silent: it is counted in the stats as ``newsarchive/refused/<reason>``
(``scheme``, ``offsite``, ``private_address``) and logged with the URL and the page or
redirect it came from.
"""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import urljoin

from scrapy import signals
from scrapy.exceptions import IgnoreRequest
from scrapy.http import HtmlResponse, Request, Response
from scrapy.utils.response import get_meta_refresh

from crawler.fetch_rules import Refusal, is_private_address, refusal
from models.errors import display_url

logger = logging.getLogger(__name__)


class RefusedRequest(IgnoreRequest):
    """A request the gate would not let out; ``reason`` names the rule it broke."""

    def __init__(self, refused: Refusal) -> None:
        super().__init__(refused.message)
        self.reason = refused.reason


def _origin(request: Request) -> str:
    """Where a request came from, for the log line: the redirect chain or the referring page."""
    chain = request.meta.get("redirect_urls")
    if chain:
        return f" (redirected from {_loggable(chain[-1])})"
    referer = request.headers.get(b"Referer")
    return f" (linked from {_loggable(referer.decode('latin-1'))})" if referer else ""


class RequestGate:
    """Downloader middleware enforcing the rules above for every request of a crawl.

    The spider declares its sites (``allowed_sites``) and whether private addresses are
    allowed (``private_addresses_allowed``); the gate reads both and never sets them.
    """

    def __init__(self, crawler: Any) -> None:
        self.crawler = crawler
        self.stats = crawler.stats

    @classmethod
    def from_crawler(cls, crawler: Any) -> RequestGate:
        gate = cls(crawler)
        crawler.signals.connect(gate.request_scheduled, signal=signals.request_scheduled)
        return gate

    def request_scheduled(self, request: Request, spider: Any = None) -> None:
        """Refuse at scheduling, where Scrapy's own offsite check drops requests silently,
        so the refusal is recorded. Requests with an errback pass on to :meth:`process_request`,
        whose refusal reaches the errback: a multi-page article whose next page is refused
        is still stored, with a problem, instead of vanishing with its page request."""
        if request.errback is None:
            self.process_request(request)

    def process_request(self, request: Request) -> None:
        spider = self.crawler.spider
        refused = refusal(request.url, _sites(spider), private_allowed=_private_allowed(spider))
        if refused is not None:
            self._refuse(request, RefusedRequest(refused))

    def process_response(self, request: Request, response: Response) -> Response:
        """Drop a response that came from a private address when those are refused (a public
        name resolving to, say, 127.0.0.1): nothing from it reaches a callback or the archive.

        Redirects and meta refreshes to another site come back through :meth:`process_request`
        as new requests; those to another scheme (``file:``, ``data:``) Scrapy does not follow
        and hands over the response itself, so they are recorded here (this middleware sees
        responses after the redirect middlewares)."""
        spider = self.crawler.spider
        address = getattr(response, "ip_address", None)
        if address is not None and not _private_allowed(spider) and is_private_address(str(address)):
            self._refuse(request, RefusedRequest(Refusal("private_address", f"{response.url} answered from {address}, "
                                                                           "a local or private address")))
        target = _redirect_target(response)
        if target is not None:
            refused = refusal(target, _sites(spider), private_allowed=_private_allowed(spider))
            if refused is not None and refused.reason == "scheme":
                self.stats.inc_value("newsarchive/refused/scheme")
                logger.warning("Refused %s (redirected from %s): %s", _loggable(target), _loggable(response.url), refused)
        return response

    def _refuse(self, request: Request, refused: RefusedRequest) -> None:
        self.stats.inc_value(f"newsarchive/refused/{refused.reason}")
        logger.warning("Refused %s%s: %s", _loggable(request.url), _origin(request), refused)
        raise refused


def _redirect_target(response: Response) -> str | None:
    """Where a response that was not followed wanted to send us: its ``Location`` or meta refresh."""
    if 300 <= response.status < 400 and b"Location" in response.headers:
        return urljoin(response.url, response.headers[b"Location"].decode("latin-1").strip())
    if isinstance(response, HtmlResponse):
        _, url = get_meta_refresh(response)  # cached: the MetaRefresh middleware read it already
        return url
    return None


def _sites(spider: Any) -> frozenset[str]:
    return frozenset(getattr(spider, "allowed_sites", frozenset()))


def _private_allowed(spider: Any) -> bool:
    return bool(getattr(spider, "private_addresses_allowed", True))


def _loggable(url: str) -> str:
    """A refused URL for the log: password masked, shortened (it is hostile and may be a huge ``data:`` URL)."""
    url = display_url(url) if "@" in url else url
    return url if len(url) <= 200 else url[:200] + "…"
