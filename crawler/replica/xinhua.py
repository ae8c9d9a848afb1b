"""A small local news.cn provincial channel (新华网河北频道 style), for running the ``xinhua`` spider offline.

The home page's navigation links two section lists (``/society/index.htm``,
``/finance/index.htm``, the form the real he.news.cn navigation shows), each paged
newest first (``index_2.htm``: the pager form is the replica's, not seen on a real
list). Articles use both URL forms of the channels: the older ``/YYYY-MM/DD/c_N.htm``
for articles before 2022, the current ``/YYYYMMDD/<32 hex>/c.html`` after; their markup
is the provincial layout of the real he.news.cn page (``h1#title``, ``div.info`` with
``span.time`` and ``span.sourceText``, ``#detailContent``). The home page also shows
the newest headlines (links the lists repeat) and a link off the channel
(``www.news.cn``), which a crawl must not follow. The pages are written for the
replica, not copied from real ones.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from html import escape

from crawler.replica.pages import ReplicaPage

CHANNEL = "he"
#: (path, name) of the section lists.
SECTIONS = (("/society", "社会"), ("/finance", "财经"))
PAGE_SIZE = 4
PAGES_PER_SECTION = 2
#: The newest article's time; each older one is forty days and some hours before it.
NEWEST = datetime(2022, 6, 20, 9, 30)
#: Articles before this day have the older URL form.
CURRENT_FORM_SINCE = datetime(2022, 1, 1)
TOPICS = ("春耕", "高铁", "湿地", "冬奥", "研学", "康养", "物流", "民宿", "夜市", "集市", "农机", "供暖", "运河", "长城", "社区", "书屋")
ROBOTS_TXT = b"User-agent: *\nDisallow: /search/\n"


@dataclass(frozen=True, slots=True)
class XinhuaArticle:
    """Ground truth for one replica article."""

    path: str
    title: str
    published_at: str
    source: str
    body: str
    section: str

    @property
    def day(self) -> str:
        return self.published_at[:10]


@dataclass(slots=True)
class XinhuaSite:
    """Served pages of the channel, with the articles a crawl of it should archive."""

    pages: dict[str, ReplicaPage] = field(default_factory=dict)
    articles: list[XinhuaArticle] = field(default_factory=list)
    list_paths: list[str] = field(default_factory=list)
    #: Linked from the home page but on another site: never fetched.
    offsite_url: str = "http://www.news.cn/"

    def crawl_commands(self, base_url: str) -> list[str]:
        """The ``newsarchive crawl`` that archives the channel, for ``replica serve`` to print."""
        return [f"newsarchive crawl xinhua -a channel={CHANNEL} -a base_url={base_url}   # {len(self.articles)} articles"]


def build_xinhua_site() -> XinhuaSite:
    """Two sections of two list pages, four articles each, newest first across both URL forms."""
    site = XinhuaSite()
    site.pages["/robots.txt"] = ReplicaPage(200, "text/plain", ROBOTS_TXT)
    count = len(SECTIONS) * PAGES_PER_SECTION * PAGE_SIZE
    for index in range(count):
        when = NEWEST - timedelta(days=40 * index, hours=index % 5)
        section, name = SECTIONS[index % len(SECTIONS)]
        topic = TOPICS[index % len(TOPICS)]
        article = XinhuaArticle(
            path=_article_path(when, index),
            title=f"{name}观察：河北{topic}见闻",
            published_at=when.strftime("%Y-%m-%d %H:%M:%S"),
            source="新华网" if index % 3 else "河北日报",
            body=f"记者日前走访多地，看到{topic}带来的新变化。\n当地干部群众表示，将继续把{topic}这件事办好办实。",
            section=section,
        )
        site.articles.append(article)
        site.pages[article.path] = _html(_article_html(article))
    for section, name in SECTIONS:
        in_section = [a for a in site.articles if a.section == section]
        for number in range(PAGES_PER_SECTION):
            path = f"{section}/{_list_file(number)}"
            site.list_paths.append(path)
            on_page = in_section[number * PAGE_SIZE:(number + 1) * PAGE_SIZE]
            site.pages[path] = _html(_list_html(name, section, number, on_page))
    site.pages["/"] = _html(_home_html(site))
    return site


def _article_path(when: datetime, index: int) -> str:
    if when < CURRENT_FORM_SINCE:
        return f"/{when:%Y-%m/%d}/c_{1127073849 + index}.htm"
    return f"/{when:%Y%m%d}/{hashlib.md5(str(index).encode()).hexdigest()}/c.html"


def _list_file(number: int) -> str:
    return "index.htm" if number == 0 else f"index_{number + 1}.htm"


def _html(text: str) -> ReplicaPage:
    return ReplicaPage(status=200, content_type="text/html; charset=utf-8", body=text.encode("utf-8"))


def _nav() -> str:
    return "".join(f'<li><a href="{section}/index.htm">{name}</a></li>' for section, name in SECTIONS)


def _home_html(site: XinhuaSite) -> str:
    newest = "".join(f'<li><a href="{a.path}">{escape(a.title)}</a></li>' for a in site.articles[:3])
    return f"""<!DOCTYPE html><html><head><meta charset="utf-8"><title>新华网河北频道</title></head>
<body><div class="nav"><ul><li><a href="{site.offsite_url}">新华网</a></li>{_nav()}</ul></div>
<div class="focus"><ul>{newest}</ul></div></body></html>"""


def _list_html(name: str, section: str, number: int, articles: list[XinhuaArticle]) -> str:
    items = "\n".join(f'<li><a href="{a.path}">{escape(a.title)}</a><span>{a.day}</span></li>' for a in articles)
    pager = "".join(f'<a href="{_list_file(n)}">{n + 1}</a>' for n in range(PAGES_PER_SECTION) if n != number)
    return f"""<!DOCTYPE html><html><head><meta charset="utf-8"><title>{name}_新华网河北频道</title></head>
<body><div class="nav"><ul><li><a href="/">首页</a></li>{_nav()}</ul></div>
<div class="list"><ul>
{items}
</ul></div><div class="page">{pager}</div></body></html>"""


def _article_html(article: XinhuaArticle) -> str:
    paragraphs = "".join(f"<p>　　{escape(line)}</p>" for line in article.body.split("\n"))
    return f"""<!DOCTYPE html><html><head><meta charset="utf-8"><title>{escape(article.title)}_新华网河北频道</title></head>
<body><div class="nav"><ul><li><a href="/">首页</a></li>{_nav()}</ul></div>
<div id="headerTitle"><div id="articleTit" class="clearfix">
<div class="crumbs domPC clearfix"><a href="/" class="logo domPC"></a><span class="curDiv">&gt; 正文</span></div>
<h1 id="title"><span>{escape(article.title)}</span><span class="btn-audio"></span></h1>
<div class="info clearfix"><div class="source"><span class="time">{article.published_at}</span><i class="domPC">来源：</i><span class="sourceText">{escape(article.source)}</span></div></div>
</div></div>
<div id="center" class="clearfix"><div id="article"><div id="detail" class="article"><span id="detailContent">{paragraphs}</span></div></div></div>
<div class="foot">Copyright © 2000-2022 XINHUANET.com All Rights Reserved.</div></body></html>"""
