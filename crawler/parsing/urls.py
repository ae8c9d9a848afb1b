"""One URL canonicalisation for the whole project: every variant of an article's URL maps here.

Tracking parameters, fragments, scheme, host case, default ports, the page suffix of
multi-page articles (``…-2.html``) and the site's mobile mirror host are not part of an
article's identity (site rules below, then w3lib's canonical form: sorted query,
normalised escapes).

Traditional-script mirrors (the ``/big5/`` paths, ``big5.`` gateway hosts) are
deliberately *not* mapped to their originals: they serve a different text (another
script), so they are linked to the original by content fingerprint and kept as aliases,
never mistaken for a re-crawl of the original URL.

Three forms, three uses: :func:`canonicalize` is an article's identity (scheme folded:
http and https are one page); :func:`shown_url` is what the archive shows and exports
(the scheme and host that served it, so it opens); :func:`site_of` / :func:`same_site`
decide which links belong to the site a crawl is bounded to (scheme and port ignored).

Plain URLs, the usual kind, skip the general (and slow) URL machinery: :func:`join_url`
and :func:`canonicalize` give what ``urljoin`` and w3lib would, without calling them.
"""

from __future__ import annotations

import re
from urllib.parse import SplitResult, parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

from w3lib.url import canonicalize_url

#: Query parameters that only track where a reader came from.
TRACKING_PARAMETERS = re.compile(
    r"^(utm_\w+|spm|from|fromid|share\w*|isappinstalled|wxfrom|scene|clicktime|enterid|"
    r"source|src|ref|refer|f|tt_from|timestamp|_t|t)$",
    re.IGNORECASE,
)

#: Page-number suffixes of multi-page articles: people.com.cn ``c1-2.html``,
#: xinhuanet ``c_1125327450_2.htm``, the ``index_2.html`` form, e-paper ``content_N_2.html``.
PAGE_SUFFIX = re.compile(r"(?P<stem>/n[12]/\d{4}/\d{4}/c\d+-\d+|c_\d+|content_\d+)[-_](?P<page>\d{1,3})(?P<ext>\.s?html?)$")

#: Sites whose mobile (``m.``, ``wap.``, ``3g.``, ``mobile.``) and ``www.`` hosts serve the
#: same paths as the bare host, e.g. ``m.people.com.cn/n1/…`` ↔ ``people.com.cn/n1/…``.
MIRRORED_DOMAINS = ("people.com.cn", "people.cn", "xhby.net", "news.cn", "xinhuanet.com", "jschina.com.cn")
MIRROR_HOST_PREFIX = re.compile(r"^(?:m|wap|3g|mobile|www)\.")

#: A host (lower-case name or IPv4 address, perhaps a port) and a path of unreserved characters:
#: with no dot segment (``/./``, ``/../``) in the path and no query, w3lib's ``canonicalize_url``
#: returns such a URL unchanged and ``urljoin`` joins such a path to an http(s) base as it is.
#: Most article URLs, image sources and pager links look like that.
_PLAIN_HOST = re.compile(r"[a-z0-9.-]+(?::\d+)?")
_PLAIN_PATH = re.compile(r"/[A-Za-z0-9/._~-]*")

#: Names of this machine: the local replica is one site whichever of them a link uses.
LOOPBACK_HOSTS = frozenset({"localhost", "127.0.0.1", "::1"})
LOOPBACK = "127.0.0.1"

#: Schemes a crawl follows, and their default ports.
WEB_SCHEMES = ("http", "https")
DEFAULT_PORTS = {"http": 80, "https": 443}


def canonical_host(host: str) -> str:
    """The identity form of a host name: lower case, mirror prefixes of known sites and
    loopback aliases folded (``M.People.com.cn`` → ``people.com.cn``, ``localhost`` → ``127.0.0.1``)."""
    host = host.lower().rstrip(".")
    if host in LOOPBACK_HOSTS:
        return LOOPBACK
    bare = MIRROR_HOST_PREFIX.sub("", host)
    if any(bare == domain or bare.endswith("." + domain) for domain in MIRRORED_DOMAINS):
        return bare
    return host


def join_url(base: str, href: str) -> str:
    """``urljoin(base, href)``. The common case, an absolute path of plain characters on an
    http(s) page (image sources, pager links), is joined without it: urljoin parses both
    URLs and resolves the path, which cost as much as reading a paragraph."""
    if _PLAIN_PATH.fullmatch(href) and "/." not in href and not href.startswith("//"):
        parts = urlsplit(base)
        if parts.scheme in ("http", "https"):
            return f"{parts.scheme}://{parts.netloc}{href}"
    return urljoin(base, href)


def canonicalize(url: str) -> str:
    """The identity form of ``url``: https, canonical host, no tracking or fragment, page 1.

    For matching only: an archive shows and exports :func:`shown_url`, which keeps the
    scheme and host that served the page (an http-only site's URL must still open)."""
    parts = urlsplit(url.strip())
    host = canonical_host(parts.hostname or "")
    port = parts.port
    if port and port not in (80, 443):
        host = f"{host}:{port}"
    return _cleaned(parts, "https", host)


def shown_url(url: str) -> str:
    """The form of ``url`` an archive shows: scheme, host and port as served (lower case,
    default port dropped), without tracking parameters, fragment or page suffix."""
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower() or "https"
    host = (parts.hostname or "").rstrip(".")
    port = parts.port
    if port and port != DEFAULT_PORTS.get(scheme):
        host = f"{host}:{port}"
    return _cleaned(parts, scheme, host)


def _cleaned(parts: SplitResult, scheme: str, host: str) -> str:
    query = parts.query and urlencode([(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
                                       if not TRACKING_PARAMETERS.match(k)])
    path = PAGE_SUFFIX.sub(lambda m: m["stem"] + m["ext"], parts.path or "/")
    if not query and _PLAIN_HOST.fullmatch(host) and _PLAIN_PATH.fullmatch(path) and "/." not in path:
        return f"{scheme}://{host}{path}"  # nothing canonicalize_url would change, at a tenth of its cost
    return canonicalize_url(urlunsplit((scheme, host, path, query, "")))


def site_of(url: str) -> str:
    """The site a URL belongs to, for following links and bounding crawls: its host,
    lower case, with mirror prefixes of known sites, a leading ``www.`` and loopback
    aliases folded. Scheme and port are no part of it (as for cookies, RFC 6265 §8.5):
    ``http://js.people.com.cn/`` and ``https://js.people.com.cn/`` are one site, and a
    site that moved to https, or serves it on another port, stays itself."""
    host = canonical_host(urlsplit(url.strip()).hostname or "")
    return host.removeprefix("www.")


def same_site(url: str, other: str) -> bool:
    """Whether two http(s) URLs are on one site (see :func:`site_of`); other schemes never are."""
    return (
        urlsplit(url.strip()).scheme.lower() in WEB_SCHEMES
        and urlsplit(other.strip()).scheme.lower() in WEB_SCHEMES
        and site_of(url) == site_of(other) != ""
    )
