"""Parse page text into an lxml tree once, and read the page's own metadata from it.

The text is handed to libxml2 as UTF-8 bytes with the encoding stated, so a ``<meta
charset>`` that lies (or an XML declaration, which lxml refuses on ``str`` input)
cannot make it decode a second time. Control characters that libxml2 rejects are
removed first: a page must never fail to parse.

Nor may it be read silently short. libxml2 stops at 256 levels of nesting unless told
``huge_tree`` (``XML_PARSE_HUGE``), and 300 unclosed ``<font>`` tags are enough on real
pages, so the parser is built with it; past its 2,048 levels, the page is read again
without the presentational tags that pile up so, and either way the limit is recorded as
a ``parser_limit`` problem for the caller (:func:`parse_html`'s ``problems``).
"""

from __future__ import annotations

import json
import re
from typing import Any

from lxml import etree

from crawler.items import Problem

#: CleanEval corpora wrap whole pages in ``<text id=URL encoding=…>…</text>``; the wrapper is not the page.
_WRAPPER_OPEN = re.compile(r"^\s*<text\b[^>]*>", re.IGNORECASE)
_WRAPPER_TITLE = re.compile(r'\btitle\s*=\s*"([^"]*)"')
_WRAPPER_CLOSE = re.compile(r"</text>\s*$", re.IGNORECASE)
#: Characters libxml2 rejects: C0 controls other than tab/newline/return, and two non-characters.
_CONTROL_BYTES = bytes([*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20)])
_NONCHARACTERS = ("\ufffe", "\uffff")
# Plain etree elements: lxml.html's element classes cost a lookup per node visited.
_PARSER = etree.HTMLParser(encoding="utf-8", remove_comments=True, remove_pis=True, huge_tree=True)
#: Inline tags that only style text and that broken pages leave unclosed by the hundred.
_PRESENTATIONAL_TAG = re.compile(rb"</?(?:font|span|b|i|u|em|strong|small|big|center|s|strike|tt)\b[^>]*>", re.IGNORECASE)


def wrapper_title(text: str) -> str:
    """The ``title`` attribute of a CleanEval ``<text>`` wrapper (pages inside often lack ``<title>``)."""
    match = _WRAPPER_OPEN.match(text)
    if not match:
        return ""
    found = _WRAPPER_TITLE.search(match.group())
    return found.group(1) if found else ""


def parse_html(text: str, problems: list[Problem] | None = None) -> etree._Element:
    """The document root of ``text``; an empty ``<html>`` for text with no markup at all.

    A parser limit hit on the way is appended to ``problems`` (when given) as ``parser_limit``.
    """
    if _WRAPPER_OPEN.match(text):
        text = _WRAPPER_CLOSE.sub("", _WRAPPER_OPEN.sub("", text, count=1), count=1)
    for noncharacter in _NONCHARACTERS:
        if noncharacter in text:
            text = text.replace(noncharacter, "")
    # Control bytes never occur inside UTF-8 multibyte sequences, so deleting them from the bytes is exact
    # (and much faster than a regex over the text). Lone surrogates become "?".
    data = text.encode("utf-8", "replace").translate(None, _CONTROL_BYTES)
    root, limit = _parse(data)
    if limit:
        flattened, _ = _parse(_PRESENTATIONAL_TAG.sub(b"", data))
        root = flattened if flattened is not None else root
        if problems is not None:
            problems.append(Problem(
                kind="parser_limit",
                detail=f"libxml2 stopped reading the page ({limit}); it was read again without its "
                "font/span/b/i… tags, and text nested deeper still may be missing",
            ))
    if root is None:
        root = etree.fromstring(b"<html><body></body></html>", _PARSER)
    return root


def _parse(data: bytes) -> tuple[etree._Element | None, str]:
    """The root of ``data`` (``None`` when there is none) and the message of a resource limit libxml2 hit."""
    if not data.strip():
        return None, ""
    try:
        root = etree.fromstring(data, _PARSER)
    except (etree.ParserError, etree.XMLSyntaxError, ValueError):
        root = None
    limits = [error.message for error in _PARSER.error_log if error.type_name == "ERR_RESOURCE_LIMIT"]
    return root, limits[0] if limits else ""


def meta_tags(root: etree._Element) -> dict[str, str]:
    """``<meta name|property|itemprop=… content=…>`` as a dict, names lower-cased, first one wins."""
    found: dict[str, str] = {}
    for meta in root.iter("meta"):
        name = meta.get("name") or meta.get("property") or meta.get("itemprop") or meta.get("http-equiv")
        content = meta.get("content")
        if name and content is not None:
            found.setdefault(name.strip().lower(), content.strip())
    return found


def json_ld(root: etree._Element) -> list[dict[str, Any]]:
    """Objects of the page's JSON-LD blocks (``@graph`` flattened); unreadable blocks are skipped."""
    objects: list[dict[str, Any]] = []
    for script in root.iter("script"):
        if (script.get("type") or "").strip().lower() != "application/ld+json" or not script.text:
            continue
        try:
            data = json.loads(script.text)
        except ValueError:
            continue
        for item in data if isinstance(data, list) else [data]:
            if not isinstance(item, dict):
                continue
            graph = item.get("@graph")
            if isinstance(graph, list):
                objects.extend(g for g in graph if isinstance(g, dict))
            else:
                objects.append(item)
    return objects


def style_texts(root: etree._Element) -> list[str]:
    """Contents of the page's ``<style>`` elements (for hidden-class rules)."""
    return [text for style in root.iter("style") if (text := style.text)]


def strip_non_content(root: etree._Element) -> None:
    """Remove scripts, styles and templates so text walks never see code."""
    etree.strip_elements(root, "script", "style", "noscript", "template", with_tail=False)
