"""Serve a :class:`~crawler.replica.site.ReplicaSite` over HTTP on 127.0.0.1.

Behaves like the web server a crawler meets: status codes, ``Content-Type`` with the
charset the page declares (true or not), ``Last-Modified``/``ETag`` validators with 304
answers to conditional GETs, HEAD, keep-alive. It counts requests per request target
(``hits``) so tests can check what a crawl fetched and that it re-fetched nothing.

Use :class:`ReplicaServer` as a context manager when you need ``hits``, or
:func:`running_replica` when only the base URL matters.
"""

from __future__ import annotations

import logging
import ssl
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from email.utils import parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

from crawler.replica.pages import ReplicaPage
from crawler.replica.site import NOT_FOUND, ReplicaSite

logger = logging.getLogger(__name__)


class ReplicaServer(ThreadingHTTPServer):
    """Threaded HTTP server for one replica site; a context manager serving in the background.

    ``hits`` counts requests (GET and HEAD, including 304s and 404s) per request target
    as sent, query string included; ``requests`` lists them in order with their
    ``time.monotonic()`` arrival time.

    Behaviours of real servers, for tests: ``tls`` (an :class:`ssl.SSLContext` holding a
    certificate) serves https; ``redirect_to`` (a base URL) answers every request with a
    301 to the same path there, as a channel's http port does after it moved to https;
    ``once`` maps a path to a page served for its *first* request only (a 429, a WAF
    challenge, a refusal page), the site's page afterwards.
    """

    daemon_threads = True

    def __init__(self, site: ReplicaSite, host: str = "127.0.0.1", port: int = 0, *,
                 tls: ssl.SSLContext | None = None, redirect_to: str | None = None) -> None:
        super().__init__((host, port), _Handler)
        if tls is not None:
            self.socket = tls.wrap_socket(self.socket, server_side=True)
        self.scheme = "https" if tls is not None else "http"
        self.site = site
        self.redirect_to = redirect_to
        self.once: dict[str, ReplicaPage] = {}
        self.hits: Counter[str] = Counter()
        self.requests: list[tuple[float, str]] = []
        self._hits_lock = threading.Lock()
        self._thread: threading.Thread | None = None

    @property
    def base_url(self) -> str:
        """``http(s)://HOST:PORT`` with the port actually bound (useful with ``port=0``)."""
        host, port = self.server_address[:2]
        return f"{self.scheme}://{host}:{port}"

    def handle_error(self, request: object, client_address: object) -> None:
        """A client hanging up mid-body (a crawler refusing an oversized page) is not a server error."""
        if isinstance(sys.exc_info()[1], ConnectionError):
            return
        super().handle_error(request, client_address)  # type: ignore[arg-type]

    def count(self, target: str) -> ReplicaPage | None:
        """Count a request; the page to answer it with instead of the site's, if any."""
        with self._hits_lock:
            self.hits[target] += 1
            self.requests.append((time.monotonic(), target))
            if self.redirect_to is not None:
                return ReplicaPage(301, "text/html", b"<html><body>301 Moved Permanently</body></html>",
                                   {"Location": self.redirect_to + target})
            return self.once.pop(target, None)

    def __enter__(self) -> ReplicaServer:
        self._thread = threading.Thread(target=self.serve_forever, name="replica-server", daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.shutdown()
        self.server_close()
        if self._thread is not None:
            self._thread.join()


def _not_modified(page: ReplicaPage, if_none_match: str | None, if_modified_since: str | None) -> bool:
    """RFC 9110 conditional GET: If-None-Match wins; else compare If-Modified-Since."""
    if if_none_match is not None:
        tags = {tag.strip().removeprefix("W/") for tag in if_none_match.split(",")}
        return "*" in tags or page.etag in tags
    last_modified = page.headers.get("Last-Modified")
    if if_modified_since is None or last_modified is None:
        return False
    try:
        return parsedate_to_datetime(last_modified) <= parsedate_to_datetime(if_modified_since)
    except (TypeError, ValueError):  # unreadable date: ignore the condition, as servers do
        return False


class _Handler(BaseHTTPRequestHandler):
    server: ReplicaServer
    protocol_version = "HTTP/1.1"
    server_version = "nginx"
    sys_version = ""

    def do_GET(self) -> None:
        self._respond(send_body=True)

    def do_HEAD(self) -> None:
        self._respond(send_body=False)

    def _respond(self, *, send_body: bool) -> None:
        page = self.server.count(self.path)
        if page is None:
            pages = self.server.site.pages
            page = pages.get(self.path) or pages.get(urlsplit(self.path).path) or NOT_FOUND
        conditional = page.status == 200 and _not_modified(
            page, self.headers.get("If-None-Match"), self.headers.get("If-Modified-Since")
        )
        self.send_response(304 if conditional else page.status)
        if page.status == 200:
            self.send_header("ETag", page.etag)
        for name, value in page.headers.items():
            self.send_header(name, value)
        if conditional:
            self.end_headers()
            return
        self.send_header("Content-Type", page.content_type)
        self.send_header("Content-Length", str(len(page.body)))
        self.end_headers()
        if send_body:
            self.wfile.write(page.body)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - stdlib signature
        logger.debug("%s " + format, self.address_string(), *args)


@contextmanager
def running_replica(site: ReplicaSite, port: int = 0) -> Iterator[str]:
    """Serve ``site`` on 127.0.0.1 in a background thread; yields the base URL."""
    with ReplicaServer(site, port=port) as server:
        yield server.base_url


def serve_forever(
    site: ReplicaSite, host: str = "127.0.0.1", port: int = 8800, *, on_ready: Callable[[str], None] | None = None
) -> None:
    """Serve ``site`` in the foreground until interrupted (the CLI's ``replica serve``).

    ``on_ready`` receives the base URL once the socket is bound, so a caller can print
    it even when ``port=0`` lets the system choose.
    """
    server = ReplicaServer(site, host, port)
    if on_ready is not None:
        on_ready(server.base_url)
    try:
        server.serve_forever()
    finally:
        server.server_close()
