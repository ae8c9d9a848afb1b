"""Text of HTML elements as a reader sees it: visible blocks, trimmed, widgets left out.

Browsers collapse source whitespace but keep ``&nbsp;`` and full-width spaces, and
show a ``<br>`` or a block element as a line break; article bodies are read the same
way, one paragraph per visible line. Hidden elements are decided from inline styles,
the ``hidden`` attribute and the page's own ``display:none`` CSS class rules, since
people.com.cn hides ``div.otitle`` that way.
"""

from __future__ import annotations

import functools
import itertools
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from lxml import etree

_SOURCE_SPACE = re.compile(r"[ \t\r\n\f\v]+")
#: Visible spaces (nbsp, full-width, thin …) and invisible characters, folded to a space or removed.
_VISIBLE_SPACE_PAIRS = (("\xa0", " "), ("\u3000", " "), ("\u2002", " "), ("\u2003", " "), ("\u2009", " "),
                        ("\u200b", ""), ("\u200c", ""), ("\u200d", ""), ("\ufeff", ""))
#: Whitespace other than the source kind (what ``str.split`` also splits on) and the invisible
#: characters above: text without any is cleaned by splitting on whitespace.
_NOT_SOURCE_SPACE = re.compile(r"[\x1c-\x1f\x85\xa0\u1680\u2000-\u200d\u2028\u2029\u202f\u205f\u3000\ufeff]")

#: Elements whose content is never article text.
SKIP_TAGS = frozenset(
    "script style noscript template iframe frame frameset form button select option textarea input "
    "object embed svg canvas video audio map area head title link meta".split()
)
#: Elements a browser shows on their own line(s).
BLOCK_TAGS = frozenset(
    "p div section article aside header footer main nav blockquote center pre address "
    "ul ol li dl dt dd table thead tbody tfoot tr td th caption figure figcaption "
    "h1 h2 h3 h4 h5 h6 hr body html text".split()
)
HEADING_TAGS = frozenset({"h2", "h3", "h4", "h5", "h6"})

#: class/id words of share buttons, font-size switches, related lists, comments, pagers, ads.
_WIDGET = re.compile(
    r"share|print|fontsize|font-size|font_size|zoom|toolbar|related|relevant|recommend|comment|copyright|"
    r"qrcode|ewm|pager|paging|zdfy|pagelink|page_nav|pagenav|advert|"
    r"(?:^|[\s_-])(?:ad|ads|tool|tools|font|tags?|keywords?|hide_word)(?:$|[\s_-])",
    re.IGNORECASE,
)
#: Words of page navigation (Simplified and Traditional); a line made only of them is a pager.
_PAGER_WORD = r"(?:上一[页頁篇]|下一[页頁篇]|上[页頁]|下[页頁]|前一[页頁]|后一[页頁]|後一[頁页]|首[页頁]|尾[页頁]|末[页頁]|[共第]\s*\d{1,3}\s*[页頁])"
_PAGER_NUMBER = r"(?:[【\[(（]\s*\d{1,3}\s*[】\])）]|(?<!\d)\d{1,3}(?!\d))"
_PAGER_LINE = re.compile(rf"^(?:(?:{_PAGER_WORD}|{_PAGER_NUMBER}|<<|>>|«|»|\.\.\.|…)[\s|｜·,，]*)+$")
_PAGER_WORDS = re.compile(_PAGER_WORD)
_PAGER_NUMBERS = re.compile(_PAGER_NUMBER)
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)
_SHOWN_STYLE = re.compile(r"display\s*:\s*(?!none)[a-z-]+", re.IGNORECASE)
_CSS_BRACE = re.compile(r"[{};]")
_CLASS_SELECTOR = re.compile(r"\.([\w-]+)\s*$")
_CENTERED = re.compile(r"text-align\s*:\s*center", re.IGNORECASE)
#: An element's text with its descendants' (lxml's XPath evaluators lock, so one serves every thread).
_STRING_VALUE = etree.XPath("string()", smart_strings=False, regexp=False)


def clean_text(text: str | None) -> str:
    """Collapse source whitespace like a browser, keep nbsp/full-width spaces as spaces, trim.

    Called for every text node read (dozens a page), so text with no whitespace but the
    source kind, by far the most, takes ``str.split``, which does the same there at a
    fraction of the regex's cost.
    """
    if not text or text.isspace():  # the whitespace between blocks: every kind of it cleans to ""
        return ""
    if _NOT_SOURCE_SPACE.search(text) is None:
        return " ".join(text.split())
    text = _SOURCE_SPACE.sub(" ", text)
    for char, replacement in _VISIBLE_SPACE_PAIRS:  # str.replace is far faster than str.translate
        if char in text:
            text = text.replace(char, replacement)
    return text.strip()


