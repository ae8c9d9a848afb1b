"""An archived page made safe to show: nothing in it runs, and nothing leaves the archive.

Archived pages are hostile input. Three layers keep them inert: the page is served from
its own path with ``Content-Security-Policy: sandbox`` and a policy that allows no
script and no fetch outside this server (:data:`CAPTURE_CSP`); it is shown in an
``<iframe sandbox>`` without ``allow-scripts``; and this module removes what a policy
does not cover before serving it: scripts, ``<meta http-equiv>`` (a refresh would
navigate the frame to the live web) and charset declarations (the page is re-encoded as UTF-8), ``<base>``, ``<link>`` (prefetch, preconnect),
embedded frames and objects, event-handler attributes and ``javascript:`` URLs.

Links and images pointing to pages that are in the archive lead to their captures; any
other link keeps its address only as a tooltip, and other images are dropped (their
address kept in ``data-archived-src``), so no click or load reaches the live web.
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urljoin

import lxml.etree
import lxml.html

#: Served with every capture body: no script, no plugin, nothing fetched but this server's
#: images and the page's own inline styles, no form posts, no base URL; ``sandbox``
#: gives the page an opaque origin even when opened outside the frame.
CAPTURE_CSP = (
    "sandbox; default-src 'none'; img-src 'self' data:; style-src 'unsafe-inline'; "
    "form-action 'none'; base-uri 'none'; frame-ancestors 'self'"
)
#: Elements removed with their content.
_REMOVED = ("script", "base", "link", "iframe", "frame", "frameset", "object", "embed", "applet", "portal")
#: Attributes that hold URLs the browser would fetch or follow by itself.
_FETCHING = ("srcset", "background", "poster", "ping", "action", "formaction", "data", "codebase", "lowsrc", "dynsrc")


def neutralise(html: str, page_url: str, archived: Callable[[list[str]], dict[str, str]]) -> str:
    """``html`` with everything active removed and links rewritten; ``archived`` maps
    absolute URLs to the local address of their capture (only those archived)."""
    if not html.strip():
        return ""
    try:
        root = lxml.html.document_fromstring(html)
    except (lxml.etree.ParserError, ValueError):
        return ""
    for element in root.xpath("|".join(f"//{name}" for name in _REMOVED) + "|//meta[@http-equiv or @charset]"):
        element.drop_tree()
    for element in root.iter(lxml.etree.Element):
        for name in list(element.attrib):
            value = element.attrib[name].strip().lower()
            if name.lower().startswith("on") or name.lower() in _FETCHING or value.startswith(("javascript:", "vbscript:")):
                del element.attrib[name]
        element.attrib.pop("target", None)
    _rewrite_links(root, page_url, archived)
    return lxml.html.tostring(root, encoding="unicode", doctype="<!DOCTYPE html>")


def _rewrite_links(root: lxml.html.HtmlElement, page_url: str, archived: Callable[[list[str]], dict[str, str]]) -> None:
    anchors = [(element, "href") for element in root.xpath("//a[@href]|//area[@href]") if not _inert(element.get("href"))]
    images = [(element, "src") for element in root.xpath("//*[@src]") if not _inert(element.get("src"))]
    targets = {id(element): _absolute(page_url, element.get(attribute)) for element, attribute in anchors + images}
    local = archived([url for url in targets.values() if url])
    for element, attribute in anchors + images:
        url = targets[id(element)]
        if url in local:
            element.set(attribute, local[url])
            continue
        del element.attrib[attribute]
        if attribute == "href":
            element.set("title", f"not archived: {url}" if url else "link without an address")
        else:
            element.set("data-archived-src", url or "")
            element.set("alt", element.get("alt") or "image not archived")


def _inert(link: str | None) -> bool:
    """Links that stay inside the page: fragments, and inline images (``data:``)."""
    link = (link or "").strip().lower()
    return link.startswith(("#", "data:image/"))


def _absolute(page_url: str, link: str | None) -> str | None:
    link = (link or "").strip()
    if not link:
        return None
    try:
        url = urljoin(page_url, link)
    except ValueError:
        return None
    return url.split("#", 1)[0] if url.startswith(("http://", "https://")) else None
