"""Article extraction for sites nobody wrote rules for.

:class:`GenericArticlePage` is a page object in the web-poet style: built once from
the page text, it answers one question per Article field with a short method, so a
site template (:mod:`crawler.sites.people`) overrides only what its markup knows
better. The generic answers rely on what Chinese news pages share: the headline is
the heading that matches ``<title>``; the dateline, source and byline sit right
under it; the body is the block with the most punctuated text; editor lines follow
it. A field that raises becomes a ``parse_error`` problem, never a crash.
"""

from __future__ import annotations

import functools
import ipaddress
import itertools
import re
from collections.abc import Callable, Iterable, Iterator
from difflib import SequenceMatcher
from typing import Any, TypeVar
from urllib.parse import urlsplit

from lxml import etree

from crawler.items import Article, Image, Problem
from crawler.parsing import labels
from crawler.parsing.chinese import detect_script
from crawler.parsing.css import ElementIndex
from crawler.parsing.dates import META_DATE_NAMES, FoundDate, find_dates, first_date, looks_like_date, parse_date_value
from crawler.parsing.html import json_ld, meta_tags, parse_html, strip_non_content, style_texts, wrapper_title
from crawler.parsing.text import (
    Block,
    all_text,
    body_blocks,
    clean_text,
    hidden_classes,
    is_hidden,
    is_pager_line,
    link_density,
)
from crawler.parsing.urls import canonical_host, canonicalize, join_url, same_site

T = TypeVar("T")

#: Chinese and ASCII sentence punctuation: dense in article text, rare in menus.
_PUNCTUATION = re.compile(r"[，。；：！？、“”,.;!?]")
#: class/id words that mark the page's furniture, sorted by what they hold.
_MARKS = {
    "title": re.compile(r"title|headline|(?:^|[\s_-])tit(?:$|[\s_-])|biaoti", re.IGNORECASE),
    "date": re.compile(r"date|time|pubtime|paperdate|riqi|shijian|(?:^|[\s_-])info(?:$|[\s_-])", re.IGNORECASE),
    "source": re.compile(r"source|laiyuan|(?:^|[\s_-])from(?:$|[\s_-])", re.IGNORECASE),
    "author": re.compile(r"author|byline|writer|zuozhe|reporter|editor|bianji", re.IGNORECASE),
    "pager": re.compile(r"zdfy|pager|paging|pagination|pagelink|page_?nav|fenye|(?:^|[\s_-])pages?(?:$|[\s_-])", re.IGNORECASE),
    "crumbs": re.compile(r"crumb|bread|navpath|position|location|daohang|weizhi|(?:^|[\s_-])(?:path|where)(?:$|[\s_-])", re.IGNORECASE),
}
#: Any of the marks above, to rule out most class/id strings in one search.
_ANY_MARK = re.compile("|".join(f"(?:{pattern.pattern})" for pattern in _MARKS.values()), re.IGNORECASE)
#: Marks of editor elements inside the "author" marks: their bare names are editors, not writers.
_EDITOR_MARK = re.compile(r"editor|bianji", re.IGNORECASE)
#: A marked element longer than this is a container (``TRS_Editor`` holds whole bodies), not a credit.
_MARKED_TEXT_LIMIT = 150
#: Tags a headline is written in, and how much each is preferred.
_HEADING_BONUS = {"h1": 0.3, "h2": 0.15, "h3": 0.05, "th": 0.05}
_KICKER = re.compile(r"(?:^|[\s_-])(?:pre|yin|yinti|kicker|introtitle|top_?title)(?:$|[\s_-])", re.IGNORECASE)
_SUBHEAD = re.compile(r"(?:^|[\s_-])(?:sub|subtitle|sub_?title|fu|futi)(?:$|[\s_-])", re.IGNORECASE)
_CRUMB_LEAD = re.compile(r"^[^>»›→]{0,8}位置\s*[:：]?")
#: Text after the last breadcrumb link naming the current page without a link (``>> 业界新闻``).
_CRUMB_TAIL_LIMIT = 24
#: Separators a site writes inside its crumb links (``新华网>``, ``» 时政``).
_CRUMB_EDGE = re.compile(r"^[\s>»›→＞]+|[\s>»›→＞]+$")
_CRUMB_SEPARATORS = re.compile(r"^[\s>»›→\-－＞|｜/]*$")
#: What text holding a breadcrumb separator or a location label contains.
_SEPARATOR = re.compile("[>»›＞]|位置")
#: A site or channel name after a separator at the end of <title>: ``--人民网``, ``_新华网``, ``-中国科普网``.
_TITLE_PREFIX = re.compile(r"^[^-—_|｜–\d\s]{1,6}\s*(?:--|_|——)\s*")
_TITLE_SUFFIX = re.compile(r"\s*(?:--|—|_|\||｜|-|–)\s*[^-—_|｜–\d]{1,12}$")
#: A site name set off from the headline: `` | 示范网``, ``-新华网``, ``_人民网``, and the same leading.
_SITE_NAME_SUFFIX = re.compile(r"\s*(?:--|—|_|\||｜|-|–)\s*(?P<name>[^-—_|｜–]{2,16})$")
_SITE_NAME_PREFIX = re.compile(r"^(?P<name>[^-—_|｜–]{2,16}?)\s*(?:--|—|_|\||｜|-|–)\s*")
#: The page suffix and extension of a page path (``-2.html``, ``_2.htm``, ``.shtml``).
_PAGE_STEM = re.compile(r"(?:[-_]\d{1,3})?\.s?html?$")
_PAGE_NUMBER = re.compile(r"^\s*[\[【(（第]?\s*(\d{1,3})\s*[\]】)）页]?\s*$")
#: Short widget lines that appear inside article containers.
_WIDGET_LINE = re.compile(
    r"^(?:分享(?:到|让更多人看到)?|打印|关闭(?:窗口)?|返回顶部|小字号|大字号|字号[：:]?.{0,8}|【?纠错】?|阅读剩余全文.*|展开全文|"
    r"调查问题加载中.*|Play Video|扫一扫.*|手机看新闻|责任编辑.{0,12}$|我要纠错|微信|微博|QQ空间|\[?[大中小]\]?\s*[大中小]?\s*[大中小]?)$"
)
#: Sentence punctuation: Chinese marks, or ASCII ones where a sentence ends or goes on (not ``3.5``, ``a.cn``).
_CHINESE_SENTENCE = re.compile(r"[，。！？；]|[,.!?;](?=\s|[\u4e00-\u9fff]|$)")
#: Marks that end a sentence, for telling prose from a caption or a menu line.
_SENTENCE_END = re.compile(r"[。！？!?；]")
_COPYRIGHT_LINE = re.compile(r"copyright|©|版权所有|版權所有|all rights reserved|未经授权.{0,10}不得转载", re.IGNORECASE)
#: The characters a :data:`_COPYRIGHT_LINE` match starts with (case-insensitive ``a`` and ``c`` match no
#: others): a search for them rules out most lines, where the case-insensitive pattern tries every position.
_COPYRIGHT_START = re.compile("[aAcC©版未]")
_PASSWORD = re.compile(r"password|passwd", re.IGNORECASE)
#: The first digit of a year a dateline starts with (19xx, 20xx, ASCII or full-width).
_YEAR_START = re.compile("[12１２]")

