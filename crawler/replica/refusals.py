"""Pages a real server sends instead of content when it refuses a crawler, for tests.

Modelled on what public crawler reports describe for these sites: an Alibaba Cloud WAF
challenge (a short page of script that computes a cookie and reloads, with ``acw_tc``
set), a 200 page saying 访问过于频繁 in GBK, a 403 page, and a 429 with ``Retry-After``.
:class:`~crawler.replica.server.ReplicaServer` serves them through ``once`` (first
request of a path) or the ``blocked`` variant (every article page).
"""

from __future__ import annotations

from crawler.replica.pages import ReplicaPage

WAF_CHALLENGE = ReplicaPage(
    200,
    "text/html",
    b"<html><script>var arg1='3A1B7C9D0E2F4A6B8C0D1E3F5A7B9C1D3E5F7A9B';"
    b"function setCookie(name,value){document.cookie=name+'='+value;}"
    b"setCookie('acw_sc__v2', arg1); document.location.reload();</script></html>",
    {"Set-Cookie": "acw_tc=2f624a2717018234567891234e5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d1e2f; path=/; HttpOnly; Max-Age=1800"},
)

TOO_FREQUENT = ReplicaPage(
    200,
    "text/html; charset=GBK",
    "<html><head><title>提示</title></head><body><div class=\"tip\"><p>您的访问过于频繁，请稍后再试。</p>"
    "</div></body></html>".encode("gbk"),
)

FORBIDDEN = ReplicaPage(403, "text/html", b"<html><head><title>403 Forbidden</title></head><body>"
                                          b"<h1>403 Forbidden</h1><hr>Tengine</body></html>")


def rate_limited(retry_after: str) -> ReplicaPage:
    """A 429 answer asking the client to wait (``Retry-After``: seconds or an HTTP date)."""
    return ReplicaPage(429, "text/html", b"<html><body><h1>429 Too Many Requests</h1></body></html>",
                       {"Retry-After": retry_after})
