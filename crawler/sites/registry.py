"""Which page class reads which site, and the one extraction entry point everyone calls.

The table is data: adding a site template is one line. :func:`extract` is the
boundary between the messy web and the pipeline, so it never raises: any bytes give
either an :class:`Article` (with its problems listed) or a :class:`NotArticle`.
"""

from __future__ import annotations

import fnmatch
import functools
import hashlib
import re
from urllib.parse import urlsplit

from crawler.items import Article, NotArticle
from crawler.parsing.encoding import decode_html, looks_binary
from crawler.sites.epaper import EpaperPage
from crawler.sites.generic import GenericArticlePage
from crawler.sites.people import PeoplePage
from crawler.sites.xinhua import XinhuaPage

#: A closing tag that only a complete download ends with (``</text>``: CleanEval's wrapper).
_CLOSING_TAG = re.compile(r"</(?:html|body|text>)", re.IGNORECASE)

#: (host glob, page class), first match wins. Hosts are matched lower-case.
SITE_TEMPLATES: tuple[tuple[str, type[GenericArticlePage]], ...] = (
    ("people.com.cn", PeoplePage),
    ("*.people.com.cn", PeoplePage),
    ("people.cn", PeoplePage),
    ("*.people.cn", PeoplePage),
    ("news.cn", XinhuaPage),
    ("*.news.cn", XinhuaPage),
    ("xinhuanet.com", XinhuaPage),
    ("*.xinhuanet.com", XinhuaPage),
    ("xh.xhby.net", EpaperPage),
    ("epaper.chinatibetnews.com", EpaperPage),
    ("epaper.yzwb.net", EpaperPage),
    ("news.hndaily.cn", EpaperPage),
)

#: Template name → page class, for callers (the replica, ``parse --template``) whose host says nothing.
TEMPLATES_BY_NAME: dict[str, type[GenericArticlePage]] = {
    cls.template: cls for cls in (GenericArticlePage, *(cls for _, cls in SITE_TEMPLATES))
}


def page_class_for(url: str, site_hint: str | None = None) -> type[GenericArticlePage]:
    """The page class for ``url``; ``site_hint`` (a template name such as ``"people"``) wins when given.

    Raises :class:`KeyError` for an unknown hint, naming the known templates.
    """
    if site_hint:
        try:
            return TEMPLATES_BY_NAME[site_hint]
        except KeyError:
            known = ", ".join(sorted(TEMPLATES_BY_NAME))
            raise KeyError(f"unknown site template {site_hint!r}; use one of: {known}") from None
    return _class_for_host((urlsplit(url).hostname or "").lower())


@functools.lru_cache(maxsize=1024)
def _class_for_host(host: str) -> type[GenericArticlePage]:
    """The first template whose host glob matches; cached, as a crawl asks about the same few
    hosts on every page and each glob match is a regex match."""
    for pattern, cls in SITE_TEMPLATES:
        if fnmatch.fnmatchcase(host, pattern):
            return cls
    return GenericArticlePage


def extract(
    url: str,
    body: bytes,
    *,
    declared_encoding: str | None = None,
    fetched_at: str | None = None,
    site_hint: str | None = None,
) -> Article | NotArticle:
    """Read one fetched page. Never raises: failures become problems or a NotArticle reason."""
    try:
        return _extract(url, body, declared_encoding, fetched_at, site_hint)
    except Exception as exc:  # noqa: BLE001 - the crawl must go on whatever a page holds
        return NotArticle(url=url, reason=f"the parser failed on this page ({type(exc).__name__}: {exc})"[:500])


def _extract(
    url: str, body: bytes, declared_encoding: str | None, fetched_at: str | None, site_hint: str | None
) -> Article | NotArticle:
    if not body or body.isspace():
        return NotArticle(url=url, reason="the page is empty")
    if looks_binary(body):
        return NotArticle(url=url, reason="the response is binary data, not an HTML page")
    decoded = decode_html(body, declared_encoding)
    try:
        cls = page_class_for(url, site_hint)
    except KeyError:
        cls = page_class_for(url)
    page = cls(url, decoded.text, encoding=decoded.encoding)
    ok, reason = page.is_article()
    if not ok:
        return NotArticle(url=url, reason=reason)
    article = page.to_article()
    article.fetched_at = fetched_at
    article.page_digests = [hashlib.sha256(body).hexdigest()]
    for problem in decoded.problems:
        article.add_problem(problem.kind, problem.detail, problem.field)
    if not _looks_complete(decoded.text):
        article.add_problem("truncated", "the HTML ends before </body> or </html>: the download may be cut short")
    return article


def _looks_complete(text: str) -> bool:
    """Whether a closing tag starts in the last 4 KB; tried at each ``</`` from the end, where it
    usually is, instead of searching the 4 KB from their start."""
    start, end = max(0, len(text) - 4096), len(text)
    while (at := text.rfind("</", start, end)) >= 0:
        if _CLOSING_TAG.match(text, at):
            return True
        end = at + 1
    return False