def hidden_classes(css_texts: Iterable[str]) -> frozenset[str]:
    """Class names that top-level CSS rules hide (``.x{display:none}``); rules in @media blocks are ignored.

    Only top-level rules count, because ``@media`` rules hide things on phones, not for
    the reader of the page at desktop width.
    """
    found: set[str] = set()
    for css in css_texts:
        found.update(_hidden_in(css))
    return frozenset(found)


@functools.lru_cache(maxsize=256)
def _hidden_in(css: str) -> frozenset[str]:
    """:func:`hidden_classes` of one stylesheet; cached, as a site repeats its inline styles on every page."""
    if not _HIDDEN_STYLE.search(css):
        return frozenset()
    found: set[str] = set()
    for rule in _top_level(css).split("}"):
        selectors, _, declarations = rule.partition("{")
        if not _HIDDEN_STYLE.search(declarations):
            continue
        for selector in selectors.split(","):
            match = _CLASS_SELECTOR.search(selector.strip())
            if match:
                found.add(match.group(1))
    return frozenset(found)


def _top_level(css: str) -> str:
    """The CSS without its at-rules (``@media {...}``, ``@import …;``)."""
    parts, pos = [], 0
    while (at := css.find("@", pos)) != -1:
        parts.append(css[pos:at])
        pos = _end_of_at_rule(css, at)
    parts.append(css[pos:])
    return "".join(parts)


def _end_of_at_rule(css: str, start: int) -> int:
    depth = 0
    for match in _CSS_BRACE.finditer(css, start):
        char = match.group()
        if char == ";" and depth == 0:
            return match.end()
        depth += 1 if char == "{" else -1 if char == "}" else 0
        if depth == 0 and char == "}":
            return match.end()
    return len(css)


def is_pager_line(text: str) -> bool:
    """Whether a line is page navigation (``上一页 1 2 下一页``, ``【1】【2】【3】``, ``共3頁``), never article text.

    A lone number is not enough (it may be a list item); a pager word or two page numbers are.
    """
    if len(text) > 80 or not _PAGER_LINE.match(text):
        return False
    return _PAGER_WORDS.search(text) is not None or len(_PAGER_NUMBERS.findall(text)) >= 2


def is_hidden(element: etree._Element, hidden: frozenset[str]) -> bool:
    """Whether the reader cannot see ``element``: inline style, ``hidden`` attribute or a hiding class."""
    style = element.get("style")
    shows = False
    if style:
        hides, shows = _style_display(style)
        if hides:
            return True
    if element.get("hidden") is not None:
        return True
    if hidden and not shows:
        classes = element.get("class")
        return bool(classes) and not hidden.isdisjoint(classes.split())
    return False


@functools.lru_cache(maxsize=2048)
def _style_display(style: str) -> tuple[bool, bool]:
    """Whether an inline style hides the element, and whether it sets a visible ``display``; cached,
    as a page repeats a few styles on every paragraph."""
    return _HIDDEN_STYLE.search(style) is not None, _SHOWN_STYLE.search(style) is not None


@functools.lru_cache(maxsize=2048)
def _centers(style: str) -> bool:
    """Whether an inline style centres the text; cached like :func:`_style_display`."""
    return _CENTERED.search(style) is not None


def is_widget(element: etree._Element) -> bool:
    """Whether class/id mark a share bar, font-size switch, related list, pager, comments or ad."""
    classes, ident = element.get("class"), element.get("id")
    return bool(classes or ident) and _is_widget_marks(classes, ident)


@functools.lru_cache(maxsize=4096)
def _is_widget_marks(classes: str | None, ident: str | None) -> bool:
    """:func:`is_widget` of one class/id pair; cached, as a site repeats its class names on every page."""
    marks = f"{classes or ''} {ident or ''}".strip()
    return bool(marks) and _WIDGET.search(marks) is not None


def all_text(element: etree._Element) -> str:
    """Text of ``element`` and its descendants as written (``"".join(element.itertext())``).

    XPath's ``string()`` joins the texts in C, a fifth of the cost of ``itertext`` on a
    whole article body; an element without children, most of them, is just its text.
    """
    return _STRING_VALUE(element) if len(element) else element.text or ""


def link_density(element: etree._Element) -> float:
    """Share of the element's text that sits inside links (near 1 for menus and link lists).

    The links are counted first: most article bodies have none, and then the share is 0
    without cleaning the whole text.
    """
    linked = sum(len(clean_text(all_text(a))) for a in element.iter("a"))
    if not linked:
        return 0.0
    total = len(clean_text(all_text(element)))
    return min(1.0, linked / total) if total else 0.0


