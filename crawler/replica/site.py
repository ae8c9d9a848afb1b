"""The replica site: every page of an imitation js.people.com.cn channel, plus ground truth.

:func:`build_site` lays out ``articles`` generated articles (dates 2020-03 … 2020-05)
over channel list pages under ``/GB/{node}/``, and adds the awkward cases a crawler
meets on the real site: multi-page articles, GBK bytes, UTF-8 pages that claim GB2312,
a Traditional-script ``/big5/`` mirror, a dead link, an article without a dateline and a
special-topic index whose URL looks like an article's. :class:`ExpectedArticle` records
what a perfect crawl should archive for each article page, so tests can score it.

Every choice is drawn from generators seeded by ``seed``; each article gets its own
generator, so the same seed always gives the same bytes.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime

from crawler.replica.content import (
    ArticleContent,
    Block,
    generate_article,
    headline,
    to_traditional,
    traditional_content,
)
from crawler.replica.pages import LazyPages, ReplicaPage
from crawler.replica.templates import (
    CURRENT,
    OLDER,
    ArticleLayout,
    render_article_page,
    render_error_page,
    render_link_page,
    render_list_page,
)

HOST = "js.people.com.cn"
COLUMN = "江苏要闻"
LIST_PAGE_SIZE = 20
MIN_ARTICLES = 20
ROBOTS_TXT = b"User-agent: *\nDisallow: /admin/\n"
#: First and last possible publication minute (local time, Asia/Shanghai).
FIRST_DAY = datetime(2020, 3, 1, 6, 0)
LAST_DAY = datetime(2020, 5, 31, 22, 0)
#: A valid 1×1 transparent PNG served for every image in article bodies.
PIXEL_PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
)

#: Byte encodings of article pages: (python codec, charset the page declares).
UTF8 = ("utf-8", "UTF-8")
GBK = ("gbk", "GB2312")
UTF8_CLAIMING_GB = ("utf-8", "GB2312")
BIG5 = ("big5", "big5")


@dataclass(slots=True)
class ExpectedArticle:
    """Ground truth for one article as it should be archived (fields as in ``crawler.items.Article``).

    ``paths`` are the site paths of all its pages in order. ``body`` joins the body
    paragraphs with ``"\\n"``; as in the corpus labelling rules, bylines the reader sees
    inside the text and caption paragraphs are part of it. ``images`` are (path,
    caption) pairs. ``encoding`` is the real byte encoding (``utf-8``, ``gbk`` — read it
    as gb18030 — or ``big5``), ``declared_charset`` what the page and the
    ``Content-Type`` header claim. ``kind`` is ``"article"`` or ``"no_dateline"`` (no
    dateline, no date or source meta: ``published_at`` and ``source`` are None).
    ``mirror_of`` is the path of the Simplified article a ``/big5/`` page mirrors.
    """

    paths: list[str]
    title: str
    pretitle: str | None
    subtitle: str | None
    original_title: str | None
    published_at: str | None
    published_precision: str | None
    source: str | None
    authors: list[str]
    editors: list[str]
    breadcrumbs: list[str]
    body: str
    images: list[tuple[str, str | None]]
    pages: int
    script: str
    encoding: str
    declared_charset: str
    template: str
    kind: str = "article"
    mirror_of: str | None = None

    @property
    def path(self) -> str:
        """Path of the first page."""
        return self.paths[0]


@dataclass(slots=True)
class ReplicaSite:
    """Pages keyed by URL path, with the ground truth a crawl of them should produce.

    ``articles`` lists canonical articles newest first, then the ``/big5/`` mirrors.
    ``missing_paths`` are linked from list pages but answer 404; ``non_articles`` maps
    HTML pages that are not articles to the reason (list pages, the special-topic index…).
    """

    seed: int
    channel_node: str
    variant: str
    pages: LazyPages = field(default_factory=LazyPages)
    articles: list[ExpectedArticle] = field(default_factory=list)
    list_pages: list[str] = field(default_factory=list)
    missing_paths: list[str] = field(default_factory=list)
    non_articles: dict[str, str] = field(default_factory=dict)
    host: str = HOST

    @property
    def start_path(self) -> str:
        """Where a crawl of the channel starts: its first list page."""
        return self.list_pages[0]

    @property
    def canonical_articles(self) -> list[ExpectedArticle]:
        return [a for a in self.articles if a.mirror_of is None]

    @property
    def mirrors(self) -> list[ExpectedArticle]:
        return [a for a in self.articles if a.mirror_of is not None]

    def article_at(self, path: str) -> ExpectedArticle | None:
        """The article one of whose pages is at ``path``, or None."""
        return next((a for a in self.articles if path in a.paths), None)

    def summary(self) -> dict[str, int]:
        """Counts an operator wants to see before crawling (``newsarchive replica list``)."""
        canonical = self.canonical_articles
        return {
            "articles": len(canonical),
            "article pages": sum(a.pages for a in canonical),
            "list pages": len(self.list_pages),
            "multi-page articles": sum(a.pages > 1 for a in canonical),
            "gbk articles": sum(a.encoding == "gbk" for a in canonical),
            "utf-8 articles declaring gb2312": sum(
                a.encoding == "utf-8" and a.declared_charset == "GB2312" for a in canonical
            ),
            "older-template articles": sum(a.template == OLDER for a in canonical),
            "mirror articles": len(self.mirrors),
            "big5 mirrors": sum(a.encoding == "big5" for a in self.mirrors),
            "no-dateline articles": sum(a.kind == "no_dateline" for a in canonical),
            "dead links": len(self.missing_paths),
            "pages served": len(self.pages),
        }


def http_date(local: datetime) -> str:
    """RFC 7231 date for a naive Asia/Shanghai time."""
    return format_datetime((local - timedelta(hours=8)).replace(tzinfo=timezone.utc), usegmt=True)


def html_page(text: str, codec: str, charset: str, modified: datetime | None = None) -> ReplicaPage:
    """Encode ``text`` with ``codec`` and label it with ``charset`` (which may be a lie)."""
    headers = {"Last-Modified": http_date(modified)} if modified else {}
    return ReplicaPage(200, f"text/html; charset={charset}", text.encode(codec), headers)


def _split_pages(blocks: tuple[Block, ...], count: int) -> tuple[tuple[Block, ...], ...]:
    """Cut the body into ``count`` runs of blocks of roughly equal text length."""
    sizes = [len(b) if isinstance(b, str) else 20 for b in blocks]
    total, pages, current, done = sum(sizes), [], [], 0
    for block, size in zip(blocks, sizes):
        current.append(block)
        done += size
        if len(pages) < count - 1 and done >= total * (len(pages) + 1) / count:
            pages.append(tuple(current))
            current = []
    pages.append(tuple(current))
    return tuple(p for p in pages if p)


@dataclass(slots=True)
class _Planned:
    """An article with its layout, before rendering."""

    content: ArticleContent
    layout: ArticleLayout
    codec: str
    kind: str


def _expected(plan: _Planned, script: str = "zh-Hans", mirror_of: str | None = None) -> ExpectedArticle:
    content, layout = plan.content, plan.layout
    dated = layout.dateline
    return ExpectedArticle(
        paths=list(layout.page_paths),
        title=content.title,
        pretitle=content.pretitle,
        subtitle=content.subtitle,
        original_title=content.original_title,
        published_at=content.published.strftime("%Y-%m-%dT%H:%M:00+08:00") if dated else None,
        published_precision="minute" if dated else None,
        source=content.source if dated else None,
        authors=list(content.authors),
        editors=list(content.editors),
        breadcrumbs=[text for text, _ in layout.breadcrumbs],
        body="\n".join(content.body_paragraphs()),
        images=[(f.src, f.caption) for f in content.figures()],
        pages=len(layout.page_paths),
        script=script,
        encoding=plan.codec,
        declared_charset=layout.charset,
        template=layout.template,
        kind=plan.kind,
        mirror_of=mirror_of,
    )


def _list_date(plan: _Planned) -> str:
    """Date as list pages show it, e.g. ``2020年04月12日``."""
    return f"{plan.content.published:%Y年%m月%d日}"


class _Builder:
    """Builds the ``normal`` site; variants then edit the result (see ``variants``)."""

    def __init__(self, seed: int, count: int, node: str) -> None:
        self.seed, self.count, self.node = seed, count, node
        self.rng = random.Random(f"replica:{seed}")
        self.site = ReplicaSite(seed=seed, channel_node=node, variant="normal")
        self.breadcrumbs = (
            ("人民网", "http://www.people.com.cn/"),
            ("江苏频道", "/"),
            (COLUMN, f"/GB/{node}/index.html"),
        )

    def build(self) -> ReplicaSite:
        plans = self._plan_articles()
        for plan in plans:
            self._add_article(plan)
        newest_first = plans[::-1]
        mirrors = self._add_mirrors(newest_first)
        topic = self._add_topic_page(newest_first)
        self._add_list_pages(newest_first, mirrors, topic)
        self._add_fixed_pages(newest_first)
        self.site.articles = [_expected(p) for p in newest_first] + mirrors
        return self.site

    # -- articles ---------------------------------------------------------------------

    def _timeline(self) -> list[tuple[datetime, int]]:
        """Sorted publication minutes with increasing 8-digit content ids."""
        span = int((LAST_DAY - FIRST_DAY).total_seconds() // 60)
        minutes = sorted(self.rng.randrange(span) for _ in range(self.count))
        content_id, out = 31_600_000, []
        for minute in minutes:
            content_id += self.rng.randint(20, 400)
            out.append((FIRST_DAY + timedelta(minutes=minute), content_id))
        return out

    def _article_path(self, when: datetime, content_id: int) -> str:
        return f"/n2/{when:%Y/%m%d}/c{self.node}-{content_id}.html"

    def _plan_articles(self) -> list[_Planned]:
        """Ground-truth content and layout of every canonical article, oldest first."""
        indices = range(self.count)
        multi = set(self.rng.sample(indices, max(5, self.count // 40)))
        no_dateline = self.rng.choice([i for i in indices if i not in multi])
        titles: set[str] = set()
        plans = []
        for i, (when, content_id) in enumerate(self._timeline()):
            article_rng = random.Random(f"replica:{self.seed}:article:{i}")
            template = OLDER if article_rng.random() < 0.3 else CURRENT
            roll = article_rng.random()
            codec, charset = GBK if roll < 1 / 3 else UTF8_CLAIMING_GB if roll < 0.4 else UTF8
            lengths = (1000, 2400) if i in multi else (300, 1500)
            content = generate_article(
                article_rng, when, min_chars=lengths[0], max_chars=lengths[1], author_box=template == CURRENT
            )
            while content.title in titles:
                content = replace(content, title=headline(article_rng, when))
            titles.add(content.title)
            path = self._article_path(when, content_id)
            page_count = article_rng.choice((2, 3)) if i in multi else 1
            page_blocks = _split_pages(content.blocks, page_count)
            page_paths = (path,) + tuple(f"{path[:-5]}-{n}.html" for n in range(2, len(page_blocks) + 1))
            layout = ArticleLayout(
                template=template,
                charset=charset,
                page_paths=page_paths,
                page_blocks=page_blocks,
                breadcrumbs=self.breadcrumbs,
                node=self.node,
                content_id=str(content_id),
                dateline=i != no_dateline,
                indent="fullwidth" if article_rng.random() < 0.25 else "style",
            )
            plans.append(_Planned(content, layout, codec, "article" if i != no_dateline else "no_dateline"))
        for i, plan in enumerate(plans):
            neighbours = [plans[j] for j in (i - 2, i - 1, i + 1) if 0 <= j < len(plans)]
            related = tuple((p.content.title, p.layout.page_paths[0]) for p in neighbours)
            plan.layout = replace(plan.layout, related=related)
        return plans

    def _add_article(self, plan: _Planned) -> None:
        for page_no, path in enumerate(plan.layout.page_paths, 1):
            self.site.pages.defer(
                path,
                lambda page_no=page_no: html_page(
                    render_article_page(plan.content, plan.layout, page_no),
                    plan.codec,
                    plan.layout.charset,
                    plan.content.published,
                ),
            )
        pixel = ReplicaPage(200, "image/png", PIXEL_PNG)
        for figure in plan.content.figures():
            self.site.pages[figure.src] = pixel

    def _add_mirrors(self, plans: list[_Planned]) -> list[ExpectedArticle]:
        """Traditional copies under ``/big5/`` of some single-page articles; half in Big5 bytes."""
        eligible = [p for p in plans if len(p.layout.page_paths) == 1 and p.kind == "article"]
        chosen = sorted(self.rng.sample(range(len(eligible)), max(10, self.count // 20)))
        mirrors = []
        for n, index in enumerate(chosen):
            plan = eligible[index]
            path = "/big5" + plan.layout.page_paths[0]
            codec, charset = BIG5 if n % 2 == 0 else UTF8
            layout = replace(plan.layout, charset=charset, page_paths=(path,))
            # OpenCC writes some characters Big5 lacks (爲, 衆…); like real servers, the
            # Big5 pages carry them as numeric character references.
            body = to_traditional(render_article_page(plan.content, layout, 1))
            self.site.pages[path] = ReplicaPage(
                200,
                f"text/html; charset={charset}",
                body.encode(codec, errors="xmlcharrefreplace"),
                {"Last-Modified": http_date(plan.content.published)},
            )
            traditional = _Planned(traditional_content(plan.content), layout, codec, plan.kind)
            expected = _expected(traditional, script="zh-Hant", mirror_of=plan.layout.page_paths[0])
            expected.breadcrumbs = [to_traditional(t) for t in expected.breadcrumbs]
            mirrors.append(expected)
        return mirrors

    # -- navigation pages ---------------------------------------------------------------

    def _add_topic_page(self, plans: list[_Planned]) -> str:
        """A special-topic index at an article-like URL: only links, no article."""
        path = f"/n2/2020/0401/c{self.node}-99999999.html"
        links = [(p.content.title, p.layout.page_paths[0]) for p in self.rng.sample(plans, 8)]
        html = render_link_page("专题：奋力夺取疫情防控和经济社会发展双胜利", "GB2312", links)
        self.site.pages[path] = html_page(html, "gbk", "GB2312", datetime(2020, 4, 1, 9, 0))
        self.site.non_articles[path] = "special-topic index: a list of links at an article-like URL"
        return path

    def _add_list_pages(self, plans: list[_Planned], mirrors: list[ExpectedArticle], topic: str) -> None:
        chunks = [plans[i : i + LIST_PAGE_SIZE] for i in range(0, len(plans), LIST_PAGE_SIZE)]
        paths = [f"/GB/{self.node}/index.html"] + [f"/GB/{self.node}/index{n}.html" for n in range(2, len(chunks) + 1)]
        entries = [
            [(p.content.title, p.layout.page_paths[0], _list_date(p)) for p in chunk]
            for chunk in chunks
        ]
        entries[0].insert(2, ("【专题】奋力夺取双胜利", topic, "2020年04月01日"))
        # The dead link sits next to (and looks like) the 5th entry of list page 2.
        dead_list = 1 if len(chunks) > 1 and len(chunks[1]) > 4 else 0
        neighbour = chunks[dead_list][4]
        dead_path = self._article_path(neighbour.content.published, int(neighbour.layout.content_id) + 1)
        entries[dead_list].insert(5, (neighbour.content.title + "（图）", dead_path, _list_date(neighbour)))
        self.site.missing_paths.append(dead_path)
        big5_box = ("box_big5", "繁體版", [(m.title, m.path) for m in mirrors])
        for number, (path, page_entries) in enumerate(zip(paths, entries), 1):
            boxes = [big5_box] if number == 1 else []
            html = render_list_page(COLUMN, "GB2312", page_entries, paths, number, side_boxes=boxes)
            newest = chunks[number - 1][0].content.published
            self.site.pages[path] = ReplicaPage(
                200,
                "text/html; charset=GB2312",
                html.encode("gbk", errors="xmlcharrefreplace"),
                {"Last-Modified": http_date(newest)},
            )
            self.site.non_articles[path] = "channel list page"
        self.site.list_pages = paths

    def _add_fixed_pages(self, plans: list[_Planned]) -> None:
        newest = [(p.content.title, p.layout.page_paths[0]) for p in plans[:10]]
        home = render_link_page("江苏频道", "GB2312", [(COLUMN, self.site.list_pages[0]), *newest], css="p1_list")
        self.site.pages["/"] = html_page(home, "gbk", "GB2312")
        self.site.non_articles["/"] = "channel home page"
        self.site.pages["/robots.txt"] = ReplicaPage(200, "text/plain", ROBOTS_TXT)
        login = render_link_page("网站管理登录", "UTF-8", [])
        self.site.pages["/admin/login.html"] = html_page(login, "utf-8", "UTF-8")
        self.site.non_articles["/admin/login.html"] = "administration page, disallowed by robots.txt"


#: Body served for any path the site does not have.
NOT_FOUND = ReplicaPage(404, "text/html; charset=UTF-8", render_error_page(404, "Not Found").encode())


def build_site(
    seed: int = 20200412, articles: int = 240, *, channel_node: str = "360302", variant: str = "normal"
) -> ReplicaSite:
    """Build the replica channel (see the module docstring); same arguments, same bytes.

    ``variant`` names a change applied to the normal site (see
    :data:`crawler.replica.variants.VARIANTS`).
    """
    from crawler.replica.variants import VARIANTS

    if variant not in VARIANTS:
        raise ValueError(f"unknown replica variant {variant!r}; choose one of: {', '.join(VARIANTS)}")
    if articles < MIN_ARTICLES:
        raise ValueError(f"a replica needs at least {MIN_ARTICLES} articles to hold every special case; got {articles}")
    site = _Builder(seed, articles, channel_node).build()
    site.variant = variant
    VARIANTS[variant](site)
    return site