#: How much text after the headline may hold the dateline and byline.
_DATELINE_WINDOW = 300
#: How much text after the body may hold editor and source lines.
_AFTER_BODY_WINDOW = 400
#: How many text lines after the headline may come before the dateline, and how long a dateline line is.
_DATELINE_LINES = 4
_DATELINE_CHARS = 80
#: How far from the body's text a date may sit to be taken as the post's own.
_NEAR_BODY_CHARS = 200
#: class/id words of comment threads and recommendation feeds: text there is not the article's.
_READER_SECTION = re.compile(
    r"comment|(?:^|[\s_-])(?:reply|replies|pinglun|pl|recommend|recom|feeds?|sidebar|aside)(?:$|[\s_-])", re.IGNORECASE
)
#: A parent whose text is this much links is a list, not an article split into blocks.
_SIBLING_LINK_SHARE = 0.3
#: Headline links that make a block a feed of other stories (see ``_is_teaser_feed``).
_FEED_MIN_ITEMS = 4
_FEED_TEASER_CHARS = 150
#: How many lines of text right above the body may hold its writer's credit line.
_BEFORE_BODY_LINES = 3
#: Inline elements whose words belong to their parent's line of text.
_INLINE_TAGS = frozenset({"a", "b", "strong", "em", "i", "u", "font", "span"})
#: Posts printed one after another (see ``_first_of_repeated_posts``): how many make such a
#: page, and the prose score (about one per punctuation mark) that makes a block a post.
_POSTS_MIN = 3
_POST_MIN_SCORE = 12.0
#: How much a block in such a section counts next to one outside it.
_READER_SECTION_WEIGHT = 0.25
#: A link-heavy page with less prose than this and no article signals is an index, not an article.
_HUB_MAX_PROSE = 200
_HUB_LINK_SHARE = 0.5
#: A body shorter than this is an article only with a dateline, byline, source or editor.
_MIN_BODY_CHARS = 40
#: Prose under a headline that makes a page an article whatever else it carries (login box,
#: long related list): this many characters and finished sentences, in a block that is not
#: mostly links.
_PROSE_CHARS = 70
_PROSE_SENTENCES = 2
_PROSE_LINK_SHARE = 0.5


#: What :func:`remembered` finds for a question not asked yet (``None`` is a common answer).
_UNKNOWN = object()


class remembered_property(functools.cached_property):  # noqa: N801 - used like cached_property
    """``functools.cached_property`` without its lock.

    Python 3.11 takes a lock, one per property and shared by every page, on each first
    read (3.12 dropped it); reading a page touches a dozen such properties, and the locking
    cost more than some of the answers. A page object is read by one thread.
    """

    def __get__(self, instance: Any, owner: type | None = None) -> Any:
        if instance is None:
            return self
        value = instance.__dict__[self.attrname] = self.func(instance)
        return value


def remembered(method: Callable[..., T]) -> Callable[..., T]:
    """Remember a page method's answer per page and per arguments.

    Fields ask each other (the body drops headline repeats, the verdict asks for title,
    date and editors) and templates look up the same parts several times; recomputing
    cost more than the reading itself. The memo is keyed by the method itself, so a
    template's override and the generic answer it falls back on (``super()``) are
    remembered apart. Only for methods whose answer depends on the page alone.
    """

    @functools.wraps(method)
    def cached(self: GenericArticlePage, *args: Any) -> T:
        key = (method, args) if args else method  # most questions take no arguments: no tuple to build
        answer = self._answers.get(key, _UNKNOWN)
        if answer is _UNKNOWN:
            answer = self._answers[key] = method(self, *args)
        return answer

    return cached


def field_method(field: str, default: Any) -> Callable[[Callable[..., T]], Callable[..., T]]:
    """Turn an exception in one field method into a ``parse_error`` problem and a default value.

    The answer (or the default) is :func:`remembered`, so a failing field reports its problem once.
    """

    def wrap(method: Callable[..., T]) -> Callable[..., T]:
        @functools.wraps(method)
        def guarded(self: GenericArticlePage, *args: Any) -> T:
            try:
                return method(self, *args)
            except Exception as exc:  # noqa: BLE001 - any parser failure must stay a problem
                self.problems.append(
                    Problem(kind="parse_error", detail=f"{type(exc).__name__}: {exc}"[:300], field=field)
                )
                return default() if callable(default) else default

        return remembered(guarded)

    return wrap