def is_link_list(element: etree._Element) -> bool:
    """A related-news list or menu: several links making up most of the text."""
    if element.tag not in ("ul", "ol", "dl", "table", "div"):
        return False
    links = sum(1 for _ in itertools.islice(element.iter("a"), 3))
    return links >= 3 and link_density(element) > 0.6


@dataclass(slots=True)
class Block:
    """One visible line of a body: a paragraph, a heading, or an image."""

    kind: str  # "p", "h2".."h4" or "img"
    text: str = ""
    src: str = ""
    centered: bool = False


def body_blocks(root: etree._Element, hidden: frozenset[str], *, furniture: bool = False) -> list[Block]:
    """Visible blocks of ``root`` in reading order, skipping hidden parts, widgets and link lists.

    ``furniture=True`` keeps widgets and link lists (for reading a whole page quickly).
    """
    return _walk(root, hidden, furniture)


def paragraphs(root: etree._Element, hidden: frozenset[str] = frozenset()) -> list[str]:
    """Text paragraphs of ``root`` (block elements and ``<br>`` break lines), trimmed, non-empty."""
    return [b.text for b in body_blocks(root, hidden) if b.kind != "img"]


def _walk(root: etree._Element, hidden: frozenset[str], furniture: bool) -> list[Block]:
    """The blocks of ``root``: one lxml ``iterwalk`` (no recursion limit), text gathered per line.

    The walk runs in C and prunes skipped subtrees with ``skip_subtree``: a fifth cheaper
    than an explicit stack of Python tuples.
    """
    blocks: list[Block] = []
    buffer: list[str] = []
    centered, heading = False, ""

    def flush() -> None:
        if buffer:
            text = clean_text("".join(buffer))
            buffer.clear()
            if text:
                blocks.append(Block(kind=heading or "p", text=text, centered=centered))

    # Set at the start of an element read whole there (skipped, <br>, <img>): its end event only adds its tail.
    read_whole = False
    walker = etree.iterwalk(root, events=("start", "end"))
    for event, node in walker:
        if event == "end":
            if read_whole:
                read_whole = False
            elif node.tag in BLOCK_TAGS:
                flush()
                centered = False
                if node.tag in HEADING_TAGS:
                    heading = ""
            tail = node.tail if node is not root else None  # each .text or .tail decodes the text again
            if tail:
                buffer.append(tail)
            continue
        tag = node.tag if isinstance(node.tag, str) else ""
        if not tag or tag in SKIP_TAGS or (node is not root and _skipped(node, hidden, furniture)):
            walker.skip_subtree()
            read_whole = True
            continue
        if tag == "br" or tag == "img":
            walker.skip_subtree()
            read_whole = True
            if tag == "br":
                flush()
            else:
                _read_image(node, flush, blocks)
            continue
        if tag in BLOCK_TAGS:
            flush()
            style = node.get("style")
            centered = bool(style and _centers(style)) or node.get("align") == "center"
            if tag in HEADING_TAGS:
                heading = tag if tag in ("h2", "h3", "h4") else "h4"
        text = node.text
        if text:
            buffer.append(text)
    flush()
    return blocks


def _read_image(img: etree._Element, flush: Callable[[], None], blocks: list[Block]) -> None:
    """Add an image block for ``img`` (ending the line before it) unless it has no source or is an icon."""
    src = img.get("data-src") or img.get("data-original") or img.get("src") or ""
    if src and not _is_icon(img):
        flush()
        blocks.append(Block(kind="img", src=src.strip(), text=clean_text(img.get("alt"))))


def _skipped(node: etree._Element, hidden: frozenset[str], furniture: bool) -> bool:
    if is_hidden(node, hidden):
        return True
    if furniture:
        return False
    if is_widget(node):
        return True
    # an element without children holds no links: most paragraphs stop here
    return len(node) > 0 and (is_link_list(node) or _is_link_paragraph(node))


def _is_link_paragraph(node: etree._Element) -> bool:
    """A paragraph that is nothing but a link ("点击进入…>>") is navigation, not article text."""
    if node.tag != "p":
        return False
    links = list(node.iter("a"))
    if not links or next(node.iter("img"), None) is not None:
        return False
    linked = "".join("".join(all_text(a) for a in links).split())
    return bool(linked) and linked == "".join(all_text(node).split())


def _is_icon(img: etree._Element) -> bool:
    """Tiny images (icons, spacers, share buttons) are decoration, not article images."""
    for attribute in ("width", "height"):
        value = (img.get(attribute) or "").strip().rstrip("px")
        if value.isdigit() and int(value) < 50:
            return True
    return False
