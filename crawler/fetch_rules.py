"""Which URLs a crawl may fetch: the rules the request gate enforces, without Scrapy.

Pages are written by strangers, so every URL they hand us is hostile. A URL may be
fetched when its scheme is ``http`` or ``https``, its host is one of the crawl's sites
(:func:`crawler.parsing.urls.site_of`: ``http``/``https``, any port, ``www.`` and bare name
are one site) and, for crawls that refuse private addresses, its host is not a loopback,
private, link-local or otherwise non-public address. The downloader middleware that
applies them to every request is :class:`crawler.contrib.scrapy.middlewares.gate.RequestGate`;
the distributed frontier applies them to every queued entry (:mod:`crawler.distributed.entries`).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import urlsplit

from crawler.parsing.urls import site_of

FETCHABLE_SCHEMES = frozenset({"http", "https"})


@dataclass(frozen=True)
class Refusal:
    """Why a URL may not be fetched: ``reason`` names the rule (``scheme``, ``offsite``,
    ``private_address``; the stats count ``newsarchive/refused/<reason>``), ``message`` says it."""

    reason: str
    message: str

    def __str__(self) -> str:
        return self.message


def sites_of(urls_or_hosts: Iterable[str]) -> frozenset[str]:
    """Sites (:func:`crawler.parsing.urls.site_of`) of URLs or bare host names (``allowed_domains``).

    Remembered per list: the gate asks for a spider's sites at every request, twice."""
    return _sites_of(tuple(urls_or_hosts))


@lru_cache(maxsize=64)
def _sites_of(urls_or_hosts: tuple[str, ...]) -> frozenset[str]:
    sites = {site_of(value if "://" in value else f"//{value}") for value in urls_or_hosts}
    return frozenset(sites - {""})


def is_private_address(host: str) -> bool:
    """True for ``localhost`` and IP addresses that are not public: loopback, private,
    link-local, multicast, reserved, unspecified (IPv4-mapped IPv6 included)."""
    host = host.lower().rstrip(".").strip("[]")
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return not address.is_global


def refusal(url: str, sites: frozenset[str], *, private_allowed: bool = True) -> Refusal | None:
    """Why ``url`` may not be fetched by a crawl of ``sites``, or None if it may."""
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
    except ValueError as exc:
        return Refusal("scheme", f"{url!r} is not a valid URL ({exc})")
    if parts.scheme.lower() not in FETCHABLE_SCHEMES:
        return Refusal("scheme", f"only http and https are fetched, not {parts.scheme or 'a relative'} URLs")
    if not host:
        return Refusal("offsite", "the URL names no host")
    if site_of(url) not in sites:
        return Refusal("offsite", f"{host} is not one of this crawl's sites ({', '.join(sorted(sites))})")
    if not private_allowed and is_private_address(host):
        return Refusal("private_address", f"{host} is a local or private address")
    return None