class GenericArticlePage:
    """One fetched page read as a Chinese news article, field by field."""

    #: Template name recorded in :attr:`Article.template`.
    template = "generic"
    #: Registrable site name; empty means "derive from the URL host".
    site = ""

    def __init__(self, url: str, html: str | etree._Element, encoding: str | None = None) -> None:
        self.url = url
        self.encoding = encoding
        self.problems: list[Problem] = []
        self._answers: dict[Callable[..., Any] | tuple[Callable[..., Any], tuple[Any, ...]], Any] = {}
        self.root = parse_html(html, self.problems) if isinstance(html, str) else html
        self._wrapper_title = wrapper_title(html) if isinstance(html, str) else ""
        self.meta = meta_tags(self.root)
        self.json_ld = json_ld(self.root)
        self.hidden = hidden_classes(style_texts(self.root))
        strip_non_content(self.root)

    # -- page furniture, found once ---------------------------------------------------

    @remembered_property
    def index(self) -> ElementIndex:
        """Ids and class names of the page, collected in one walk for every lookup that needs them."""
        return ElementIndex(self.root)

    @remembered_property
    def marked(self) -> dict[str, list[etree._Element]]:
        """Elements whose class/id mark them as title, date, source, author or pager, in page order."""
        found: dict[str, list[etree._Element]] = {kind: [] for kind in _MARKS}
        for element, marks in self.index.attributed:
            if len(marks) < 3:
                continue
            for kind in _kinds_marked(marks):
                found[kind].append(element)
        return found

    @remembered_property
    def document_title(self) -> str:
        """``<title>`` text (or og:title), which the on-page headline normally starts with."""
        title = next(self.root.iterdescendants("title"), None)  # half the cost of find(".//title")
        text = element_text(title) if title is not None else ""
        return text or clean_text(self.meta.get("og:title")) or clean_text(self._wrapper_title)

    @remembered_property
    def title_element(self) -> etree._Element | None:
        """The visible heading that best matches the document title (h1 preferred)."""
        reference = self.document_title
        best, best_score = None, 0.0
        for candidate, bonus in self._headline_candidates():
            # a title block also holding the dateline and source is judged by its headline part
            element = _narrowest_match(candidate, reference) if reference and len(candidate) else candidate
            text = element_text(element)
            if not 4 <= len(text) <= 120:
                continue
            score = bonus + (_match_score(text, reference) if reference else 0.5)
            if score > best_score:
                best, best_score = element, score
        return best if best_score >= 0.9 else None

    def _headline_text(self, element: etree._Element) -> str:
        """The headline in ``element``: its own text when children add dates and sources to it."""
        full = element_text(element)
        if not len(element):  # no children: its own text is all of it
            return full
        own = clean_text(_own_text(element))
        reference = self.document_title
        if len(own) >= 4 and own != full and reference and _match_score(own, reference) >= _match_score(full, reference):
            return own
        return full

    def _headline_candidates(self) -> Iterable[tuple[etree._Element, float]]:
        for element in self.root.iter(*_HEADING_BONUS):
            if not is_hidden(element, self.hidden):
                yield element, _HEADING_BONUS[element.tag]
        for element in self.marked["title"]:
            if element.tag in ("div", "span", "p", "td", "strong", "font", "b") and not is_hidden(element, self.hidden):
                yield element, 0.1

    @remembered_property
    def body_element(self) -> etree._Element | None:
        """The container with the most punctuated paragraph text, discounted by its share of link text."""
        scores: dict[etree._Element, float] = {}
        for element in self.root.iter("p", "div", "td", "section", "article", "font", "span", "text"):
            # what the element contributes, unfolded: all of a <p>, the direct text of containers
            raw = all_text(element) if element.tag == "p" else _own_text(element)
            # folding whitespace only shortens text and keeps its punctuation: most elements stop here
            if len(raw) < 10:
                continue
            punctuation = len(_PUNCTUATION.findall(raw))
            if not punctuation:
                continue
            text = clean_text(raw)
            if len(text) < 10:
                continue
            score = 1 + punctuation + min(len(text) / 100, 3)
            holder = element if element.tag in ("div", "td", "text") else element.getparent()
            if holder is None:
                continue
            scores[holder] = scores.get(holder, 0.0) + score
            grandparent = holder.getparent()
            if grandparent is not None:
                scores[grandparent] = scores.get(grandparent, 0.0) + score / 2
        if not scores:
            return None
        best, best_value = None, -1.0
        # the five best, as heapq.nlargest gives them (ties in page order); sorting a few scores is quicker
        for element, score in sorted(scores.items(), key=lambda item: item[1], reverse=True)[:5]:
            if score <= best_value:  # (1 - link density) <= 1: it cannot win, so skip its link count
                break
            value = score * (1 - link_density(element))
            if _in_reader_section(element) or _is_teaser_feed(element):
                value *= _READER_SECTION_WEIGHT
            if value > best_value:
                best, best_value = element, value
        return _with_sibling_paragraphs(_first_of_repeated_posts(best, scores), scores)

    @remembered_property
    def body_blocks(self) -> list[Block]:
        """Visible blocks of the body container, headline repeats, credits and widget lines removed."""
        if self.body_element is None:
            return []
        headings = {t for t in (self.title(), self.pretitle(), self.subtitle()) if t}
        kept = []
        for block in self._all_body_blocks:
            if block.kind != "img" and self._is_furniture_line(block.text, headings):
                continue
            kept.append(block)
        return kept

    def _is_furniture_line(self, text: str, headings: set[str]) -> bool:
        return (
            text in headings
            or labels.is_credit_line(text)
            or labels.is_print_edition_line(text)
            or _WIDGET_LINE.match(text) is not None
            or is_pager_line(text)
            or (len(text) <= 100 and _COPYRIGHT_START.search(text) is not None and _COPYRIGHT_LINE.search(text) is not None)
            or _is_dateline(text)
        )

    @remembered_property
    def body_lines(self) -> list[str]:
        return [b.text for b in self.body_blocks if b.kind != "img"]

    @remembered_property
    def _all_body_blocks(self) -> list[Block]:
        return body_blocks(self.body_element, self.hidden) if self.body_element is not None else []

    @remembered_property
    def raw_body_lines(self) -> list[str]:
        """Body lines before credit lines are removed (editor lines live there)."""
        return [b.text for b in self._all_body_blocks if b.kind != "img"]

    @remembered_property
    def after_title_text(self) -> str:
        """Visible text right after the headline: where datelines, sources and bylines sit."""
        if self.title_element is None:
            return ""
        return self._text_following(self.title_element, _DATELINE_WINDOW)

    @remembered_property
    def after_body_text(self) -> str:
        """Visible text right after the body: editor lines and closing credits."""
        if self.body_element is None:
            return ""
        return self._text_following(self.body_element, _AFTER_BODY_WINDOW)

    def _text_following(self, element: etree._Element, limit: int) -> str:
        """Lines of visible text after ``element``, up to ``limit`` characters; words set in
        inline elements stay on their line (``本贴由<b>大卫</b>于…发表`` is one credit line)."""
        pieces: list[str] = []
        size = 0
        absorbed: set[etree._Element] = set()
        for node in _following(element, self.hidden):
            if node in absorbed or node.getparent() in absorbed:
                absorbed.add(node)
                continue
            text = clean_text(_line_text(node, absorbed))
            if text:
                pieces.append(text)
                size += len(text)
                if size >= limit:
                    break
        return "\n".join(pieces)

    def _text_before_body(self) -> str:
        """The last lines of visible text before the body (a post's ``作者：X 时间：…`` line
        above its text when no headline was found), :data:`_BEFORE_BODY_LINES` at most."""
        body = self.body_element
        if body is None:
            return ""
        lines: list[str] = []
        absorbed: set[etree._Element] = set()
        walker = etree.iterwalk(self.root, events=("start",))
        for _, node in walker:
            if node is body:
                break
            if not isinstance(node.tag, str) or is_hidden(node, self.hidden):
                walker.skip_subtree()
                continue
            if node in absorbed or node.getparent() in absorbed:
                absorbed.add(node)
                continue
            if text := clean_text(_line_text(node, absorbed)):
                lines.append(text)
        return "\n".join(lines[-_BEFORE_BODY_LINES:])

    @remembered_property
    def page_text(self) -> str:
        """All text of the page, one text node a line (a cheap last resort for sources and dates)."""
        body = self.root.find("body")
        texts = (body if body is not None else self.root).itertext()
        pieces = (clean_text(t) for t in texts if not t.isspace())
        return "\n".join(piece for piece in pieces if piece)

    # -- one method per Article field --------------------------------------------------

    @field_method("title", None)
    def title(self) -> str | None:
        if self.title_element is not None:
            return self._without_site_name(self._headline_text(self.title_element))
        for item in self.json_ld:
            if isinstance(item.get("headline"), str) and item["headline"].strip():
                return clean_text(item["headline"])
        title = clean_text(self.meta.get("og:title")) or self.document_title
        return strip_site_suffix(title) or None

    def _without_site_name(self, headline: str) -> str:
        """``headline`` without a leading or trailing site name set off by ``-_|`` (``… | 示范网``,
        ``新华网_…``): the page's own name (og:site_name, application-name) or an outlet's name."""
        names = {clean_text(self.meta.get(key)) for key in ("og:site_name", "application-name")} - {""}
        stripped = headline
        while (match := _SITE_NAME_SUFFIX.search(stripped)) and match.start() > 0:
            name = match.group("name").strip()
            if name not in names and not labels.looks_like_outlet(name):
                break
            stripped = stripped[: match.start()].rstrip()
        while (match := _SITE_NAME_PREFIX.match(stripped)) and match.end() < len(stripped):
            name = match.group("name").strip()
            if name not in names and not labels.looks_like_outlet(name):
                break
            stripped = stripped[match.end() :].lstrip()
        return stripped or headline

    @field_method("pretitle", None)
    def pretitle(self) -> str | None:
        return self._neighbour_heading("preceding", _KICKER)

    @field_method("subtitle", None)
    def subtitle(self) -> str | None:
        return self._neighbour_heading("following", _SUBHEAD)

    def _neighbour_heading(self, direction: str, marks: re.Pattern[str]) -> str | None:
        """A kicker/sub-headline: the nearest sibling heading (or marked element) next to the headline."""
        if self.title_element is None:
            return None
        siblings = self.title_element.itersiblings(preceding=direction == "preceding")
        for sibling in itertools.islice(siblings, 2):
            if not isinstance(sibling.tag, str) or is_hidden(sibling, self.hidden):
                continue
            is_heading = sibling.tag in ("h2", "h3", "h4", "h5") or marks.search(
                f"{sibling.get('class') or ''} {sibling.get('id') or ''}"
            )
            if not is_heading:
                return None
            text = element_text(sibling)
            if text and len(text) <= 80 and not looks_like_date(text):
                return text
        return None

    @field_method("original_title", None)
    def original_title(self) -> str | None:
        body = self.body_element
        in_body = ""
        # every label (原标题, 原题为 …) starts with 原: a body without it is not worth splitting and cleaning
        if body is not None and "原" in all_text(body):
            # body text including hidden parts, one text node apart from the next: 原标题 often sits in a hidden element
            in_body = clean_text(" ".join(body.itertext()))
        for text in (in_body, self.after_title_text):
            found = labels.find_original_title(text)
            if found:
                return found
        return None

    @field_method("published", None)
    def published(self) -> FoundDate | None:
        """The dateline under the headline, else date metadata, else the date nearest the body
        (a post's date just above or below it, not a reply's or the footer's), else a marked
        date element, else any date."""
        found = self._dateline_under_headline()
        if found:
            return found
        found = self._metadata_date()
        if found:
            return found
        found = self._date_nearest_body()
        if found:
            return found
        for element in self.marked["date"]:
            found = first_date(element_text(element))
            if found:
                return found
        return first_date(self.after_body_text) or first_date(self.page_text)

    def _dateline_under_headline(self) -> FoundDate | None:
        """The first date after the headline outside the article's prose: a date in the
        body's sentences (``2016年4月14日，…``) is what the story tells, not when it was published."""
        prose = {line for line in self.body_lines if _SENTENCE_END.search(line) or "，" in line}
        for line in self.after_title_text.split("\n"):
            if line in prose or (len(line) > _DATELINE_CHARS and _SENTENCE_END.search(line)):
                continue
            found = first_date(line)
            if found:
                return found
        return None

    def _date_nearest_body(self) -> FoundDate | None:
        """A dateline line opening or closing the body (``发布时间 2005/03/15 22:36:13 by …``),
        else the date closest to the body's first or last line in the page's text, within
        :data:`_NEAR_BODY_CHARS` of it; ``None`` without a body."""
        lines = self.body_lines
        if not lines:
            return None
        for line in (*lines[:2], *lines[-2:]):
            if len(line) <= _DATELINE_CHARS and not _SENTENCE_END.search(line) and (found := first_date(line)):
                return found
        text = self.page_text
        start = text.find(lines[0][:15])
        end = text.find(lines[-1][:15], max(start, 0))
        if start < 0 or end < 0:
            return None
        end += len(lines[-1])
        best, best_gap = None, _NEAR_BODY_CHARS
        window = text[max(0, start - _NEAR_BODY_CHARS) : end + _NEAR_BODY_CHARS]
        offset = max(0, start - _NEAR_BODY_CHARS)
        for found in find_dates(window):
            position = offset + found.start
            gap = start - position if position < start else position - end if position >= end else None
            if gap is not None and gap < best_gap:
                best, best_gap = found, gap
        return best

    def _metadata_date(self) -> FoundDate | None:
        for item in self.json_ld:
            value = item.get("datePublished")
            if isinstance(value, str) and (found := parse_date_value(value)):
                return found
        for name in META_DATE_NAMES:
            if (value := self.meta.get(name)) and (found := parse_date_value(value)):
                return found
        return None

    @field_method("source", None)
    def source(self) -> str | None:
        """A labelled source near the headline, else an outlet named in the dateline, else labels further away."""
        for text in (self.after_title_text, self._marked_text("source")):
            found = labels.find_source(text)
            if found:
                return found
        found = self._dateline_outlet()
        if found:
            return found
        for text in (self.after_body_text, self.page_text):
            found = labels.find_source(text)
            if found:
                return found
        for text in self._marked_texts("source"):
            if labels.looks_like_outlet(text):
                return labels.find_outlet(text)
        return labels.find_source(self.meta.get("source", ""))

    def _dateline_outlet(self) -> str | None:
        """An unlabelled outlet name on the dateline or on a short line just before or after it."""
        lines = self.after_title_text.split("\n")[:_DATELINE_LINES]
        dated = next((i for i, line in enumerate(lines) if first_date(line)), None)
        if dated is None:
            return None
        for line in lines[: dated + 2]:
            if len(line) <= _DATELINE_CHARS and (found := labels.find_outlet(line)):
                return found
        return None

    @field_method("authors", list)
    def authors(self) -> list[str]:
        lines = self.body_lines
        regions = [self.after_title_text, self._marked_text("author"), *lines[:2], *lines[-2:], self.after_body_text]
        names = (
            _union(labels.find_authors(text) for text in regions)
            or self._marked_bare_names()
            or labels.find_authors(self._text_before_body())
        )
        if names:
            return names
        return (
            _union(labels.find_wire_authors(text) for text in [*lines[:1], *lines[-1:]])
            or self._name_under_headline()
            # the post's own credit line, nearest first: replies further down print the same grammar
            or next(filter(None, map(labels.find_poster, (*lines[-2:], self.after_body_text, self.after_title_text))), [])
        )

    def _name_under_headline(self) -> list[str]:
        """A name alone on the line right under the headline, as essays and columns print their
        writer (``犬儒病⏎胡平⏎正文…``); the headline may be the body's first line."""
        after = self.after_title_text.split("\n", 1)[0]
        lines = self.body_lines[:3]
        candidates = [after, *(lines[i + 1] for i in range(len(lines) - 1) if _is_heading_line(lines[i]))]
        return next(([name] for line in candidates if (name := labels.lone_name(line))), [])

    def _marked_bare_names(self) -> list[str]:
        """Names standing alone in an author-marked element (``<span id="author_baidu">王帆</span>``)."""
        names: list[str] = []
        for element in self.marked["author"][:6]:
            if _EDITOR_MARK.search(f"{element.get('class') or ''} {element.get('id') or ''}"):
                continue
            text = element_text(element)
            found = labels.split_names(text) if len(text) <= 30 else []
            if found and len("".join(found)) == len("".join(text.split())):
                names.extend(n for n in found if n not in names)
        return names

    @field_method("editors", list)
    def editors(self) -> list[str]:
        lines = self.raw_body_lines
        credit_lines = [line for line in lines if labels.is_credit_line(line)]
        regions = [*credit_lines, *lines[-3:], self.after_body_text, self._marked_text("author")]
        return _union(labels.find_editors(text) for text in regions)

    def _marked_text(self, kind: str) -> str:
        return "\n".join(self._marked_texts(kind))

    def _marked_texts(self, kind: str) -> list[str]:
        """Texts of the first few short elements marked ``kind`` (long ones are containers, not credits)."""
        texts = (element_text(e) for e in self.marked[kind][:12])
        return [t for t in texts if t and len(t) <= _MARKED_TEXT_LIMIT][:6]

    @field_method("breadcrumbs", list)
    def breadcrumbs(self) -> list[str]:
        """Link texts of the first short link trail joined by ``>``/``»``/``›`` separators."""
        title = self.title()
        for element in self.marked["crumbs"]:
            crumbs = _trail(element, title, marked=True)
            if crumbs:
                return crumbs
        seen: set[etree._Element] = set()
        for node in _separator_holders(self.root):
            for _ in range(3):
                if node is None or node in seen:
                    break
                seen.add(node)
                crumbs = _trail(node, title)
                if crumbs:
                    return crumbs
                node = node.getparent()
        return []

    @field_method("body", str)
    def body(self) -> str:
        return "\n".join(self.body_lines)

    @field_method("body_html", str)
    def body_html(self) -> str:
        parts = []
        for block in self.body_blocks:
            if block.kind == "img":
                parts.append(f'<img src="{_escape(join_url(self.url, block.src))}">')
            else:
                parts.append(f"<{block.kind}>{_escape(block.text)}</{block.kind}>")
        return "\n".join(parts)

    @field_method("images", list)
    def images(self) -> list[Image]:
        """Body images; the caption is the short centred line right after the image, if any."""
        images = []
        blocks = self.body_blocks
        for index, block in enumerate(blocks):
            if block.kind != "img":
                continue
            following = blocks[index + 1] if index + 1 < len(blocks) else None
            caption = None
            if following is not None and following.kind == "p" and following.centered and len(following.text) <= 80:
                caption = following.text
            images.append(Image(url=join_url(self.url, block.src), caption=caption or block.text or None))
        return images

    @field_method("page_urls", list)
    def page_urls(self) -> list[str]:
        """All pages of a paginated article, in order (this one included); ``[url]`` when not paginated."""
        numbered: dict[int, str] = {}
        for pager in self.marked["pager"]:
            for link in pager.iter("a"):
                match = _PAGE_NUMBER.match(element_text(link))
                href = (link.get("href") or "").strip()
                if match and href and not href.lower().startswith("javascript"):
                    numbered.setdefault(int(match.group(1)), join_url(self.url, href))
            if numbered:
                break
        if len(numbered) < 2:  # not paginated (and no need to canonicalize anything)
            return [self.url]
        own = canonicalize(self.url)
        same_article = {n: u for n, u in numbered.items() if canonicalize(u) == own or _same_stem(u, self.url)}
        if len(same_article) < 2:
            return [self.url]
        urls = [same_article[n] for n in sorted(same_article)]
        if canonicalize(urls[0]) == own:
            urls[0] = self.url
        return urls if self.url in urls or canonicalize(urls[0]) == own else [self.url, *urls]

    @field_method("canonical_url", str)
    def canonical_url(self) -> str:
        link = self.root.find(".//link[@rel='canonical']")
        href = (link.get("href") or "").strip() if link is not None else ""
        if href:
            absolute = join_url(self.url, href)
            if same_site(absolute, self.url):  # a page cannot claim another site's URL
                return absolute
        return self.url

    @field_method("script", lambda: "zh-Hans")
    def script(self) -> str:
        return detect_script(f"{self.title() or ''}{self.body()[:1000]}")

    # -- verdict and assembly ------------------------------------------------------------

    def is_article(self) -> tuple[bool, str]:
        """``(True, "")`` for an article page, else ``(False, reason)``: list, login or empty pages.

        The verdict is conservative: a page losing an article costs more than one keeping a
        list page, so a headline over a block of punctuated prose is an article whatever
        else the page carries (a login box in its header, a long related-news list).
        """
        body = self.body()
        if not body and len(self.root) < 2 and not self.root.findtext(".//body"):
            return False, "the page is empty"
        if not body or not _CHINESE_SENTENCE.search(body):
            return False, "no article text: the page has no block of punctuated sentences"
        if len(body) < _MIN_BODY_CHARS and not self._has_article_signals():
            return False, "too little text and no dateline, byline, source or editor near a headline"
        if self._is_prose_under_headline():
            return True, ""
        if self._is_login_form():
            return False, "a login page: it asks for a password and has little text"
        if self._looks_like_list():
            return False, "a list page: most of the page text is links"
        if self._looks_like_link_hub():
            return False, "an index of links (special topic, channel page): little prose among many links, no dateline or byline"
        if self.title() is None and self.published() is None:
            return False, "no headline and no date: not an article page"
        return True, ""

    def _is_prose_under_headline(self) -> bool:
        """A headline and, as body, a block of finished sentences that is not mostly links."""
        body = self.body()
        if len(body) < _PROSE_CHARS or len(_SENTENCE_END.findall(body)) < _PROSE_SENTENCES:
            return False
        if self.title_element is None or self.body_element is None:
            return False
        return link_density(self.body_element) < _PROSE_LINK_SHARE

    def _is_login_form(self) -> bool:
        """A password field and, as text, less than a short paragraph of finished sentences.

        A forum post or a short article under a site's login box is prose: twice the
        prose a headline needs, with no headline to lean on.
        """
        body = self.body()
        if len(body) >= 300 or not any(_PASSWORD.search(i.get("type") or "") for i in self.root.iter("input")):
            return False
        return len(body) < 2 * _PROSE_CHARS or len(_SENTENCE_END.findall(body)) < 2 * _PROSE_SENTENCES

    def _looks_like_link_hub(self) -> bool:
        """Short prose inside a block made mostly of links, with nothing that marks an article.

        Special-topic pages live at article-like URLs and carry an intro line; a short
        real article still has a dateline, a byline, a source or an editor, so those
        signals keep it an article however many related links surround it.
        """
        if self.body_element is None or len(self.body()) >= _HUB_MAX_PROSE:
            return False
        holder = self.body_element.getparent()
        if link_density(holder if holder is not None else self.body_element) < _HUB_LINK_SHARE:
            return False
        return not self._has_article_signals()

    def _has_article_signals(self) -> bool:
        """A dateline, source or byline right under the headline, a date meta tag, or an editor line."""
        near = self.after_title_text
        return bool(
            first_date(near) or self._metadata_date() or labels.find_source(near)
            or labels.find_authors(near) or self.editors()
        )

    def _looks_like_list(self) -> bool:
        """Many headline-sized links (12+ characters) for little body text: a list page.

        That is 40 such links, more than one per 40 body characters, and no date; or 60
        with under 600 body characters. Counting links is the costly part, so it is
        skipped when no count could decide it and stops at the count that does.
        """
        if self.body_element is None:
            return True
        if self._is_one_of_posts():
            return False
        body_chars = len(self.body())
        thresholds = [60] if body_chars < 600 else []
        if self.published() is None:
            thresholds.append(max(40, body_chars // 40 + 1))
        if not thresholds:
            return False
        needed = min(thresholds)
        headline_links = 0
        for link in self.root.iter("a"):
            if _has_visible_length(link, 12):
                headline_links += 1
                if headline_links >= needed:
                    return True
        return False

    def _is_one_of_posts(self) -> bool:
        """The body is one of :data:`_POSTS_MIN` or more blocks of its tag and class that each
        hold finished sentences: a page of posts (a blog's month, a thread), whose archive
        links do not make it a list page."""
        body, mark = self.body_element, self.body_element.get("class") if self.body_element is not None else None
        if body is None or not mark:
            return False
        posts = 0
        for element in self.root.iter(body.tag):
            if element.get("class") == mark and len(_SENTENCE_END.findall(all_text(element))) >= _PROSE_SENTENCES:
                posts += 1
        return posts >= _POSTS_MIN

    def to_article(self) -> Article:
        """All fields read into one :class:`Article`; per-field failures are listed in ``problems``."""
        published = self.published()
        host = (urlsplit(self.url).hostname or "").lower()
        article = Article(
            url=self.url,
            canonical_url=self.canonical_url(),
            site=self.site or registrable_domain(host),
            template=self.template,
            breadcrumbs=self.breadcrumbs(),
            title=self.title(),
            pretitle=self.pretitle(),
            subtitle=self.subtitle(),
            original_title=self.original_title(),
            published_at=published.iso if published else None,
            published_at_raw=published.raw if published else None,
            published_precision=published.precision if published else None,
            source=self.source(),
            authors=self.authors(),
            editors=self.editors(),
            body=self.body(),
            body_html=self.body_html(),
            images=self.images(),
            page_urls=self.page_urls(),
            script=self.script(),
            encoding=self.encoding,
        )
        article.pages = max(1, len(article.page_urls))
        for problem in self.problems:
            article.add_problem(problem.kind, problem.detail, problem.field)
        if not article.title:
            article.add_problem("no_title", "no headline found: no heading matches the page title", "title")
        if not published:
            article.add_problem("no_date", "no dateline near the headline and no date metadata", "published_at")
        if not article.body:
            article.add_problem("no_body", "no block of article text found", "body")
        return article


# -- small helpers shared by site templates -----------------------------------------------


def element_text(element: etree._Element) -> str:
    """Visible-ish text of an element, whitespace folded."""
    return clean_text(all_text(element))


def crumb_texts(trail: etree._Element) -> list[str]:
    """The link texts of a breadcrumb trail, without the separators some sites put inside
    the links (``新华网>``) and without empty links (logos, placeholders)."""
    return [text for a in trail.iter("a") if (text := _CRUMB_EDGE.sub("", element_text(a)))]


def strip_site_suffix(title: str) -> str:
    """``"Headline--人民网_人民网"`` → ``"Headline"``: short trailing segments are site and channel names."""
    title = title.strip().rstrip("-—_|｜– ")
    while (match := _TITLE_SUFFIX.search(title)) and match.start() > len(match.group()):
        title = title[: match.start()].rstrip("-—_|｜– ")
    while (match := _TITLE_PREFIX.match(title)) and match.end() < len(title):
        title = title[match.end() :]
    return title.strip()


@functools.lru_cache(maxsize=1024)
def registrable_domain(host: str) -> str:
    """``js.people.com.cn`` → ``people.com.cn``; ``www.he.news.cn`` → ``news.cn`` (two-level Chinese suffixes aware).

    An IP address or ``localhost`` (local replicas, test servers) is its own site. Cached:
    a crawl asks about the same few hosts on every page, and parsing an IP address is slow.
    """
    if host == "localhost" or _is_ip_address(host):
        return host
    labels_ = [p for p in host.split(".") if p]
    if len(labels_) >= 3 and labels_[-2] in ("com", "net", "org", "gov", "edu", "ac") and len(labels_[-1]) == 2:
        return ".".join(labels_[-3:])
    return ".".join(labels_[-2:])


def _is_ip_address(host: str) -> bool:
    try:
        ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    return True


@functools.lru_cache(maxsize=4096)
def _match_score(text: str, reference: str) -> float:
    """How well ``text`` is the headline of ``reference`` (the <title>): inside it, and covering most of it.

    Cached: the headline search scores the same texts against the same title from
    nested candidates, and the sequence matching is the costly part.
    """
    if text in reference:
        size = len(text)
    elif set(text).isdisjoint(reference):  # not a character in common (kickers, datelines): nothing to match
        size = 0
    else:
        matcher = _title_matcher(reference)
        matcher.set_seq1(text)
        size = matcher.find_longest_match(0, len(text), 0, len(reference)).size
    return size / len(text) + size / max(len(reference), 1)


@functools.lru_cache(maxsize=16)
def _title_matcher(reference: str) -> SequenceMatcher:
    """A matcher with ``reference`` indexed once: every headline candidate of a page is compared with
    the same <title>, and indexing it was half the cost of a comparison. Callers set the other
    sequence right before matching (extraction runs in one thread)."""
    return SequenceMatcher(None, "", reference, autojunk=False)


def _narrowest_match(element: etree._Element, reference: str) -> etree._Element:
    """The descendant that is the headline itself when ``element`` also holds its dateline and source."""
    text = element_text(element)
    if not text:
        return element
    score = _match_score(text, reference)
    while True:
        texts = ((c, element_text(c)) for c in element if isinstance(c.tag, str))
        scored = [(_match_score(t, reference), c) for c, t in texts if t]
        if not scored:
            return element
        best_score, best = max(scored, key=lambda item: item[0])
        if best_score < score:
            return element
        element, score = best, best_score


@functools.lru_cache(maxsize=8192)
def _kinds_marked(marks: str) -> tuple[str, ...]:
    """Which furniture kinds a class/id string marks; cached, as pages (and sites) repeat their class names.

    Most strings mark nothing, and one search for any mark settles those on a site's first pages.
    """
    if not _ANY_MARK.search(marks):
        return ()
    return tuple(kind for kind, pattern in _MARKS.items() if pattern.search(marks))


def _has_visible_length(element: etree._Element, size: int) -> bool:
    """Whether ``element`` has at least ``size`` characters of text besides whitespace (cheaper than
    :func:`element_text` for counting; most links are ruled out by their raw length)."""
    text = all_text(element)
    return len(text) >= size and len("".join(text.split())) >= size


def _line_text(element: etree._Element, absorbed: set[etree._Element]) -> str:
    """``element``'s own text with the text of its inline children (``<b>``, ``<a>``, ``<font>``…)
    in place, space-separated; those children join ``absorbed``."""
    text = element.text or ""
    for child in element:
        if child.tag in _INLINE_TAGS and not len(child):
            absorbed.add(child)
            text += f" {child.text or ''} "
        tail = child.tail
        if tail:
            text += tail
    return text


def _own_text(element: etree._Element) -> str:
    """Text directly in ``element`` (its text and its children's tails), not in its children."""
    text = element.text or ""
    for child in element:
        tail = child.tail
        if tail:
            text += tail
    return text


def _following(element: etree._Element, hidden: frozenset[str]) -> Iterator[etree._Element]:
    """Visible elements after ``element`` in document order (not its descendants); hidden subtrees are pruned.

    Each following sibling's subtree is walked by lxml's ``iterwalk`` (in C), which prunes with ``skip_subtree``.
    """
    node: etree._Element | None = element
    while node is not None:
        for sibling in node.itersiblings():
            walker = etree.iterwalk(sibling, events=("start",))
            for _, current in walker:
                if not isinstance(current.tag, str) or is_hidden(current, hidden):
                    walker.skip_subtree()
                    continue
                yield current
        node = node.getparent()


def _separator_holders(root: etree._Element) -> Iterator[etree._Element]:
    """Per text of ``<body>`` holding a separator, in document order, its element (for a tail, the
    element it follows, as lxml's ``getparent`` of a tail text answers).

    A lazy walk, so the search stops at the trail, which sits near the top of a page; an
    XPath over every text node cost a millisecond a page whether a trail was found or not.
    """
    body = root.find("body")
    if body is None:
        return
    for event, element in etree.iterwalk(body, events=("start", "end")):
        text = element.text if event == "start" else element.tail if element is not body else None
        if text and _SEPARATOR.search(text):
            yield element


def _trail(element: etree._Element, title: str | None, *, marked: bool = False) -> list[str]:
    """Link texts of ``element`` if everything else in it is separators, a location label, 正文 or the title.

    Without a location label (当前位置：) or a breadcrumb class (``marked``), a separator
    between the links is what tells a trail from any short run of links.
    """
    links = [a for a in element.iter("a")]
    if not 1 <= len(links) <= 10:
        return []
    texts = [_CRUMB_EDGE.sub("", element_text(a)) for a in links]
    rest = _CRUMB_EDGE.sub("", clean_text(all_text(element)))
    if texts[-1] and rest.rfind(texts[-1]) >= 0:
        tail = rest[rest.rfind(texts[-1]) + len(texts[-1]) :]
        if len(tail) <= _CRUMB_TAIL_LIMIT:
            rest = rest[: len(rest) - len(tail)]  # the current page, named without a link
    for text in texts:
        rest = rest.replace(text, "", 1)
    led = _CRUMB_LEAD.match(rest) is not None
    rest = _CRUMB_LEAD.sub("", rest)
    if title:
        rest = rest.replace(title, "")
    rest = rest.replace("正文", "")
    if not _CRUMB_SEPARATORS.match(rest) or not (rest.strip() or led or marked):
        return []
    crumbs = [t for t in texts if t and t != title]
    if not crumbs or sum(map(len, crumbs)) / len(crumbs) > 12:
        return []
    return crumbs


def _with_sibling_paragraphs(best: etree._Element | None, scores: dict[etree._Element, float]) -> etree._Element | None:
    """``best``'s parent when ``best`` is one of several prose blocks side by side (a page that
    writes every paragraph as its own ``<div>``) and the parent is not a link list; else ``best``."""
    parent = best.getparent() if best is not None else None
    if parent is None or parent.tag == "body" or best.tag not in ("div", "td"):
        return best
    siblings = [scores[child] for child in parent if child is not best and child in scores and not _is_reader_marked(child)]
    if len(siblings) < 2 or sum(siblings) < scores[best] / 2 or link_density(parent) >= _SIBLING_LINK_SHARE:
        return best
    return parent


def _first_of_repeated_posts(best: etree._Element | None, scores: dict[etree._Element, float]) -> etree._Element | None:
    """The first post when ``best`` is one of several posts a page prints one after another
    (a blog's archive of the month, a thread): blocks of the same tag and class, each a few
    sentences of prose of its own and outside comment or feed sections. Such a page is the
    address of its newest (first) post; the longest one is only an older entry further down."""
    mark = best.get("class") if best is not None else None
    if best is None or not mark or best.tag not in ("div", "td"):
        return best
    posts = [
        element
        for element in best.getroottree().iter(best.tag)
        if element.get("class") == mark and scores.get(element, 0.0) >= _POST_MIN_SCORE and not _in_reader_section(element)
    ]
    if len(posts) < _POSTS_MIN or posts[0] is best or link_density(posts[0]) >= _SIBLING_LINK_SHARE:
        return best
    return posts[0]


def _in_reader_section(element: etree._Element) -> bool:
    """Whether ``element`` sits in (or is) a comment thread, a reply list or a recommendation
    feed, going by the class and id words pages give them (``comments``, ``reply``, ``pinglun``,
    ``recommend``, ``feed``) or an ``<aside>``."""
    return any(_is_reader_marked(node) for node in itertools.chain((element,), element.iterancestors()))


def _is_reader_marked(node: etree._Element) -> bool:
    if node.tag == "aside":
        return True
    marks = f"{node.get('class') or ''} {node.get('id') or ''}"
    return len(marks) > 1 and _READER_SECTION.search(marks) is not None


def _is_teaser_feed(element: etree._Element) -> bool:
    """A feed of other stories: at least :data:`_FEED_MIN_ITEMS` headline-sized links (8+
    characters), no more than a teaser's worth of other text each and no paragraph longer
    than a teaser. An article links a word here and there, or ends in a related list under
    paragraphs of its own."""
    headline_links, link_chars = 0, 0
    for link in element.iter("a"):
        text = "".join(all_text(link).split())
        link_chars += len(text)
        headline_links += len(text) >= 8
    if headline_links < _FEED_MIN_ITEMS:
        return False
    other = len("".join(all_text(element).split())) - link_chars
    if other > headline_links * _FEED_TEASER_CHARS:
        return False
    return not any(len(text) > _FEED_TEASER_CHARS and len(text.strip()) > _FEED_TEASER_CHARS for text in element.itertext())


def _is_heading_line(text: str) -> bool:
    """A short line without sentence punctuation: a headline or section title."""
    return len(text) <= 30 and _SENTENCE_END.search(text) is None and "，" not in text


def _is_dateline(text: str) -> bool:
    """A short line that starts with a date (``2022年02月13日07:48 | 来源：…``), not a
    sentence that does (``2016年4月14日，这家厂停产。``).

    Every body line is asked, so a line without a year's first digit (1 or 2, perhaps
    full-width) in its first six characters, where such a date starts, is ruled out first.
    """
    if len(text) > 80 or _YEAR_START.search(text, 0, 6) is None or "，" in text or "。" in text:
        return False
    found = first_date(text[:30])
    return found is not None and found.start <= 5


def _same_stem(a: str, b: str) -> bool:
    """Two URLs of pages of one article share the host and the path up to a ``-2``/``_2`` page suffix
    (a "next page" on another host, or a ``file:`` URL, is someone else's page, never ours to merge)."""
    pa, pb = urlsplit(a), urlsplit(b)
    return (canonical_host(pa.hostname or ""), pa.port) == (canonical_host(pb.hostname or ""), pb.port) \
        and _PAGE_STEM.sub("", pa.path) == _PAGE_STEM.sub("", pb.path)


def _union(groups: Iterable[list[str]]) -> list[str]:
    names: list[str] = []
    for group in groups:
        names.extend(n for n in group if n not in names)
    return names


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
