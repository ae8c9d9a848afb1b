"""The one Article schema every stage speaks.

Spiders and site parsers produce :class:`Article`; pipelines validate, normalise,
deduplicate and store it; nothing else defines article fields. Each field says its
format, so exports and downstream tools can rely on it (in the spirit of
zyte-common-items' ``Article``): raw and normalised twins are kept side by side
(``published_at`` / ``published_at_raw``; published text / ``simplified``) so that
what the page said is never lost.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any

#: Reasons a parser may record in :attr:`Article.problems`. Pipelines count them per kind.
PROBLEM_KINDS = (
    "no_title",  # no headline could be found
    "no_date",  # no dateline and no date meta tag
    "bad_date",  # a dateline was found but could not be read as a date
    "no_body",  # no article text found
    "short_body",  # body shorter than the validator's minimum: maybe truncated
    "encoding",  # bytes were not valid in any candidate encoding; replacement characters used
    "truncated",  # HTML ended before </html>/</body>, or a page of a multi-page article was missing
    "page_missing",  # one page of a multi-page article could not be fetched
    "parse_error",  # the parser raised on this page; the item holds what was read before
    "oversized",  # the page was larger than NEWSARCHIVE_PAGE_MAXSIZE and was kept cut to that size
    "bad_characters",  # NUL or unpaired surrogate characters removed: no database stores them
    "over_long",  # a value longer than its archive column (a URL, a name) left out
    "parser_limit",  # libxml2 hit a resource limit (nesting depth) reading the page; text may be missing
)


@dataclass(slots=True)
class Problem:
    """Something the parser or a pipeline could not read, and why.

    ``kind`` is one of :data:`PROBLEM_KINDS`; ``field`` names the Article field concerned
    (or ``None`` for the whole page); ``detail`` is a human sentence for the operator.
    """

    kind: str
    detail: str
    field: str | None = None


@dataclass(slots=True)
class Image:
    """An image inside the article body.

    ``url`` is absolute (resolved against the page URL); ``caption`` is the caption text
    as published (the image's own caption element, or a caption paragraph right after
    it), ``None`` when the page shows none.
    """

    url: str
    caption: str | None = None


@dataclass(slots=True)
class Article:
    """One news article, possibly assembled from several pages.

    Text fields hold the text *as published* (Traditional stays Traditional); their
    OpenCC Simplified forms live in :attr:`simplified`. Lists are ordered as on the page.
    """

    #: URL of the first page as fetched (after redirects), absolute.
    url: str
    #: The article's identity URL: the site's ``<link rel=canonical>`` when it points to the
    #: same article, else :attr:`url`, canonicalised (scheme, host case, tracking parameters
    #: and page suffixes such as ``-2.html`` removed).
    canonical_url: str = ""
    #: Registrable site name, e.g. ``people.com.cn``, ``xhby.net``; for the replica, the
    #: site it imitates.
    site: str = ""
    #: Name of the site template (parser) that read the page, e.g. ``people``, ``generic``.
    template: str = ""
    #: Breadcrumb / navigation path link texts, e.g. ``["人民网", "江苏频道", "江苏要闻"]``.
    breadcrumbs: list[str] = field(default_factory=list)
    #: Headline as displayed, without a site-name suffix such as ``--人民网``.
    title: str | None = None
    #: Kicker line above the headline (引题), or ``None``.
    pretitle: str | None = None
    #: Sub-headline below the headline (副题), or ``None``.
    subtitle: str | None = None
    #: Text after ``原标题：`` / ``原標題:``, or ``None``.
    original_title: str | None = None
    #: Publication time, ISO 8601 with UTC offset (``2022-02-13T07:48:00+08:00``); Asia/Shanghai
    #: (+08:00) when the page gives no zone; ``T00:00:00`` when only a day is shown.
    published_at: str | None = None
    #: The dateline text the time was read from, exactly as on the page.
    published_at_raw: str | None = None
    #: What the dateline shows: ``"second"``, ``"minute"``, ``"day"`` or ``None``.
    published_precision: str | None = None
    #: Publishing source named after 来源/來源/稿源/出处, without the label.
    source: str | None = None
    #: Credited writers (记者, 作者, 文/, 通讯员 …), bare names, no roles; photographers excluded.
    authors: list[str] = field(default_factory=list)
    #: Names after 责编/责任编辑/編輯/编辑, bare names, split on 、，,/ and spaces.
    editors: list[str] = field(default_factory=list)
    #: Article text: paragraphs in order, each trimmed, joined with ``"\n"``. All pages of a
    #: multi-page article, in page order. No dateline, editor line, widgets or footers.
    body: str = ""
    #: The body as cleaned HTML (``<p>``, ``<img>``, ``<h2>``–``<h4>``, ``<figure>`` only).
    body_html: str = ""
    #: Images in the body with their captions, in page order.
    images: list[Image] = field(default_factory=list)
    #: How many pages the article spans on the site (1 when not paginated).
    pages: int = 1
    #: URLs of every page of the article, in page order (first is :attr:`url`).
    page_urls: list[str] = field(default_factory=list)
    #: Printed-edition page (版次 and 版名, e.g. ``"第1版：要闻"``) for e-paper articles, else ``None``.
    printed_page: str | None = None
    #: ``"zh-Hans"`` or ``"zh-Hant"``: the script the text is written in.
    script: str = "zh-Hans"
    #: Character encoding the page bytes were decoded with (``utf-8``, ``gb18030``, ``big5`` …).
    encoding: str | None = None
    #: When the first page was fetched, ISO 8601 in UTC.
    fetched_at: str | None = None
    #: SHA-256 hex digests of the raw bytes of every page, in page order; they link the
    #: article to its raw captures.
    page_digests: list[str] = field(default_factory=list)
    #: OpenCC t2s Simplified forms of the text fields (``title``, ``pretitle``, ``subtitle``,
    #: ``original_title``, ``source``, ``body``, ``authors``, ``editors``), filled by the
    #: normalise pipeline; matching and search use these, display uses the originals.
    simplified: dict[str, Any] = field(default_factory=dict)
    #: What could not be read, with reasons (see :class:`Problem`).
    problems: list[Problem] = field(default_factory=list)

    def add_problem(self, kind: str, detail: str, field: str | None = None) -> None:
        """Record a problem once: the same kind on the same field is not repeated."""
        if not any(p.kind == kind and p.field == field for p in self.problems):
            self.problems.append(Problem(kind=kind, detail=detail, field=field))

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready dict with the schema's field names (used by ``parse``, exports and
        every stored version). Equal to ``dataclasses.asdict`` (lists and dicts are copies),
        written out because the store pipeline calls it for every new text and ``asdict``'s
        generic recursion cost more than the rest of building a version row."""
        data = {name: getattr(self, name) for name in _ARTICLE_FIELDS}
        for name in ("breadcrumbs", "authors", "editors", "page_urls", "page_digests"):
            data[name] = list(data[name])
        data["images"] = [_plain(image) for image in self.images]
        data["problems"] = [_plain(problem) for problem in self.problems]
        data["simplified"] = {k: list(v) if isinstance(v, list) else v for k, v in self.simplified.items()}
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Article:
        """Inverse of :meth:`to_dict`; unknown keys are ignored so old spools stay readable."""
        known = {f for f in cls.__dataclass_fields__}
        values = {k: v for k, v in data.items() if k in known}
        values["images"] = [Image(**i) if isinstance(i, dict) else i for i in values.get("images", [])]
        values["problems"] = [Problem(**p) if isinstance(p, dict) else p for p in values.get("problems", [])]
        return cls(**values)


def _plain(value: Image | Problem | dict[str, Any]) -> dict[str, Any]:
    """An image or problem as a new dict (items built from plain data may hold dicts already)."""
    if isinstance(value, Image):
        return {"url": value.url, "caption": value.caption}
    if isinstance(value, Problem):
        return {"kind": value.kind, "detail": value.detail, "field": value.field}
    return dict(value)


#: Field names of :class:`Article`, in schema order (the keys of :meth:`Article.to_dict`).
_ARTICLE_FIELDS = tuple(f.name for f in fields(Article))


@dataclass(slots=True)
class NotArticle:
    """Verdict for a page that is not an article (list page, login page, binary, empty).

    ``reason`` says why in a sentence; the spider counts these and moves on.
    """

    url: str
    reason: str

    @property
    def kind(self) -> str:
        """The reason's head, short enough to count by (``a list page``, ``a login page``)."""
        return self.reason.split(":", 1)[0].split("(", 1)[0].strip()[:60] or "unknown"


@dataclass(slots=True)
class Capture:
    """One HTTP response exactly as fetched, for the raw archive (and WARC export).

    Emitted by :class:`crawler.contrib.scrapy.middlewares.capture.CaptureMiddleware` for every response the
    spider sees, so raw pages flow through the pipelines like articles do.
    """

    #: URL as fetched (after redirects).
    url: str
    #: When the response arrived, ISO 8601 in UTC.
    fetched_at: str
    #: HTTP status code.
    status: int
    #: Response headers as ``[name, value]`` pairs, in order, decoded as latin-1.
    headers: list[list[str]]
    #: Body bytes as received after transfer decoding (gzip etc. removed).
    body: bytes
    #: SHA-256 hex digest of :attr:`body`.
    digest: str
    #: Request method and headers as sent, for WARC request records.
    request_method: str = "GET"
    request_headers: list[list[str]] = field(default_factory=list)
